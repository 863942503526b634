// Bundle size of a typical browser client, minified and gzipped, against the
// alternatives: what each snippet costs in an app bundle, rxjs included.
// esbuild bundles each snippet for the browser platform, minified, ES2022,
// tree-shaken; gzip level 9. Two columns, because rxjs ships two ES builds:
// bundlers that read only the default export condition (Vite, esbuild,
// webpack) get rxjs's esm5 build (with tslib), the Angular CLI asks for the
// `es2015` condition and gets the smaller ES2015 one. lomond is bundled from
// lib/ (the same code as dist/esm, which tsc emits at ES2022 unchanged).
//
//   node scripts/size.mjs [--markdown]
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lib = (file) => JSON.stringify(join(root, 'lib', file));

/** What an app imports: a label and the snippet. */
export const SNIPPETS = [
  ['lomond: `connect$` + `persist` + `isText`', `export { connect$, persist, isText } from ${lib('browser.ts')};`],
  ['lomond: `connect$` + `persist` + `json` + `browserWake$` (+ heartbeat)', `export { connect$, persist, json, browserWake$ } from ${lib('browser.ts')};`],
  ['lomond: `WebSocket` + `persist` + `json`', `export { WebSocket, persist, json } from ${lib('browser.ts')};`],
  ['rxjs `webSocket()` alone', `export { webSocket } from 'rxjs/webSocket';`],
  ['rxjs `webSocket()` + `retry` + `timer`', `export { webSocket } from 'rxjs/webSocket'; export { retry, timer } from 'rxjs';`],
  ['partysocket (`WebSocket`, no rxjs)', `export { WebSocket } from 'partysocket';`],
];

/** Minified and gzipped sizes of one snippet; `own` is the minified bytes that come from lomond's lib/. */
export async function measure(contents, conditions = []) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  const own = Object.entries(inputs)
    .filter(([path]) => path.startsWith('lib/'))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, own };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

async function main() {
  const rows = [];
  for (const [label, contents] of SNIPPETS) {
    const [vite, angular] = await Promise.all([measure(contents), measure(contents, ['es2015'])]);
    rows.push([label, kb(vite.gzip), kb(angular.gzip), vite.own > 0 ? kb(vite.own) : '–']);
  }
  const header = ['bundle (min + gzip, rxjs included)', 'rxjs esm5 (Vite, esbuild, webpack)', 'rxjs es2015 (Angular CLI)', "lomond's own code (min)"];
  if (process.argv.includes('--markdown')) {
    console.log(`| ${header.join(' | ')} |\n|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
