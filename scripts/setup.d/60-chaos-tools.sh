# shellcheck shell=bash
# Fault injection from the host for the chaos suite (tests/chaos/, `npm run chaos`, and its short
# version tests/e2e/chaos.e2e.ts): `nsenter -t <container pid> -n` (util-linux) enters a node's
# network namespace, where `iptables` cuts partitions and drops a share of packets (the `statistic`
# match), and `ip`/`tc` (iproute2) inspect it. Debian's packages.
# Checks: iptables, nsenter, ip and tc on PATH, and — in a throwaway network namespace
# (`unshare -n`), so the host's rules are never touched — that the kernel takes a DROP rule with
# `-m statistic --mode random`, which the suite uses for packet loss: this machine's kernel has no
# sch_netem (`tc qdisc … netem` answers "Specified qdisc kind is unknown"), so loss is made with
# iptables, dropping the same share of a node's outgoing packets that netem's `loss` would.
# Installs only the missing packages.
# Sourced by scripts/setup.sh, which defines ok, doing, run, die, apt_update_once and now/since.

# command → Debian package
declare -A CHAOS_TOOLS=([iptables]=iptables [nsenter]=util-linux [ip]=iproute2 [tc]=iproute2)

chaos_statistic_drop_works() {
  unshare -n iptables -A OUTPUT -m statistic --mode random --probability 0.05 -j DROP >/dev/null 2>&1
}

ensure_chaos_tools() {
  local missing=() cmd
  for cmd in "${!CHAOS_TOOLS[@]}"; do
    command -v "$cmd" >/dev/null || missing+=("${CHAOS_TOOLS[$cmd]}")
  done
  if ((${#missing[@]} > 0)); then
    local t0 packages; t0=$(now)
    packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
    doing "installing ${packages}(chaos suite: faults from the host)"
    apt_update_once
    # shellcheck disable=SC2086 # one word per package
    run "apt-get install ${packages}" apt-get install -y --no-install-recommends $packages
    hash -r
    for cmd in "${!CHAOS_TOOLS[@]}"; do
      command -v "$cmd" >/dev/null || die "${CHAOS_TOOLS[$cmd]} installed but \`${cmd}\` is not on PATH"
    done
    ok "chaos tools installed (${packages}$(since "$t0"))"
  fi
  chaos_statistic_drop_works || die 'iptables cannot add a `-m statistic --mode random` DROP rule in a network namespace (kernel without xt_statistic?): the chaos suite makes packet loss with it'
  ok "chaos tools present ($(iptables -V 2>/dev/null | awk '{print $1, $2, $3}'), nsenter, iproute2)"
}

EXTRA_STEPS+=(ensure_chaos_tools)
