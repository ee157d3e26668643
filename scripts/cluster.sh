#!/usr/bin/env bash
# shellcheck disable=SC2016 # single quotes around $ and backticks are intentional (bash -c, node -e, messages)
# A local Peerweave cluster with Docker Compose (docker-compose.yml): N peers + 2 supernodes.
#
#   bash scripts/cluster.sh up [N]   # setup (scripts/setup.sh), then N peers (default 20) + 2 supernodes,
#                                    # waits until all are healthy, prints one HTTP address per line
#                                    # on stdout (peers 1..N, then supernodes 1..2), and on stderr the
#                                    # local write token (.peerweave/token) with how to use it
#   bash scripts/cluster.sh up [N] --monitoring
#                                    # the same plus Prometheus (Compose profile `monitoring`) scraping
#                                    # every node; its URL goes to stderr with the other progress
#   bash scripts/cluster.sh ps       # address, container and health of every node
#   bash scripts/cluster.sh down     # removes containers, the network and the /data volumes
#
# Progress and errors go to stderr, so `mapfile -t urls < <(bash scripts/cluster.sh up 5)` works.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG=${PEERWEAVE_CLUSTER_LOG:-/tmp/peerweave-cluster.log}
WAIT_S=${PEERWEAVE_CLUSTER_WAIT_S:-180}
COMPOSE=(docker compose -f "$ROOT/docker-compose.yml" --project-directory "$ROOT")
PROJECT=${COMPOSE_PROJECT_NAME:-peerweave} # `name:` in docker-compose.yml

say() { printf '%s\n' "$*" >&2; }
die() {
  say "✗ $1"
  if [[ ${2:-} == log && -s $LOG ]]; then
    say "  last lines of $LOG:"
    tail -n 20 "$LOG" | sed 's/^/  | /' >&2
  fi
  exit 1
}
usage() { die "usage: bash scripts/cluster.sh up [N] [--monitoring] | ps | down   (N = number of peers, default 20)"; }
# Compose with every profile enabled: for ps and down, which must see Prometheus too when it runs.
ALL_PROFILES=(--profile monitoring)
need_docker() {
  timeout 10 docker info >/dev/null 2>&1 || die 'docker is not answering: run `bash scripts/setup.sh` (as root) first'
}

# Reads `docker compose ps --format json` (one JSON object per line in Compose >= 2.21, an array
# before) and prints "URL NAME SERVICE STATE HEALTH" per node, peers then supernodes, by replica.
nodes() {
  "${COMPOSE[@]}" "${ALL_PROFILES[@]}" ps --all --format json | node -e '
    const text = require("fs").readFileSync(0, "utf8").trim();
    const rows = text.startsWith("[") ? JSON.parse(text) : text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const order = { peer: 0, supernode: 1, prometheus: 2 };
    const replica = (r) => Number(/-(\d+)$/.exec(r.Name)?.[1] ?? 0);
    rows.sort((a, b) => (order[a.Service] ?? 9) - (order[b.Service] ?? 9) || a.Service.localeCompare(b.Service) || replica(a) - replica(b));
    for (const r of rows) {
      const p = (r.Publishers ?? []).find((x) => (x.TargetPort === 8080 || x.TargetPort === 9090) && x.PublishedPort > 0);
      const url = p ? `http://${p.URL && p.URL !== "0.0.0.0" ? p.URL : "127.0.0.1"}:${p.PublishedPort}` : "-";
      console.log([url, r.Name, r.Service, r.State, r.Health || "-"].join(" "));
    }'
}

