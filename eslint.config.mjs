// Lint is part of the test command. Two kinds of rule keep the architecture honest:
// - Nx module boundaries (tags in each package.json): the layering core < platform < domain < edge < app.
// - Restricted imports: only the protocol lib touches @grpc/*, only telemetry touches prom-client and pino.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const onlyIn = (pkg, owner) => ({ group: [pkg, `${pkg}/*`], message: `${pkg} is only imported by ${owner}.` });

export default [
  { ignores: ['**/node_modules/**', 'dist/**', '.nx/**', '**/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:core', 'type:platform'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:core', 'type:platform', 'type:domain'] },
            { sourceTag: 'type:edge', onlyDependOnLibsWithTags: ['type:core', 'type:platform', 'type:domain'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:core', 'type:platform', 'type:domain', 'type:edge'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client'] },
            { sourceTag: 'scope:node', onlyDependOnLibsWithTags: ['scope:shared', 'scope:node'] },
          ],
        },
      ],
      // Late binding (a handler registered before the object it forwards to exists) reads before assign.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    ignores: ['libs/protocol/**', 'libs/telemetry/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyIn('@grpc', 'libs/protocol'),
            onlyIn('grpc-health-check', 'libs/protocol'),
            onlyIn('prom-client', 'libs/telemetry'),
            onlyIn('pino', 'libs/telemetry'),
          ],
        },
      ],
    },
  },
  {
    files: ['libs/protocol/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [onlyIn('prom-client', 'libs/telemetry'), onlyIn('pino', 'libs/telemetry')] }] },
  },
  {
    files: ['libs/telemetry/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [onlyIn('@grpc', 'libs/protocol')] }] },
  },
];
