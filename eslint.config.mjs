// Lint is part of the test command. Two kinds of rule keep the architecture honest:
// - Nx module boundaries (tags in each package.json): the layering core < protocol, identity, telemetry <
//   routing, storage < replication, transfer, search < http-api < node < apps.
// - Restricted imports: only the protocol lib touches @grpc/*, only telemetry touches prom-client and pino.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Layer tags in the order DESIGN.md stacks the parts (README "Layers", docs/ARCHITECTURE.md).
const LAYERS = ['layer:0-core', 'layer:1-base', 'layer:2-routing-storage', 'layer:3-services', 'layer:4-api', 'layer:5-node', 'layer:6-app'];
const below = (n) => LAYERS.slice(0, n);
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
            // The layers of DESIGN.md's parts table, lowest first: a lib imports only from layers below
            // its own. Two same-layer edges are allowed: replication → transfer (a read swarms blocks from
            // the replicas with transfer's Swarm; transfer and search import no other service) and
            // node → config.
            { sourceTag: 'layer:0-core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:1-base', onlyDependOnLibsWithTags: below(1) },
            { sourceTag: 'layer:2-routing-storage', onlyDependOnLibsWithTags: below(2) },
            { sourceTag: 'layer:3-services', onlyDependOnLibsWithTags: [...below(3), 'lib:transfer'] },
            { sourceTag: 'lib:transfer', notDependOnLibsWithTags: ['layer:3-services'] },
            { sourceTag: 'lib:search', notDependOnLibsWithTags: ['layer:3-services'] },
            { sourceTag: 'layer:4-api', onlyDependOnLibsWithTags: below(4) },
            // libs/node builds, starts and stops a whole node from the libs below and from libs/config
            // (the node's settings, read from the environment over each lib's declared defaults).
            { sourceTag: 'layer:5-node', onlyDependOnLibsWithTags: [...below(5), 'lib:config'] },
            { sourceTag: 'lib:config', notDependOnLibsWithTags: ['layer:5-node'] },
            { sourceTag: 'layer:6-app', onlyDependOnLibsWithTags: below(6) },
            // The CLI is a client of the HTTP API: it imports no node code (only core, telemetry, and identity
            // for `peerweave cluster ca`: keys and certificates, no node machinery).
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
