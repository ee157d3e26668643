#!/usr/bin/env bash
# Runs every test on this machine, installing what it needs first (scripts/setup.sh):
# lint (with the Nx module-boundary rule), type-check, the generated-code check, then unit specs,
# in-process specs and the Testcontainers end-to-end specs against the image built from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export PATH="/usr/local/bin:$PATH"
hash -r
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1

step() { printf '\n== %s\n' "$*"; }

step "removing containers left by an earlier, interrupted run"
node tests/e2e/support/cleanup.ts

step "lint"
npm run --silent lint
step "type-check"
npm run --silent typecheck
step "generated protocol code is fresh"
npm run --silent proto:check
# The CLI's HTTP types (apps/cli/src/generated/api.ts) match the node's OpenAPI document.
npm run --silent api:check

step "tests: unit, in-process and end-to-end"
# One runner invocation so the closing summary counts every test. End-to-end specs share the
# machine's 2 cores with the containers they start, so files run one at a time.
node --test --test-concurrency=1 --test-reporter=spec \
  'libs/**/*.spec.ts' 'apps/**/*.spec.ts' 'scripts/**/*.spec.ts' 'tests/e2e/**/*.e2e.ts'
