import { builtinModules } from 'node:module';
import js from '@eslint/js';
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';

/** A relative import that reaches a directory named `layer` (e.g. `../../modules/health/index.ts`). */
function layerPattern(layer, message) {
  return { regex: String.raw`^\.\.?/(.*/)?${layer}/`, message: `${message}: layers import only downward.` };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', '.dist-*/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  security.configs.recommended,
  {
    rules: {
      // Off: every hit was an index with a typed key (a union of literals, a catalogue code, a key
      // from the static settings table, a header/cookie name constant); TypeScript and
      // noUncheckedIndexedAccess already cover these, and the rule cannot tell them from user keys.
      'security/detect-object-injection': 'off',
      // Off: every path comes from validated configuration (data dir, TLS/CA files, config file),
      // the embedded cluster's own directory, or a test's temporary directory, never from a request.
      'security/detect-non-literal-fs-filename': 'off',
      // Kept on and made errors so CI fails on them (the recommended set only warns).
      'security/detect-unsafe-regex': 'error',
      'security/detect-non-literal-regexp': 'error',
      'security/detect-child-process': 'error',
      'security/detect-eval-with-expression': 'error',
      'security/detect-non-literal-require': 'error',
      'security/detect-possible-timing-attacks': 'error',
      'security/detect-pseudoRandomBytes': 'error',
      'security/detect-buffer-noassert': 'error',
      'security/detect-new-buffer': 'error',
      'security/detect-bidi-characters': 'error',
      'security/detect-invisible-characters': 'error',
      'security/detect-disable-mustache-escape': 'error',
      'security/detect-no-csrf-before-method-override': 'error',
    },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through server/infra/config only.' }],
    },
  },
  {
    files: ['server/infra/config/**', 'server/cli.ts', 'test/**', '**/*.test.ts', 'vitest.config.ts', 'bench/**', 'scripts/build.js'],
    rules: { 'no-restricted-properties': 'off' },
  },
  // Layers import only downward: modules → platform → infra → contracts. A platform or infra file
  // reaching into a feature (or infra into platform) would make the lower layer depend on what is
  // built on it; contracts are shared with the browser, so they import neither server code nor Node.
  {
    files: ['server/platform/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layerPattern('modules', 'server/platform may not import server/modules')] }] },
  },
  {
    files: ['server/infra/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layerPattern('modules', 'server/infra may not import server/modules'),
            layerPattern('platform', 'server/infra may not import server/platform'),
          ],
        },
      ],
    },
  },
  {
    files: ['contracts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: 'contracts are shared with the browser: no Node modules.' })),
          patterns: [
            { regex: String.raw`^\.\.?/(.*/)?server(/|$)`, message: 'contracts may not import server code.' },
            { regex: '^node:', message: 'contracts are shared with the browser: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // The dashboard runs in the browser: it reaches the server over HTTP only, and shares contracts.
    files: ['web/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: 'web/src runs in the browser: no Node modules.' })),
          patterns: [
            { regex: String.raw`^\.\.?/(.*/)?server(/|$)`, message: 'web/src may not import server code: call the API.' },
            { regex: '^node:', message: 'web/src runs in the browser: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // Tests build expected-output patterns from values they created themselves (sequence numbers,
    // migration names), not from input.
    files: ['test/**', '**/*.test.ts'],
    rules: { 'security/detect-non-literal-regexp': 'off' },
  },
);
