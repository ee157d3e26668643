# Peerweave node image (peer and supernode: same image, PEERWEAVE_ROLE picks the role).
#
# Built by scripts/setup.sh after `node scripts/build.ts`: everything is bundled on the host into
# dist/, so this image needs no npm, no shell and no RUN. The base `node:24-bookworm-slim` is either
# the upstream image or, where no registry answers, a shell-less local import of the host's Node 24
# (see scripts/setup.sh). Hence: exec-form CMD/HEALTHCHECK only, never a RUN.
FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    PEERWEAVE_DATA_DIR=/data \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=67108864

# /data owned by the runtime user, made without RUN: copy an empty directory with --chown.
COPY --chown=1000:1000 deploy/docker/empty/ /data/
# One anonymous volume per container (also per Compose replica) unless a volume is mounted there.
VOLUME /data

COPY dist/ /app/

USER 1000:1000
# 8080 HTTP API + IPFS gateway subset + /healthz + /metrics; 7400 gRPC between nodes.
EXPOSE 8080 7400

HEALTHCHECK --interval=2s --timeout=3s --start-period=10s --retries=3 \
    CMD ["node", "/app/lib/peer/healthcheck.mjs"]

# Source-mapped stack traces for our own code: scripts/build.ts keeps only libs/ and apps/ in the
# map, which costs ~6 MiB RSS here instead of ~50 MiB for a map of every dependency.
CMD ["node", "--enable-source-maps", "/app/lib/peer/main.mjs"]
