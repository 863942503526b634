/** CI runs exactly the README's test command: the last line of .ci/run is the command of README's quick start. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

it("runs in .ci/run exactly the README's test command", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start for contributors'));
  const command = /```sh\n(.+)\n```/.exec(quickStart)?.[1];
  const lines = readFileSync(join(root, '.ci', 'run'), 'utf8').trim().split('\n');
  expect(command).toMatch(/^npm ci && npm test && /);
  expect(lines.at(-1)).toBe(command);
});
