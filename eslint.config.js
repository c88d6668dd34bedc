// Lint rules CI enforces (`npm run lint`). Correctness only: formatting is Prettier's job, so no stylistic rules.
// src/ and scripts/ are linted with type information (promises that nobody awaits, promises passed where a
// callback's result is ignored); tests get the same rules without the type-checked set, which is slower and
// flags the loose typing that fixtures and assertions legitimately use.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Unused code is an error; a leading `_` marks a parameter or binding that is unused on purpose. */
const unusedVars = [
  'error',
  {
    args: 'after-used',
    argsIgnorePattern: '^_',
    varsIgnorePattern: '^_',
    caughtErrors: 'all',
    caughtErrorsIgnorePattern: '^_',
    destructuredArrayIgnorePattern: '^_',
    ignoreRestSiblings: true,
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'docs/', 'coverage/'] },
  js.configs.recommended,
  {
    // Plain JavaScript run by Node (this file, scripts/*.mjs, .dependency-cruiser.cjs): the Node globals they use.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  {
    rules: {
      // Escaping untrusted strings for terminals, Slack and HTML has to name control characters in regular expressions.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'scripts/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': unusedVars,
      // Values read from /proc, JSON and SQLite rows are checked by parsers and zod, then narrowed with casts;
      // the no-unsafe-* family would flag every such boundary without finding defects.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Numbers and other primitives in template strings are intended (sizes, pids, counts).
      // An async method with no await is how an implementation meets a Promise-returning interface (and its
      // throws become rejections); flagging it finds no defects.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  {
    files: ['test/**/*.ts', 'vitest.config.ts'],
    extends: [...tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': unusedVars,
      // Tests build partial fixtures and assert on them; `!` after a find() in a test is the assertion.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
