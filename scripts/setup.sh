#!/usr/bin/env bash
# shellcheck disable=SC2016 # single quotes around $ and backticks are intentional (bash -c, node -e, messages)
# Machine setup, build and image for Peerweave. Idempotent: every step checks first and only acts
# when something is missing, so a second run only checks (a few seconds).
#
#   bash scripts/setup.sh                            # as root on Debian 12 (bookworm)
#   PEERWEAVE_SETUP_SKIP_IMAGE=1 bash scripts/setup.sh   # everything but `docker build` (unit-only runs)
#
# Steps and how each detects its state:
#   1. Debian + root                 /etc/os-release ID=debian, `id -u` = 0
#   2. Node >= 22                    `node` on PATH; else `npm install -g --prefix /usr/local node@24`
#   3. node_modules                  stamp node_modules/.peerweave-setup.stamp = sha256(package-lock.json);
#                                    else npm's node_modules/.package-lock.json not older than the lock
#                                    (an `npm install` run by hand); else `npm ci`
#   4. docker engine, Compose v2, buildx
#                                    `dockerd` on PATH / `docker compose version` / `docker buildx version`;
#                                    Compose and buildx come from Debian trixie's .debs (not in bookworm),
#                                    fetched through a private sources list; the system's is never changed
#   5. dockerd running               `docker info`; else start it (setsid, /var/log/dockerd.log) and poll
#   6. base image node:24-bookworm-slim
#                                    `docker image inspect`; else `docker pull` (short timeout); else
#                                    build it locally: the host's Node 24 + its shared libraries, no shell
#   7. C toolchain (gcc, libc6-dev)  `gcc` on PATH and libc6-dev installed (dpkg); else apt-get install:
#                                    the image's health probe is a static C binary built on the host
#   8. dist/ and peerweave:latest    `node scripts/build.ts` every run (~0.1 s); the image only when the
#                                    hash of its inputs differs from its label org.peerweave.build-hash
#   9+. scripts/setup.d/*.sh         further tools (each file says what it installs and how it checks)
#
# Quiet: one line per step; the full output of every command goes to $LOG, whose last lines are
# printed when a step fails.
set -Eeuo pipefail
umask 022

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG=${PEERWEAVE_SETUP_LOG:-/tmp/peerweave-setup.log}
BASE_IMAGE=node:24-bookworm-slim
IMAGE=peerweave:latest
HASH_LABEL=org.peerweave.build-hash
STAMP=$ROOT/node_modules/.peerweave-setup.stamp
DOCKERD_LOG=/var/log/dockerd.log
DOCKERD_PIDFILE=/var/run/docker.pid
DOCKERD_WAIT_S=60
PULL_TIMEOUT_S=15
export DEBIAN_FRONTEND=noninteractive

ok() { printf '✓ %s\n' "$*"; }
doing() { printf '→ %s\n' "$*"; }
die() {
  printf '✗ %s\n' "$1" >&2
  if [[ ${2:-} == log && -s $LOG ]]; then
    printf '  last lines of %s:\n' "$LOG" >&2
    tail -n 25 "$LOG" | sed 's/^/  | /' >&2
  fi
  exit 1
}
# run <what> <command...>: the command's output goes to the log; on failure, say what and show the log.
run() {
  local what=$1; shift
  printf '\n$ %s\n' "$*" >>"$LOG"
  # 9>&-: fd 9 holds the setup lock; a daemon started from here (dockerd by docker.io's postinst)
  # must not inherit it, or every later run would wait for that daemon.
  "$@" >>"$LOG" 2>&1 9>&- || die "$what failed (full log: $LOG)" log
}
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f s", e - s }'; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------- 1
check_platform() {
  local id=''
  # shellcheck disable=SC1091
  [[ -r /etc/os-release ]] && id=$(. /etc/os-release && echo "${ID:-}")
  if [[ $id != debian || $(id -u) -ne 0 ]]; then
    printf '✗ scripts/setup.sh needs root on Debian 12 (bookworm), found OS "%s" and uid %s: run it as root on Debian (sudo bash scripts/setup.sh).\n' \
      "${id:-unknown}" "$(id -u)" >&2
    exit 1
  fi
}

