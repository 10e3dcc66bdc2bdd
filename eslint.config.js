// One lint set-up for the whole repository: typed typescript-eslint rules,
// module boundaries (no import cycles), no floating promises.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'import-x/no-cycle': 'error',
      'no-restricted-imports': ['error', { paths: [
        { name: 'kafkajs', message: 'Use services/common/kafka/transport.ts: kafkajs stays behind that one module.' },
        { name: '@platformatic/kafka', message: 'Use services/common/kafka/transport.ts: the Kafka clients stay behind it (producing is in producer.ts).' },
      ] }],
    },
  },
  {
    files: ['services/common/kafka/transport.ts', 'services/common/kafka/producer.ts', 'services/common/kafka/reach.ts', 'tools/local-kafka/**/*.ts', 'test/support/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
