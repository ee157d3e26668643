#!/usr/bin/env bash
# Where the resource figures of deploy/kubernetes/ come from: a Compose cluster of 20 peers and
# 2 supernodes from peerweave:latest (the same image Kubernetes runs), measured per node
#   1. idle for 60 s after every node lists the other 21 alive: CPU from each container's cgroup,
#      RSS from each node's /metrics (process_resident_memory_bytes);
#   2. under a small load (8 clients: 200 puts of 256 KiB over the peers, one put of 64 MiB, a read
#      of every object through another peer, 20 searches): the same, plus `docker stats` samples;
#   3. what a node writes outside its /data volume (docker diff of every container);
#   4. a node with a read-only root filesystem, no /tmp, uid 1000, no capabilities and
#      no-new-privileges joins the cluster and serves the same kind of load.
# It prints one summary; scratch files go to a temporary folder. About 2 minutes. Heavy (22
# containers): run it alone, e.g. `flock /tmp/peerweave-heavy.lock bash deploy/kubernetes/measure-resources.sh`.
# Needs cgroup v1 (as on the project's machines) for the per-container CPU counters.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/bin:$PATH
PROJECT=pwk8smeasure
PEERS=20
OUT=$(mktemp -d /tmp/peerweave-k8s-measure.XXXXXX)
STATS_PID=
cleanup() {
  [[ -n $STATS_PID ]] && kill "$STATS_PID" 2>/dev/null || true
  docker rm -f -v pwk8s-readonly >/dev/null 2>&1 || true
  docker compose -p "$PROJECT" down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$OUT"
}
trap cleanup EXIT

cat >"$OUT/load.mjs" <<'EOF'
// argv: JSON list of node URLs, number of small puts. Prints a JSON summary.
import { randomBytes, createHash } from 'node:crypto';
const urls = JSON.parse(process.argv[2]);
const n = Number(process.argv[3]);
let next = 0, errors = 0, badReads = 0, searchesWithHits = 0;
const stored = [];
async function put(k, size) {
  const body = randomBytes(size);
  const r = await fetch(`${urls[k % urls.length]}/v1/objects?name=obj-${k}.bin&keywords=k8s,load${k % 10}`, { method: 'PUT', body });
  if (!r.ok) { errors++; await r.text(); return; }
  stored.push({ k, cid: (await r.json()).cid, sha: createHash('sha256').update(body).digest('hex') });
}
const pool = (fn) => Promise.all(Array.from({ length: 8 }, async () => { for (;;) { const k = next++; if (k >= n) return; await fn(k).catch(() => errors++); } }));
const t0 = Date.now();
await pool((k) => put(k, 256 * 1024));
await put(n, 64 * 1024 * 1024).catch(() => errors++);
next = 0;
await Promise.all(Array.from({ length: 8 }, async () => {
  for (;;) {
    const x = stored[next++]; if (!x) return;
    try {
      const r = await fetch(`${urls[(x.k + 7) % urls.length]}/v1/objects/${x.cid}`);
      const got = createHash('sha256').update(Buffer.from(await r.arrayBuffer())).digest('hex');
      if (!r.ok || got !== x.sha) badReads++;
    } catch { badReads++; }
  }
}));
for (let q = 0; q < 20; q++) {
  const r = await fetch(`${urls[q % urls.length]}/v1/search?q=load${q % 10}`);
  if (r.ok && (await r.json()).hits.length > 0) searchesWithHits++;
}
console.log(JSON.stringify({ puts: stored.length, errors, badReads, searchesWithHits, seconds: (Date.now() - t0) / 1000 }));
EOF