# ---------------------------------------------------------------------------------------------- 2
ensure_node() {
  case ":$PATH:" in *:/usr/local/bin:*) ;; *) export PATH=/usr/local/bin:$PATH ;; esac
  local major; major=$(node_major)
  if (( major >= 22 )); then ok "node $(node --version) ($(command -v node))"; return; fi
  command -v npm >/dev/null || die "node ${major} is too old (need >= 22) and there is no npm to install node@24 with"
  local t0 old_node; t0=$(now); old_node=$(command -v node || true)
  doing "installing node@24 into /usr/local (found ${old_node:-no node}${old_node:+ v$major})"
  run 'npm install -g --prefix /usr/local node@24' npm install -g --prefix /usr/local node@24
  hash -r
  if (( $(node_major) < 22 )) && [[ -n $old_node && -f /usr/local/lib/node_modules/node/installArchSpecificPackage.js ]]; then
    # npm may skip the package's preinstall script, which is what fetches the binary in some versions.
    run 'node@24 preinstall script' bash -c "cd /usr/local/lib/node_modules/node && '$old_node' installArchSpecificPackage"
    hash -r
  fi
  major=$(node_major)
  (( major >= 22 )) || die "node@24 installed, but \`node\` on PATH is still v${major} ($(command -v node)): expected /usr/local/bin/node"
  ok "node $(node --version) installed ($(command -v node), $(since "$t0"))"
}

# ---------------------------------------------------------------------------------------------- 3
ensure_node_modules() {
  local lock=$ROOT/package-lock.json want have=''
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [[ -d $ROOT/node_modules ]]; then
    [[ -f $STAMP ]] && have=$(<"$STAMP")
    if [[ $have == "$want" ]]; then ok 'node_modules up to date'; return; fi
    if [[ -f $ROOT/node_modules/.package-lock.json && ! $lock -nt $ROOT/node_modules/.package-lock.json ]]; then
      echo "$want" >"$STAMP"; ok 'node_modules up to date (installed by npm after the last lock change)'; return
    fi
  fi
  local t0; t0=$(now)
  local why='node_modules missing'
  [[ -d $ROOT/node_modules ]] && why='package-lock.json changed since the last install'
  doing "npm ci ($why)"
  if command -v flock >/dev/null; then
    run 'npm ci' flock /tmp/npm.lock npm ci --no-audit --no-fund
  else
    run 'npm ci' npm ci --no-audit --no-fund
  fi
  echo "$want" >"$STAMP"
  ok "node_modules installed ($(since "$t0"))"
}

# ---------------------------------------------------------------------------------------------- 4
APT_UPDATED=0
apt_update_once() {
  (( APT_UPDATED )) && return
  run 'apt-get update' apt-get update
  APT_UPDATED=1
}

