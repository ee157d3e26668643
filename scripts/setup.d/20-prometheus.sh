# shellcheck shell=bash
# Sourced by scripts/setup.sh. The Prometheus image of the Compose profile `monitoring`
# (docker-compose.yml), whose promtool also runs the rule checks and rule unit tests of the test
# command (scripts/prometheus-rules.spec.ts).
#
# No container registry answers here, so the image is made the way the base image is: from Debian
# bookworm's `prometheus` package (2.42, a dynamic Go binary needing only libc and the loader) and
# the packages its web UI links to (libjs-*, fonts-*), downloaded with `apt-get download` and
# unpacked with `dpkg-deb -x`. Nothing is installed on the host and no service starts; the image is
# FROM scratch (no shell: exec-form commands only). Where a registry answers, the upstream image
# (prom/prometheus) runs deploy/prometheus/ the same way.
#
# Checks first: `docker image inspect` of the image and its label org.peerweave.prometheus-hash,
# the hash of this file (the recipe). A second run only checks; a changed recipe rebuilds.

PROMETHEUS_IMAGE=peerweave-prometheus:latest
PROMETHEUS_HASH_LABEL=org.peerweave.prometheus-hash
PROMETHEUS_RECIPE=${BASH_SOURCE[0]}

prometheus_recipe_hash() { sha256sum "$PROMETHEUS_RECIPE" | cut -c1-16; }

# The packages to unpack: prometheus and everything its Depends pull in for the web UI.
prometheus_packages() {
  echo prometheus
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances prometheus 2>/dev/null \
    | grep -E '^(libjs-|fonts-)' | sort -u
}

build_prometheus_image() {
  local want=$1 tmp
  tmp=$(mktemp -d /tmp/peerweave-prometheus.XXXXXX)
  mkdir -p "$tmp/debs" "$tmp/ctx/rootfs" "$tmp/ctx/data"
  chown _apt "$tmp/debs" 2>/dev/null || true # apt downloads as _apt when it can write there
  apt_update_once
  local packages
  mapfile -t packages < <(prometheus_packages)
  (( ${#packages[@]} > 1 )) || die "apt-cache knows no web UI packages for prometheus (apt lists broken?)"
  run "apt-get download prometheus (+${#packages[@]} UI packages)" bash -c 'cd "$1" && shift && apt-get download "$@"' _ "$tmp/debs" "${packages[@]}"
  local deb rootfs=$tmp/ctx/rootfs
  for deb in "$tmp"/debs/*.deb; do run "dpkg-deb -x $(basename "$deb")" dpkg-deb -x "$deb" "$rootfs"; done
  # What a container does not need: docs, man pages, init scripts and units, Debian's defaults.
  rm -rf "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/lintian "$rootfs"/etc/init.d \
    "$rootfs"/etc/default "$rootfs"/etc/logrotate.d "$rootfs"/lib/systemd "$rootfs"/var
  # The UI loads one file of libjs-moment-timezone; its per-zone data (212 MB) is for Node users.
  rm -rf "$rootfs"/usr/share/javascript/moment-timezone/data
  [[ -x $rootfs/usr/bin/prometheus && -x $rootfs/usr/bin/promtool ]] || die "the prometheus package has no usr/bin/prometheus or promtool"
  # The binaries are dynamic: their libraries (libc) and the loader, from the host (same bookworm).
  mkdir -p "$rootfs"/lib/x86_64-linux-gnu "$rootfs"/lib64 "$rootfs"/tmp "$rootfs"/etc/prometheus
  local lib
  for lib in $(ldd "$rootfs/usr/bin/prometheus" "$rootfs/usr/bin/promtool" | awk '/=>/ {print $3}' | sort -u); do
    cp -L "$lib" "$rootfs/lib/x86_64-linux-gnu/"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"
  chmod 1777 "$rootfs/tmp"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  # Without a mounted config: Prometheus scrapes itself (docker-compose.yml mounts deploy/prometheus).
  printf 'global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [127.0.0.1:9090]\n' \
    >"$rootfs/etc/prometheus/prometheus.yml"
  local version
  version=$(dpkg-deb -f "$tmp"/debs/prometheus_*.deb Version)
  cat >"$tmp/ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
# The TSDB, writable by the runtime user (nobody, as in the upstream image); one anonymous volume per container.
COPY --chown=65534:65534 data/ /prometheus/
VOLUME /prometheus
WORKDIR /prometheus
USER 65534:65534
EXPOSE 9090
# Shell-free: promtool asks the server's query API (an exec of a static-ish Go binary, like the nodes' C probe).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/usr/bin/promtool", "query", "instant", "http://127.0.0.1:9090", "vector(1)"]
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF
  # BuildKit, no --pull: FROM scratch needs no registry.
  run "docker build -t $PROMETHEUS_IMAGE" env DOCKER_BUILDKIT=1 docker build \
    --label "$PROMETHEUS_HASH_LABEL=$want" --label "org.peerweave.prometheus-version=$version" -t "$PROMETHEUS_IMAGE" "$tmp/ctx"
  rm -rf "$tmp"
  docker image prune -f --filter "label=$PROMETHEUS_HASH_LABEL" >>"$LOG" 2>&1 || true
  run "smoke test of $PROMETHEUS_IMAGE" docker run --rm --entrypoint /usr/bin/promtool "$PROMETHEUS_IMAGE" --version
}

ensure_prometheus() {
  if [[ ${PEERWEAVE_SETUP_SKIP_IMAGE:-} == 1 ]]; then ok "image $PROMETHEUS_IMAGE skipped (PEERWEAVE_SETUP_SKIP_IMAGE=1)"; return; fi
  local want have
  want=$(prometheus_recipe_hash)
  have=$(docker image inspect -f "{{ index .Config.Labels \"$PROMETHEUS_HASH_LABEL\" }}" "$PROMETHEUS_IMAGE" 2>/dev/null || true)
  if [[ $have == "$want" ]]; then
    ok "image $PROMETHEUS_IMAGE up to date ($(docker image inspect -f '{{ index .Config.Labels "org.peerweave.prometheus-version" }}' "$PROMETHEUS_IMAGE"))"
    return
  fi
  local t0; t0=$(now)
  doing "building image $PROMETHEUS_IMAGE from Debian's prometheus package ($([[ -n $have ]] && echo 'its recipe changed' || echo 'not built yet'))"
  build_prometheus_image "$want"
  ok "image $PROMETHEUS_IMAGE built ($(docker image inspect -f '{{.Size}}' "$PROMETHEUS_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}'), $(since "$t0"))"
}

EXTRA_STEPS+=(ensure_prometheus)