node_urls() { # service... -> JSON list of http://127.0.0.1:port
  local c
  for c in $(docker compose -p "$PROJECT" ps -q "$@"); do echo "\"http://$(docker port "$c" 8080/tcp | head -1)\""; done | paste -sd, - | sed 's/^/[/; s/$/]/'
}
cpu_ns() { local c; for c in $IDS; do echo "$c $(cat "/sys/fs/cgroup/cpuacct/docker/$(docker inspect -f '{{.Id}}' "$c")/cpuacct.usage")"; done; }
rss() { local c; for c in $IDS; do echo "$c $(curl -s "http://$(docker port "$c" 8080/tcp | head -1)/metrics" | awk '$1 == "process_resident_memory_bytes" {print $2}')"; done; }

t0=$SECONDS
PEERWEAVE_HEALTH_INTERVAL=2s docker compose -p "$PROJECT" up -d --scale peer=$PEERS --wait >/dev/null 2>&1
IDS=$(docker compose -p "$PROJECT" ps -q)
total=$(wc -w <<<"$IDS")
deadline=$((SECONDS + 120))
for u in $(node_urls | tr -d '[]"' | tr , ' '); do
  until (( $(curl -s "$u/v1/peers?state=alive" | node -pe 'JSON.parse(require("fs").readFileSync(0)).count' 2>/dev/null || echo 0) >= total - 1 )); do
    (( SECONDS < deadline )) || { echo "✗ $u never listed $((total - 1)) alive peers" >&2; exit 1; }
    sleep 1
  done
done
echo "cluster of $total nodes up and converged in $((SECONDS - t0)) s"

cpu_ns >"$OUT/cpu-idle-0"; s0=$(date +%s.%N)
sleep 60
cpu_ns >"$OUT/cpu-idle-1"; s1=$(date +%s.%N)
rss >"$OUT/rss-idle"

( while :; do docker stats --no-stream --format '{{.Name}} {{.CPUPerc}}' >>"$OUT/stats-load"; done ) & STATS_PID=$!
cpu_ns >"$OUT/cpu-load-0"; s2=$(date +%s.%N)
node "$OUT/load.mjs" "$(node_urls peer)" 200 >"$OUT/load.json"
cpu_ns >"$OUT/cpu-load-1"; s3=$(date +%s.%N)
kill "$STATS_PID"; STATS_PID=
rss >"$OUT/rss-load"
for c in $IDS; do docker diff "$c"; done | grep -v -e '^A /sbin$' -e '^A /sbin/docker-init$' >"$OUT/diff" || true

docker run -d --name pwk8s-readonly --network "${PROJECT}_mesh" --read-only -v /data -p 127.0.0.1::8080 \
  --user 1000:1000 --cap-drop ALL --security-opt no-new-privileges \
  -e PEERWEAVE_ROLE=peer -e PEERWEAVE_JOIN=peer peerweave:latest >/dev/null
ro="http://$(docker port pwk8s-readonly 8080/tcp | head -1)"
deadline=$((SECONDS + 60))
until curl -sf "$ro/readyz" >/dev/null; do (( SECONDS < deadline )) || { echo '✗ read-only node never Ready' >&2; exit 1; }; sleep 0.5; done
node "$OUT/load.mjs" "[\"$ro\"]" 30 >"$OUT/load-readonly.json"
docker logs pwk8s-readonly 2>&1 | grep -ciE 'EROFS|read-only file system|"level":(50|60)' >"$OUT/readonly-errors" || true

OUT=$OUT S0=$s0 S1=$s1 S2=$s2 S3=$s3 node --input-type=module <<'EOF'
import { readFileSync } from 'node:fs';
const out = process.env.OUT;
const table = (f) => new Map(readFileSync(`${out}/${f}`, 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const mcores = (a, b, secs) => { const x = table(a), y = table(b); return [...x.keys()].map((k) => (y.get(k) - x.get(k)) / 1e6 / secs); };
const [s0, s1, s2, s3] = ['S0', 'S1', 'S2', 'S3'].map((k) => Number(process.env[k]));
const idle = mcores('cpu-idle-0', 'cpu-idle-1', s1 - s0), load = mcores('cpu-load-0', 'cpu-load-1', s3 - s2);
const mib = (f) => [...table(f).values()].map((b) => b / 2 ** 20);
const peak = readFileSync(`${out}/stats-load`, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1].replace('%', '')) / 100);
const f = (xs, unit) => `p50 ${pct(xs, 0.5).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} ${unit}`;
console.log(`CPU per node, idle ${(s1 - s0).toFixed(0)} s: ${f(idle, 'mcores')}`);
console.log(`CPU per node, load ${(s3 - s2).toFixed(0)} s: ${f(load, 'mcores')} (highest docker stats sample ${Math.max(...peak).toFixed(2)} core)`);
console.log(`RSS per node, idle: ${f(mib('rss-idle'), 'MiB')}; after the load: ${f(mib('rss-load'), 'MiB')}`);
console.log(`load: ${readFileSync(`${out}/load.json`, 'utf8').trim()}`);
const diff = readFileSync(`${out}/diff`, 'utf8').trim();
console.log(`files written outside /data: ${diff === '' ? 'none' : `\n${diff}`}`);
console.log(`read-only node: ${readFileSync(`${out}/load-readonly.json`, 'utf8').trim()}, error lines in its log: ${readFileSync(`${out}/readonly-errors`, 'utf8').trim()}`);
EOF
