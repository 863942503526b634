// Lint: typescript-eslint's recommended rules, the purity rule of lib/core
// (no I/O, no RxJS, no clocks or randomness: everything is injected), and the
// layering of lib/: each folder may import only the layers below it
// (see README, "Layers").
import tseslint from 'typescript-eslint';

/** Each lib/ folder and the folders it may import (besides its own files, rxjs and node:*). */
const LAYERS = {
  events: ['core'],
  scheduling: [],
  transports: ['core'],
  compression: ['core'],
  connection: ['compression', 'transports', 'scheduling', 'events', 'core'],
  pipeline: ['connection', 'compression', 'transports', 'scheduling', 'events', 'core'],
  session: ['pipeline', 'connection', 'compression', 'transports', 'scheduling', 'events', 'core'],
  operators: ['scheduling', 'events', 'core'],
  testing: ['connection', 'transports', 'events', 'core'],
  browser: ['session', 'operators', 'connection', 'scheduling', 'events', 'core'],
};
const FOLDERS = ['core', 'cli', ...Object.keys(LAYERS)];

const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => ({
  files: [`lib/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: FOLDERS.filter((other) => other !== folder && !allowed.includes(other)).map((other) => `../${other}/*`),
            message: `lib/${folder} may import only ${allowed.length === 0 ? 'rxjs' : allowed.join(', ')} (imports point down the layers)`,
          },
          { group: ['../*.js'], message: `lib/${folder} must not import the façade (lib/*.ts)` },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  // examples/angular is an Angular workspace with its own dependencies and toolchain (scripts/angular-check.mjs).
  { ignores: ['dist/**', 'node_modules/**', 'docs/**', '.tmp/**', 'examples/angular/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  ...layerRules,
  {
    files: ['lib/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'rxjs', 'rxjs/*', '../*'] }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'Buffer', 'process'],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'the core reads no clock: inject the time' },
        { object: 'Math', property: 'random', message: 'the core draws no randomness: inject it' },
      ],
    },
  },
);
