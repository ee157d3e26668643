// The baseline the peer is measured against: a bare Fastify + grpc-js process doing nothing else
// (PERFORMANCE.md's "idle RSS: Fastify + grpc-js both listening"). Bundled into the image as
// /app/lib/bench/main.mjs so both run under the same Node, libc and container limits.
import Fastify from 'fastify';
import { Server, ServerCredentials } from '@grpc/grpc-js';

const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '0.0.0.0', port: Number(process.env.PEERWEAVE_HTTP_PORT ?? 8080) });

const grpc = new Server();
await new Promise<void>((resolve, reject) =>
  grpc.bindAsync('0.0.0.0:7400', ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
);

process.on('SIGTERM', () => {
  grpc.forceShutdown();
  void app.close().then(() => process.exit(0));
});
