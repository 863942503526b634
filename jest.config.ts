import { availableParallelism } from 'node:os';
import type { Config } from 'jest';

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

export default config;
