// Dual build: dist/cjs (CommonJS) and dist/esm (ES modules), each with its own
// package.json "type" marker so Node picks the right loader for each tree.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const tsc = (args) => execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', ...args], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
for (const [dir, type] of [['cjs', 'commonjs'], ['esm', 'module']]) {
  mkdirSync(`dist/${dir}`, { recursive: true });
  // The marker must exist before tsc runs: with module "nodenext" it decides the output format.
  writeFileSync(`dist/${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
tsc(['--outDir', 'dist/cjs', '--module', 'nodenext']);
// For ESM output we compile with module esnext; relative imports already carry .js extensions.
tsc(['--outDir', 'dist/esm', '--module', 'esnext', '--moduleResolution', 'bundler']);
