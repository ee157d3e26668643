# Peerweave node image (peer and supernode: same image, PEERWEAVE_ROLE picks the role).
#
# Built by scripts/setup.sh after `node scripts/build.ts`: everything is bundled on the host into
# dist/, so this image needs no npm, no shell and no RUN. The base `node:24-bookworm-slim` is either
# the upstream image or, where no registry answers, a shell-less local import of the host's Node 24
# (see scripts/setup.sh). Hence: exec-form CMD/HEALTHCHECK only, never a RUN.
FROM node:24-bookworm-slim

# LD_PRELOAD: jemalloc (Debian's libjemalloc2, copied from the host into dist/ by scripts/build.ts)
# instead of glibc's malloc, for every process of the image. After a burst glibc keeps the free pages
# that lie between live chunks (only malloc_trim(3) returns them, and Node has no binding for it);
# jemalloc gives dirty pages back on its own after dirty_decay_ms. Measured with the quiet bench
# (2026-12-05, one container, 10 000 x 4 KiB puts, idle after): RSS 1.18x its empty-store value with
# glibc, 1.06-1.07x with jemalloc (mimalloc 2.0.9, Debian's: 1.18x). background_thread: purging
# needs it, an idle node allocates too little to trigger it (without: 1.18x); it sleeps while there
# is nothing to purge (6 local nodes idled at 0.43 % of a core each with it, 0.45 % on glibc).
# narenas:2 as glibc's arena_max=2 was: fewer arenas, less memory held per thread.
# GLIBC_TUNABLES only matter where LD_PRELOAD is overridden (mmap/trim thresholds for bulk block
# transfer, docs PERFORMANCE.md; arena_max=2 for the reason above).
ENV NODE_ENV=production \
    PEERWEAVE_DATA_DIR=/data \
    LD_PRELOAD=/app/lib/peer/libjemalloc.so.2 \
    MALLOC_CONF=narenas:2,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0 \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=67108864:glibc.malloc.arena_max=2

# /data owned by the runtime user, made without RUN: copy an empty directory with --chown.
COPY --chown=1000:1000 deploy/docker/empty/ /data/
# One anonymous volume per container (also per Compose replica) unless a volume is mounted there.
VOLUME /data

COPY dist/ /app/

USER 1000:1000
# 8080 HTTP API + IPFS gateway subset + /healthz + /metrics; 7400 gRPC between nodes.
EXPOSE 8080 7400

# The probe is a static C binary (deploy/docker/healthcheck/healthcheck.c, built into dist/ on the
# host): GET /healthz on PEERWEAVE_HTTP_PORT, exit 0 on 2xx, 1 otherwise or after 2 s. Measured here
# (engine 20.10, runc 1.1), a probe costs ~15 ms CPU in the container's cgroup (the Node probe it
# replaced: ~43 ms) and ~45 ms host-wide (Node: ~75 ms). The binary's own share is ~0.6 ms; the rest
# is the engine's exec (runc's init inside the cgroup; runc, containerd and dockerd outside), the same
# for any probe, so the interval sets the cost. At 10 s a node in a cluster, idling at ~19 ms/s,
# spends ~1.7 ms/s (~9 %) on it, ~5 ms/s host-wide; at 2 s ~8 and ~22 ms/s. Engine 20.10 has no
# start_interval: the first probe runs one interval after start, so the interval is also the least
# that `docker compose up --wait` and Testcontainers' health-check wait take.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/app/lib/peer/healthcheck"]

