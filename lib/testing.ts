/**
 * `lomond/testing`: a virtual transport and a scripted server for marble tests
 * of code built on lomond (SPEC "Testing"). The Node build connects to the
 * server through its `transport`; the browser build (and DOM code) through
 * `server.WebSocket`, a DOM-shaped class installed as `globalThis.WebSocket`
 * by `installTestWebSocket(server)`. Nothing on this path needs a Node
 * built-in, so it bundles for browser test runners (Karma, Vitest's browser
 * mode, web-test-runner).
 */
export { createTestServer, installTestWebSocket, TestServer, type TestServerOptions } from './testing/test-server.js';
export { TestWebSocket, type TestWebSocketConstructor, type TestWebSocketEvent } from './testing/test-web-socket.js';
export { TestConnection, type TestConnectionOptions, type RecordedFrame, type TestConnectionState } from './testing/test-connection.js';
export { serverFrame, serverClose, closePayload, type ServerFrameOptions } from './testing/server-frames.js';
export { ClientFrameReader, type ClientFrame } from './testing/client-frame-reader.js';
