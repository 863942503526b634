/**
 * `lomond/testing`: a virtual transport and a scripted server for marble tests
 * of code built on lomond (SPEC "Testing").
 */
export { createTestServer, TestServer, type TestServerOptions } from './testing/test-server.js';
export { TestConnection, type TestConnectionOptions, type RecordedFrame, type TestConnectionState } from './testing/test-connection.js';
export { serverFrame, serverClose, closePayload, type ServerFrameOptions } from './testing/server-frames.js';
export { ClientFrameReader, type ClientFrame } from './testing/client-frame-reader.js';
