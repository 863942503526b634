// Dual build: dist/cjs (CommonJS, with the `lomond` executable) and dist/esm
// (ES modules, the library only), each with its own package.json "type"
// marker so Node picks the right loader for each tree. Also run by `prepack`.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const tsc = (args) => execFileSync('npx', ['tsc', ...args], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
for (const [dir, type] of [['cjs', 'commonjs'], ['esm', 'module']]) {
  mkdirSync(`dist/${dir}`, { recursive: true });
  // The marker must exist before tsc runs: with module "nodenext" it decides the output format.
  writeFileSync(`dist/${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
tsc(['-p', 'tsconfig.build.json', '--outDir', 'dist/cjs', '--module', 'nodenext']);
// For ESM output we compile with module esnext; relative imports already carry .js extensions.
tsc(['-p', 'tsconfig.build.esm.json', '--outDir', 'dist/esm']);

// package.json `bin`: tsc keeps the shebang but writes files 0644.
const bin = 'dist/cjs/cli/bin.js';
if (!existsSync(bin)) throw new Error(`${bin} was not built`);
chmodSync(bin, 0o755);
