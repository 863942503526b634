/**
 * The hostile-server fuzz suite over the in-memory transport (driver a):
 * thousands of generated servers — valid, broken and malicious handshakes,
 * frame scripts, mutations, chunkings — each judged by the oracle.
 * `npm run fuzz` runs it long; see spec/fuzz/config.ts.
 */
import { fuzzSettings } from './config.js';
import { fuzz, summarize } from './property.js';
import { expectHealthyRun, runTimeout } from './expectations.js';
import { virtualDriver } from './virtual-transport.js';

const settings = fuzzSettings('virtual');

describe('a hostile server, in memory', () => {
  it(`never freezes, bloats or crashes the client (${settings.runs} cases, seed ${settings.seed})`, async () => {
    const stats = await fuzz(virtualDriver, settings);
    if (!settings.ci || process.env.FUZZ_VERBOSE) console.log(summarize(stats));
    expectHealthyRun(stats);
  }, runTimeout(settings, 40));
});