# The Debian mirror the machine's own apt sources use for the main archive (deb822 or one-line).
debian_mirror() {
  local suite uri=''
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk -v suite="$suite" '
      function flush() { if (!found && uris != "" && (" " suites " ") ~ (" " suite " ")) { split(uris, u, " "); print u[1]; found = 1 } uris = ""; suites = "" }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "uris:"   { $1 = ""; uris = $0 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      END { flush() }' "$f")
    [[ -n $uri ]] && break
  done
  if [[ -z $uri ]]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk -v suite="$suite" '
      $1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }')
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# install_trixie_debs <package...>: download from trixie with a private sources list, then dpkg -i.
install_trixie_debs() {
  local dir=/tmp/peerweave-trixie mirror
  mirror=$(debian_mirror)
  mkdir -p "$dir/lists/partial" "$dir/debs"
  chown _apt "$dir/debs" 2>/dev/null || true # apt downloads as _apt when it can write there
  echo "deb $mirror trixie main" >"$dir/trixie.list"
  local opts=(-o "Dir::Etc::SourceList=$dir/trixie.list" -o Dir::Etc::SourceParts=- -o "Dir::State::Lists=$dir/lists")
  run "apt-get update (trixie, $mirror)" apt-get "${opts[@]}" update
  rm -f "$dir"/debs/*.deb
  run "apt-get download $*" bash -c 'cd "$1" && shift && apt-get "$@"' _ "$dir/debs" "${opts[@]}" download "$@"
  run "dpkg -i $*" bash -c 'dpkg -i "$1"/*.deb' _ "$dir/debs"
}

ensure_docker_packages() {
  local t0
  if command -v dockerd >/dev/null; then
    ok "docker engine installed ($(dockerd --version 2>/dev/null | sed 's/^Docker version //; s/,.*//'))"
  else
    t0=$(now); doing 'installing docker.io (engine 20.10, containerd, runc)'
    apt_update_once
    run 'apt-get install docker.io' apt-get install -y --no-install-recommends docker.io
    hash -r
    command -v dockerd >/dev/null || die 'docker.io installed but dockerd is not on PATH'
    ok "docker engine installed ($(since "$t0"))"
  fi
  local missing=()
  docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
  docker buildx version >/dev/null 2>&1 || missing+=(docker-buildx)
  if (( ${#missing[@]} )); then
    t0=$(now); doing "installing ${missing[*]} from Debian trixie (not in bookworm)"
    install_trixie_debs "${missing[@]}"
  fi
  docker compose version >/dev/null 2>&1 || die "docker compose still not working after installing ${missing[*]:-nothing} (log: $LOG)" log
  docker buildx version >/dev/null 2>&1 || die "docker buildx still not working after installing ${missing[*]:-nothing} (log: $LOG)" log
  ok "compose $(docker compose version --short 2>/dev/null), buildx $(docker buildx version 2>/dev/null | awk '{print $2}')${missing[*]:+ installed ($(since "$t0"))}"
}

# ---------------------------------------------------------------------------------------------- 5
docker_answers() { timeout 10 docker info >/dev/null 2>&1; }

ensure_dockerd() {
  if docker_answers; then
    ok "docker engine $(docker version -f '{{.Server.Version}}' 2>/dev/null) running"; return
  fi
  local t0; t0=$(now)
  if [[ -s $DOCKERD_PIDFILE ]] && kill -0 "$(cat "$DOCKERD_PIDFILE")" 2>/dev/null; then
    doing "dockerd is running but not answering yet; waiting up to ${DOCKERD_WAIT_S} s"
  else
    doing "starting dockerd (log: $DOCKERD_LOG)"
    # Closes every inherited descriptor above 2, not only the setup lock (fd 9): a caller's own lock
    # (`flock some.lock bash scripts/setup.sh` passes it as fd 3) would otherwise be held by the
    # daemon for as long as it runs, and every later `flock` on it would wait forever.
    (
      for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        if (( fd > 2 )); then eval "exec $fd>&-"; fi
      done
      exec setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null
    ) &
  fi
  local deadline=$((SECONDS + DOCKERD_WAIT_S))
  until docker_answers; do
    if (( SECONDS >= deadline )); then
      printf '✗ dockerd did not answer `docker info` within %s s; last lines of %s:\n' "$DOCKERD_WAIT_S" "$DOCKERD_LOG" >&2
      tail -n 15 "$DOCKERD_LOG" 2>/dev/null | sed 's/^/  | /' >&2
      exit 1
    fi
    sleep 0.5
  done
  ok "docker engine $(docker version -f '{{.Server.Version}}' 2>/dev/null) running ($(since "$t0"))"
}

# ---------------------------------------------------------------------------------------------- 6
# The upstream image has no registry here, so import an equivalent: the host's Node 24 binary, its
# shared libraries and the dynamic loader; no shell, no package manager (exec-form commands only).
build_local_base() {
  local node major tmp
  node=$(readlink -f "$(command -v node)")
  major=$(node_major)
  [[ $major == 24 ]] || die "no registry answers for $BASE_IMAGE and the host's node is v$major: building it locally needs Node 24 on the host"
  tmp=$(mktemp -d /tmp/peerweave-base.XXXXXX)
  local rootfs=$tmp/rootfs
  mkdir -p "$rootfs"/usr/local/bin "$rootfs"/lib/x86_64-linux-gnu "$rootfs"/lib64 "$rootfs"/tmp "$rootfs"/etc "$rootfs"/home/node
  chmod 1777 "$rootfs/tmp"
  cp "$node" "$rootfs/usr/local/bin/node"
  local lib
  for lib in $(ldd "$node" | awk '/=>/ {print $3}'); do cp -L "$lib" "$rootfs/lib/x86_64-linux-gnu/"; done
  cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  # Like the upstream image: user `node` = 1000:1000 (os.userInfo() and HOME work for USER 1000).
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000::/home/node:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
  chown 1000:1000 "$rootfs/home/node"
  printf '\n$ tar -C %s -c . | docker import ... %s\n' "$rootfs" "$BASE_IMAGE" >>"$LOG"
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c 'CMD ["node"]' - "$BASE_IMAGE" >>"$LOG" 2>&1 \
    || die "docker import of $BASE_IMAGE failed (full log: $LOG)" log
  rm -rf "$tmp"
  run "smoke test of $BASE_IMAGE" docker run --rm "$BASE_IMAGE" node -e 'console.log(process.version)'
}

ensure_base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then ok "base image $BASE_IMAGE present"; return; fi
  local t0; t0=$(now)
  doing "base image $BASE_IMAGE missing: trying docker pull (${PULL_TIMEOUT_S} s)"
  printf '\n$ docker pull %s\n' "$BASE_IMAGE" >>"$LOG"
  if timeout "$PULL_TIMEOUT_S" docker pull "$BASE_IMAGE" >>"$LOG" 2>&1; then
    ok "base image $BASE_IMAGE pulled ($(since "$t0"))"; return
  fi
  doing "no registry answers: building $BASE_IMAGE from the host's node $(node --version)"
  build_local_base
  ok "base image $BASE_IMAGE built locally ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}'), $(since "$t0"))"
}

# ---------------------------------------------------------------------------------------------- 7
# deploy/docker/healthcheck/healthcheck.c is compiled by scripts/build.ts with `gcc -static`, which
# needs libc6-dev's headers and libc.a as well as the compiler.
ensure_c_toolchain() {
  local missing=()
  command -v gcc >/dev/null || missing+=(gcc)
  dpkg-query -W -f='${Status}' libc6-dev 2>/dev/null | grep -q 'install ok installed' || missing+=(libc6-dev)
  # jemalloc: scripts/build.ts copies Debian's libjemalloc.so.2 into dist/ and the image preloads
  # it (see the Dockerfile: glibc keeps the free pages a burst leaves between live chunks).
  dpkg-query -W -f='${Status}' libjemalloc2 2>/dev/null | grep -q 'install ok installed' || missing+=(libjemalloc2)
  if (( ${#missing[@]} == 0 )); then ok "C toolchain and jemalloc present ($(gcc -dumpfullversion 2>/dev/null || echo gcc))"; return; fi
  local t0; t0=$(now); doing "installing ${missing[*]} (the health probe is a static C binary; the image preloads jemalloc)"
  apt_update_once
  run "apt-get install ${missing[*]}" apt-get install -y --no-install-recommends "${missing[@]}"
  hash -r
  command -v gcc >/dev/null || die "${missing[*]} installed but gcc is not on PATH"
  ok "C toolchain and jemalloc installed ($(since "$t0"))"
}

# ---------------------------------------------------------------------------------------------- 8
# Everything `docker build` reads (.dockerignore lets only these in) plus the base image's id.
image_inputs_hash() {
  {
    (cd "$ROOT" && find dist deploy/docker/empty -type f ! -name .gitkeep -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    (cd "$ROOT" && sha256sum Dockerfile .dockerignore)
    (cd "$ROOT" && find dist deploy/docker/empty -type d | LC_ALL=C sort)
    docker image inspect -f '{{.Id}}' "$BASE_IMAGE"
  } | sha256sum | cut -c1-16
}

build_all() {
  local t0; t0=$(now)
  printf '\n$ node scripts/build.ts\n' >>"$LOG"
  local out
  out=$(cd "$ROOT" && node scripts/build.ts 2>&1) || { printf '%s\n' "$out" >>"$LOG"; die "node scripts/build.ts failed (full log: $LOG)" log; }
  printf '%s\n' "$out" >>"$LOG"
  ok "dist/ built ($(printf '%s\n' "$out" | awk '/dist\/ total/ {print $1, $2}'), $(since "$t0"))"

  if [[ ${PEERWEAVE_SETUP_SKIP_IMAGE:-} == 1 ]]; then ok "image $IMAGE skipped (PEERWEAVE_SETUP_SKIP_IMAGE=1)"; return; fi
  local want have old
  want=$(image_inputs_hash)
  have=$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$IMAGE" 2>/dev/null || true)
  if [[ $have == "$want" ]]; then ok "image $IMAGE up to date ($want)"; return; fi
  t0=$(now)
  old=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  local why='not built yet'
  if [[ -n $have ]]; then why='its inputs changed'; elif [[ -n $old ]]; then why='built without setup.sh, no input hash'; fi
  doing "building image $IMAGE ($why)"
  # BuildKit with both the 20.10 CLI and a newer one; no --pull, and the Dockerfile has no # syntax=.
  run "docker build -t $IMAGE" env DOCKER_BUILDKIT=1 docker build --label "$HASH_LABEL=$want" -t "$IMAGE" "$ROOT"
  # Replaced images stay behind as <none>: drop ours (by label) that no container uses any more.
  docker image prune -f --filter "label=$HASH_LABEL" >>"$LOG" 2>&1 || true
  ok "image $IMAGE built ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}'), $(since "$t0"))"
}

# Further steps, one file each in scripts/setup.d/ (sourced in name order): each defines its
# `ensure_*` functions with the helpers above (ok, doing, run, die, apt_update_once) and appends
# them to EXTRA_STEPS; they run after the image is built, in that order, and are idempotent too.
EXTRA_STEPS=()
for step_file in "$(dirname "${BASH_SOURCE[0]}")"/setup.d/*.sh; do
  [[ -e $step_file ]] || continue
  # shellcheck source=/dev/null
  source "$step_file"
done

main() {
  check_platform
  exec 9>/tmp/peerweave-setup.lock
  if ! flock -n 9; then doing 'another scripts/setup.sh is running; waiting for it'; flock 9; fi
  : >"$LOG"
  local t0; t0=$(now)
  ensure_node
  ensure_node_modules
  ensure_docker_packages
  ensure_dockerd
  ensure_base_image
  ensure_c_toolchain
  build_all
  local step
  for step in "${EXTRA_STEPS[@]}"; do "$step"; done
  ok "setup done in $(since "$t0") (log: $LOG)"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
