// Lint: typescript-eslint's recommended rules, plus the purity rule of lib/core
// (no I/O, no RxJS, no clocks or randomness: everything is injected).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'docs/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
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
