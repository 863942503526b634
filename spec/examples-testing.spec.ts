/**
 * The lomond/testing examples of the README (examples/testing/*.ts), run as the jest tests they are, with
 * `lomond`, `lomond/browser` and `lomond/testing` mapped to lib/ as a user's project maps them to the package;
 * and each of them shown in the README exactly as it is here, so the README's examples are the tested ones.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

jest.mock('lomond', () => jest.requireActual('../lib/index'), { virtual: true });
jest.mock('lomond/browser', () => jest.requireActual('../lib/browser'), { virtual: true });
jest.mock('lomond/testing', () => jest.requireActual('../lib/testing'), { virtual: true });

const root = resolve(__dirname, '..');
const dir = join(root, 'examples', 'testing');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** The README's ```ts fences, as written. */
const fences = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

it('has an example for every helper lomond/testing exports', () => {
  expect(files.length).toBeGreaterThanOrEqual(7);
});

for (const file of files) {
  describe(`examples/testing/${file}`, () => {
    it('is shown in the README as it is', () => {
      const shown = fences.includes(readFileSync(join(dir, file), 'utf8'));
      if (!shown) throw new Error(`README.md has no \`\`\`ts fence equal to examples/testing/${file}: copy the file into the README's testing section`);
    });
    require(join(dir, file));
  });
}
