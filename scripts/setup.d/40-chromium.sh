# shellcheck shell=bash
# Headless Chromium for the live page's end-to-end test (tests/e2e/live-page.e2e.ts), driven by npm
# `playwright-core` with executablePath /usr/bin/chromium. Debian's package, not Playwright's
# downloaded browser: this machine reaches only npm and the Debian archive.
# Checks: /usr/bin/chromium runs `--version`; else apt-get install chromium (about 40 s, once).
# Sourced by scripts/setup.sh, which defines ok, doing, run, die, apt_update_once and now/since.

CHROMIUM_BIN=/usr/bin/chromium

ensure_chromium() {
  local version
  if version=$("$CHROMIUM_BIN" --version 2>/dev/null); then ok "chromium present (${version})"; return; fi
  local t0; t0=$(now)
  doing 'installing chromium (headless browser for the live page e2e test)'
  apt_update_once
  run 'apt-get install chromium' apt-get install -y --no-install-recommends chromium
  version=$("$CHROMIUM_BIN" --version 2>/dev/null) || die "chromium installed but ${CHROMIUM_BIN} --version fails"
  ok "chromium installed (${version}, $(since "$t0"))"
}

EXTRA_STEPS+=(ensure_chromium)
