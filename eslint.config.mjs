// Flat config: typescript-eslint's recommended type-aware rules plus Prettier's opt-outs.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'libs/contracts/dist/**',
      // Compiled outside the repository against the packed tarball (scripts/ci/contracts-package.sh).
      'scripts/ci/contracts-package/**',
      'node_modules/**',
      '.cache/**',
      'coverage/**',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      // Nest classes injected by type need a runtime import; keep them as values.
      '@typescript-eslint/no-extraneous-class': 'off',
      // kafkajs is CommonJS and ends its exports with `...errors`: Node's ESM loader (not jest's)
      // then sees only Kafka, logLevel, CompressionTypes, Partitioners, AssignerProtocol and
      // PartitionAssigners by name. The rest must come from the default import.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kafkajs',
              allowTypeImports: true,
              importNames: [
                'ConfigResourceTypes',
                'ConfigSource',
                'AclResourceTypes',
                'AclOperationTypes',
                'AclPermissionTypes',
                'ResourcePatternTypes',
                'CompressionCodecs',
                'KafkaJSError',
                'KafkaJSNonRetriableError',
                'KafkaJSProtocolError',
                'KafkaJSNumberOfRetriesExceeded',
                'KafkaJSConnectionError',
                'KafkaJSConnectionClosedError',
                'KafkaJSRequestTimeoutError',
                'KafkaJSTimeout',
              ],
              message:
                'not a named export under Node ESM: `import kafkajs from "kafkajs"` and destructure it',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