# No source maps by default: Node parses the map of every loaded file at start, ~10-15 MiB of an
# idle node's ~113 MiB RSS (measured, Node 24), though scripts/build.ts keeps only libs/ and apps/
# in it. Stack traces still name every function (identifiers are not minified). For traces with our
# file and line, run with `-e NODE_OPTIONS=--enable-source-maps`: the maps ship beside the bundle.
#
# --max-semi-space-size=2 (MiB): V8 grows the young generation to 16 MiB semi-spaces under a burst
# of requests and the old generation it promotes into stays sized for the burst. Measured after
# 6 000 puts of 4 KiB to one node (2026-12-05, bench-free check on the 2-core VM): idle RSS 289 MiB
# by default, 199 MiB with 2 MiB; idle RSS before any put 114 -> 102 MiB; puts/s within the run's
# noise (713 vs 759). Scavenges are more frequent but each is small.
# Tried again with 8 (2026-12-06), since the memory release now ends a burst with a collection
# that also shrinks the young generation: one node's idle RSS empty / after 10 000 puts 83.5 / 97.1
# MiB against 83.2 / 96.5 with 2 (local, from the bundle). On 10 node processes under 32 clients it
# cut the cluster's CPU per 4 KiB put 10.4 -> 9.1 ms and per read 2.9 -> 2.4 ms (3 alternated
# rounds, means), but in the 22-container cluster, where each node sees a twentieth of that load,
# 121 puts/s and 376 reads/s (12.5 / 3.8 ms net CPU each) are the 2 MiB image's figures within
# their spread, and the 512 MiB datapath read showed no CPU change, its reader's RSS growth
# +82 / +68 MiB against +57 / +76 (+115 / +104 with 16). Not taken.
#
# --bytecode-old-age=1 (V8's default 6): bytecode of a function that has not run since the last
# full GC is flushed at the next one (and compiled again if it ever runs). What start-up and a burst
# compiled and will not run again (configuration, schema compilation, the importer) then leaves the
# heap at the node's memory release. Quiet bench, one container on jemalloc (2026-12-05): idle RSS
# 92.9 -> 91.1 MiB; after 10 000 puts the live heap 26-32 -> 26.5 MiB, RSS 1.08-1.11x -> 1.08x the
# empty store's; CPU per put the same (one node from the bundle, two runs each: 0.95 and 0.91 ms with it,
# 0.95 ms without once the machine was quiet). Not taken: --max-opt=2 (no TurboFan: its ~5.6 MiB
# of the Node binary's code never resident, but the streamed put's CPU per MiB rose 11.7 -> 14.8 ms
# in one run; 2026-12-06, with --flush-baseline-code, 512 MiB datapath, 2 pairs alternated: read
# 73.6 / 74.2 against 85.6 / 84.3 MB/s, the holders' CPU per MiB 11.1 / 11.0 against 9.8 / 10.1 ms).
#
# --flush-baseline-code: with it, a function flushed as above also loses its Sparkplug (baseline)
# machine code, which otherwise keeps its bytecode alive and is never flushed: a burst's compiled
# code leaves the heap at the memory release too. Measured (2026-12-07, one container, r = w = 1,
# 10 000 x 4 KiB puts, idle after the release, 2 runs each alternated): V8's code space 1.21 -> 0.29
# MiB empty and 2.6 -> 0.9 MiB after the puts, RSS -1.5 MiB empty and -2.5 MiB after; CPU per put
# within the runs' spread (1.39-2.39 against 1.39-1.95 ms; the machine was noisy). A function run
# again is compiled again, cheaply (Sparkplug compiles from bytecode in one pass).
#
# --no-concurrent-osr: a loop hot enough for on-stack replacement is compiled on the main thread, at
# once, instead of in the background while it keeps running. In the background, the loop ran on long
# enough to ask for TurboFan as well: at start, proto-loader encoding the protocol descriptors
# (protobufjs Writer.finish) reached TurboFan by OSR in 3 of 5 starts, and one TurboFan compilation
# makes ~5 MiB of the Node binary's compiler code resident for the process's life (issue #12). With
# it, an idle node starts without TurboFan: one node from the bundle (2026-12-06, 2 runs) 83.9 and
# 83.9 MiB, its binary's resident pages 49.5 MiB, against 88.4-89.7 and 54.4-54.8 MiB without.
# TurboFan still optimises what runs hot later (a put burst); only OSR compilations, few and short
# (0.3-2 ms), move to the main thread.
#
# --external-memory-accounted-in-global-limit: Buffers (memory outside V8's heap) count toward the
# heap's one growth limit, instead of V8's separate rule for them, which starts a full collection
# each time they grow by 64 MiB since the last one. A node moving blocks allocates Buffers at the
# rate it moves bytes (frames, sockets, reads), so under that rule it collected its whole heap every
# second or so for nothing: a holder serving a 256 MiB read ran 6-11 mark-compacts, 1 with the flag
# (--trace-gc, 2026-12-06). Datapath bench, 512 MiB on node processes from the bundle, 3 pairs
# alternated (flag / none): holders' CPU per MiB served 5.6 / 5.7 / 7.0 against 11.2 / 10.4 /
# 10.1 ms; read 113 / 101 / 93 against 82 / 86 / 92 MB/s; the reader's RSS growth +77 / +75 / +80
# against +95 / +108 / +88 MiB; put uploader 12.1 / 14.0 / 12.9 against 17.4 / 15.2 / 14.3 ms per
# MiB. 4 KiB puts and reads on 10 processes, and one node's RSS after 10 000 puts: the same within
# the runs' spread, with the same collections counted.
CMD ["node", "--max-semi-space-size=2", "--bytecode-old-age=1", "--flush-baseline-code", "--no-concurrent-osr", "--external-memory-accounted-in-global-limit", "/app/lib/peer/main.mjs"]
