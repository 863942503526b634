/**
 * The README's API table against what the three entry points export (scripts/api-table.mjs reads them with
 * the TypeScript compiler API): no export missing, nothing listed that is not exported, the entry points and
 * descriptions as generated. `node scripts/api-table.mjs --write` rewrites the table.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const START = '<!-- api-table:start';
const END = '<!-- api-table:end -->';

interface Row {
  name: string;
  entries: string[];
  kind: string;
  summary: string;
  section: string;
}

describe('README API table', () => {
  let generated: { rows: Row[]; table: string };
  let readme: string;
  /** The README table's rows: name → entry points. */
  let listed: Map<string, string[]>;

  beforeAll(() => {
    generated = JSON.parse(execFileSync(process.execPath, [join(root, 'scripts', 'api-table.mjs'), '--json'], { cwd: root, encoding: 'utf8' }));
    readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf(START), readme.indexOf(END));
    listed = new Map();
    for (const line of table.split('\n')) {
      const cells = /^\| `([^`]+)` \| [^|]+ \| ([^|]+) \|/.exec(line);
      if (cells) listed.set(cells[1]!, [...cells[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    }
  }, 60_000);

  it('lists every export of lomond, lomond/browser and lomond/testing', () => {
    const missing = generated.rows.map((r) => r.name).filter((name) => !listed.has(name));
    expect(missing).toEqual([]);
    expect(generated.rows.length).toBeGreaterThan(80);
  });

  it('lists nothing that is not exported', () => {
    const exported = new Set(generated.rows.map((r) => r.name));
    expect([...listed.keys()].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('names the entry points that export each name', () => {
    const wrong = generated.rows.filter((r) => listed.get(r.name)?.join() !== r.entries.join()).map((r) => `${r.name}: ${r.entries.join(', ')}`);
    expect(wrong).toEqual([]);
  });

  it('is the generated table, descriptions and links included (node scripts/api-table.mjs --write)', () => {
    const start = readme.indexOf(START);
    expect(readme.slice(start, readme.indexOf(END) + END.length)).toBe(generated.table);
  });
});
