import type { Config } from 'jest';

// Written as CommonJS with erasable types only, so that Node 22.18+ loads it natively (type stripping; package.json
// says "type": "commonjs", so ESM syntax here would fail there and fall back to ts-node with a warning), and ts-node elsewhere.
const { availableParallelism }: typeof import('node:os') = require('node:os');

/**
 * Jest runs the TypeScript sources through ts-jest as CommonJS. The `.js`
 * suffixes in relative imports (needed by the ESM build) are stripped so that
 * ts-jest resolves the `.ts` files.
 */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true, ignoreDeprecations: '6.0' } as never, diagnostics: { ignoreCodes: ['TS151001'] } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
  // The default reporter, plus one line per skipped test saying which and why.
  reporters: ['default', '<rootDir>/scripts/jest-skip-reporter.cjs'],
  // Jest's default (cores - 1) runs one worker on a 2-core CI machine: two halve the wall time there.
  maxWorkers: Math.max(2, availableParallelism() - 1),
};

module.exports = config;
