/**
 * The hostile-server fuzz suite over real sockets (driver b): a node:net
 * server on 127.0.0.1 answers each upgrade with a generated response and
 * writes the generated chunks with real pauses; the oracle also checks that
 * the server sees the client's socket close. `npm run fuzz` runs it long.
 */
import { fuzzSettings } from './config.js';
import { expectHealthyRun, runTimeout } from './expectations.js';
import { fuzz, summarize } from './property.js';
import { FuzzServer, socketDriver } from './socket-server.js';

const settings = fuzzSettings('socket');

describe('a hostile server, over TCP on 127.0.0.1', () => {
  let server: FuzzServer;
  beforeAll(async () => {
    server = await FuzzServer.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it(`never freezes, bloats or crashes the client (${settings.runs} cases, seed ${settings.seed})`, async () => {
    const stats = await fuzz(socketDriver(server), settings);
    if (!settings.ci || process.env.FUZZ_VERBOSE) console.log(summarize(stats));
    expectHealthyRun(stats);
  }, runTimeout(settings, 400));
});
