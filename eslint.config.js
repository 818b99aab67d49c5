// typescript-eslint's recommended type-checked rules over the whole tree, run by `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'grafana/generated/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An async method without await is how a synchronous implementation keeps a Promise
      // contract (Collector.collect, Sources.readFile): a throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // `const { enabled: _, ...options } = settings` drops a key on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
      // A cast that forgets the type checker (`as never`, `as unknown as T`) needs a disable
      // comment that says why it is safe.
      'no-restricted-syntax': [
        'error',
        { selector: 'TSAsExpression > TSNeverKeyword', message: 'Do not cast to never: type the value.' },
        {
          selector: 'TSAsExpression > TSAsExpression > TSUnknownKeyword',
          message:
            '`as unknown as T` forgets the type checker: parse or narrow the value, or say in a disable comment why the cast is safe.',
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