# /data volumes. Compose 2.26 leaks them in two cases, so they are tracked through the containers:
# - scaling down removes containers but not their anonymous volumes;
# - a recreated container (new image) mounts its predecessor's volume by name, which
#   `down --volumes` then no longer counts as anonymous.
# containers_volumes <container...>: the names of the volumes those containers mount.
containers_volumes() {
  (( $# )) || return 0
  docker inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{println .Name}}{{end}}{{end}}' "$@" 2>/dev/null | grep . || true
}
project_containers() { docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" "$@"; }
remove_volumes() {
  (( $# )) || return 0
  printf '\n$ docker volume rm (%s volumes)\n' "$#" >>"$LOG"
  docker volume rm "$@" >>"$LOG" 2>&1 || true # a volume still in use stays
}

# Removes peers numbered above n, with their volumes, before Compose scales down without them.
scale_down_peers() {
  local n=$1 id num extra=()
  for id in $(project_containers --filter label=com.docker.compose.service=peer); do
    num=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' "$id" 2>/dev/null || echo 0)
    (( num > n )) && extra+=("$id")
  done
  (( ${#extra[@]} )) || return 0
  say "→ removing ${#extra[@]} peers above $n"
  local vols; mapfile -t vols < <(containers_volumes "${extra[@]}")
  docker rm -f "${extra[@]}" >>"$LOG" 2>&1 || die 'removing the extra peers failed' log
  remove_volumes "${vols[@]}"
}

cmd_up() {
  local n=20 monitoring=0 arg profiles=()
  for arg in "$@"; do
    case $arg in
      --monitoring) monitoring=1; profiles=(--profile monitoring) ;;
      *) n=$arg ;;
    esac
  done
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "up: N must be a positive number of peers, got '$n'"
  local t0=$SECONDS
  bash "$ROOT/scripts/setup.sh" >&2 || exit 1
  say "→ starting $n peers + 2 supernodes$( ((monitoring)) && echo ' + Prometheus') (waiting up to ${WAIT_S} s for all to be healthy)"
  : >"$LOG"
  local t1=$SECONDS
  scale_down_peers "$n"
  if ! "${COMPOSE[@]}" "${profiles[@]}" up -d --scale "peer=$n" --wait --wait-timeout "$WAIT_S" >>"$LOG" 2>&1; then
    local bad
    bad=$(nodes | awk '$5 != "healthy" {print $2 " (" $4 ", " $5 ")"}' | head -n 5 | paste -sd, - | sed "s/,/, /g")
    die "the cluster did not become healthy within ${WAIT_S} s${bad:+; not healthy: $bad} (see \`docker logs <container>\`)" log
  fi
  # Images replaced by setup.sh while the old cluster still ran them are unused now.
  docker image prune -f --filter label=org.peerweave.build-hash >>"$LOG" 2>&1 || true
  local rows
  rows=$(nodes)
  local total healthy
  total=$(printf '%s\n' "$rows" | awk '$3 == "peer" || $3 == "supernode"' | grep -c . || true)
  healthy=$(printf '%s\n' "$rows" | awk '($3 == "peer" || $3 == "supernode") && $5 == "healthy"' | grep -c . || true)
  say "✓ $healthy/$total nodes healthy: $n peers + 2 supernodes (compose up $((SECONDS - t1)) s, total $((SECONDS - t0)) s)"
  print_token "$(printf '%s\n' "$rows" | awk '$3 == "peer" && $1 != "-" {print $1; exit}')"
  if ((monitoring)); then
    say "✓ Prometheus: $(printf '%s\n' "$rows" | awk '$3 == "prometheus" {print $1}')  (UI: /classic/targets, /classic/alerts, /classic/graph)"
  fi
  printf '%s\n' "$rows" | awk '($3 == "peer" || $3 == "supernode") && $1 != "-" {print $1}'
}

# The local write token (scripts/setup.d/50-cluster-secrets.sh): HTTP writes need it (issue #15).
# To stderr with the other progress; the token itself is the last word of its line.
TOKEN_FILE=$ROOT/.peerweave/token
print_token() {
  local url=${1:-http://127.0.0.1:PORT}
  [[ -r $TOKEN_FILE ]] || { say "! no ${TOKEN_FILE}: run \`bash scripts/setup.sh\` to make the write token"; return 0; }
  say "✓ write token (${TOKEN_FILE#"$ROOT"/}): $(<"$TOKEN_FILE")"
  say "  peerweave put FILE      (the CLI reads .peerweave/token for the local cluster; or --token / PEERWEAVE_TOKEN)"
  say "  curl -T FILE -H \"Authorization: Bearer \$(cat .peerweave/token)\" $url/v1/objects"
}

cmd_ps() {
  need_docker
  local rows; rows=$(nodes)
  [[ -n $rows ]] || { say 'no cluster running (bash scripts/cluster.sh up [N])'; return 0; }
  printf '%s\n' "$rows" | awk '{printf "%-24s %-24s %s\n", $1, $2, ($5 == "-" ? $4 : $5)}'
  print_token "$(printf '%s\n' "$rows" | awk '$3 == "peer" && $1 != "-" {print $1; exit}')"
}

cmd_down() {
  need_docker
  : >"$LOG"
  local ids vols
  mapfile -t ids < <(project_containers)
  mapfile -t vols < <(containers_volumes "${ids[@]}")
  "${COMPOSE[@]}" "${ALL_PROFILES[@]}" down --volumes --remove-orphans >>"$LOG" 2>&1 || die 'docker compose down failed' log
  remove_volumes "${vols[@]}"
  say "✓ cluster removed (${#ids[@]} containers, network, ${#vols[@]} volumes)"
}

case ${1:-} in
  up) shift; (( $# <= 2 )) || usage; cmd_up "$@" ;;
  ps) cmd_ps ;;
  down) cmd_down ;;
  *) usage ;;
esac
