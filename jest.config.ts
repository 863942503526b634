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
};

export default config;
