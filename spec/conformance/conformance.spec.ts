/**
 * The conformance suite: our own fuzzingserver (scripted-server.ts) plays the
 * Autobahn|Testsuite client cases against WebSocket/connect$ over real TCP on
 * 127.0.0.1, with an echo client like Autobahn's client harness
 * (client-harness.ts). A summary table (category | cases | passed | failed |
 * time ms, plus the time of each 9.* case) is written to
 * .tmp/conformance-summary.txt, and printed too when LOMOND_CONFORMANCE_TABLE
 * is set (`npm run conformance` sets it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCases, results, summaryTable } from './case.js';
import { closeCases } from './cases/close.js';
import { deflateParameterCases, deflateSizeCases } from './cases/deflate.js';
import { fragmentationCases } from './cases/fragmentation.js';
import { framingCases } from './cases/framing.js';
import { autoFragmentationCases, limitCases } from './cases/limits.js';
import { pingCases } from './cases/pings.js';
import { reservedBitCases, reservedOpcodeCases } from './cases/reserved.js';
import { utf8Cases } from './cases/utf8.js';

describe('1.* framing', () => defineCases('1 framing', framingCases));
describe('2.* pings and pongs', () => defineCases('2 pings/pongs', pingCases));
describe('3.* reserved bits', () => defineCases('3 reserved bits', reservedBitCases));
describe('4.* reserved opcodes', () => defineCases('4 reserved opcodes', reservedOpcodeCases));
describe('5.* fragmentation', () => defineCases('5 fragmentation', fragmentationCases));
describe('6.* UTF-8', () => defineCases('6 utf-8', utf8Cases));
describe('7.* close handling', () => defineCases('7 close', closeCases));
describe('9.* limits and performance', () => defineCases('9 limits/performance', limitCases));
describe('10.* auto-fragmentation', () => defineCases('10 auto-fragmentation', autoFragmentationCases));
describe('12.* permessage-deflate messages', () => defineCases('12 deflate messages', deflateSizeCases));
describe('13.* permessage-deflate parameters', () => defineCases('13 deflate parameters', deflateParameterCases));

/** Where the summary table goes (git-ignored). */
const SUMMARY_FILE = join(__dirname, '..', '..', '.tmp', 'conformance-summary.txt');

afterAll(() => {
  const table = summaryTable(results, (category) => category.startsWith('9'));
  mkdirSync(join(SUMMARY_FILE, '..'), { recursive: true });
  writeFileSync(SUMMARY_FILE, `${table}\n`);
  if (process.env['LOMOND_CONFORMANCE_TABLE']) console.log(`conformance summary (also in ${SUMMARY_FILE})\n${table}`);
});
