// @ts-check
const eslint = require('@eslint/js');
const tseslint = require('typescript-eslint');

const botSdks = {
  group: ['botbuilder', 'botbuilder-*', 'botframework-*', '@microsoft/teams-ai'],
  message: 'Keep the Bot Framework SDKs in src/bot/ so moving to the successor SDKs touches one folder.',
};
const restify = { group: ['restify'], message: 'Only src/index.ts knows restify.' };
function restrictImports(files, ignores, patterns) {
  return [{ files, ignores, rules: { 'no-restricted-imports': ['error', { patterns }] } }];
}

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'appPackage/build/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Only the Teams glue may know the Bot Framework SDKs; only src/index.ts knows restify.
  ...restrictImports(
    ['src/**/*.ts'],
    ['src/bot/**', 'src/app.ts', 'src/devtools/**', 'src/cli/chat.ts', 'src/index.ts'],
    [botSdks, restify],
  ),
  ...restrictImports(
    ['src/bot/**/*.ts', 'src/app.ts', 'src/devtools/**/*.ts', 'src/cli/chat.ts'],
    [],
    [restify],
  ),
  ...restrictImports(['src/index.ts'], [], [botSdks]),
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
