import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session, type Settings } from 'node:http2';
import { describe, it, type TestContext } from 'node:test';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { contentServiceBinding } from '../content/content-service.ts';
import { sampleContentHandler } from '../content/content-test-messages.ts';
import { FLOW_CONTROL_WINDOW_BYTES, serverOptions } from './grpc-options.ts';
import { recordingLogger, startTestServer } from '../test-support.ts';

const HTTP2_DEFAULT_WINDOW = 65_535;

/**
 * The windows a server announces, as an HTTP/2 client sees them: the stream window in its SETTINGS
 * and the connection window (after its WINDOW_UPDATE, which a PING round trip waits for).
 */
async function announcedWindows(t: TestContext, address: string): Promise<{ stream: number; connection: number }> {
  const session: ClientHttp2Session = connect(`http://${address}`);
  t.after(() => session.destroy());
  const settings = await new Promise<Settings>((resolve, reject) => {
    session.once('remoteSettings', resolve);
    session.once('error', reject);
  });
  await new Promise<void>((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve())));
  return { stream: settings.initialWindowSize ?? HTTP2_DEFAULT_WINDOW, connection: session.state.remoteWindowSize ?? 0 };
}

describe('server flow-control window', () => {
  it('a GrpcServer announces FLOW_CONTROL_WINDOW_BYTES for each stream and for the connection', async (t) => {
    const logger = recordingLogger();
    const server = await startTestServer([contentServiceBinding(sampleContentHandler())], { logger });
    t.after(() => server.stop({ graceMs: 100 }));
    assert.deepEqual(await announcedWindows(t, server.address), { stream: FLOW_CONTROL_WINDOW_BYTES, connection: FLOW_CONTROL_WINDOW_BYTES });
    assert.deepEqual(logger.entries.filter((e) => e.level === 'warn'), [], 'grpc-js internals as expected');
  });

  it('a bare grpc-js server keeps 64 KiB whatever its options (the reason for server-flow-control.ts; drop both when this fails)', async (t) => {
    const server = new Server(serverOptions({ maxMessageBytes: 4 * 1024 * 1024, keepaliveMs: 10_000 }));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    t.after(() => server.forceShutdown());
    assert.deepEqual(await announcedWindows(t, `127.0.0.1:${port}`), { stream: HTTP2_DEFAULT_WINDOW, connection: HTTP2_DEFAULT_WINDOW });
  });
});
