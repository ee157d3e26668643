// Starting a container that publishes ports can fail for a reason that is not the test's: Docker
// picks the host port from the kernel's ephemeral range (32768–60999), the same range the test's
// own outgoing connections get theirs from, so the port it chose may already be a client socket of
// this process ("Error starting userland proxy: listen tcp4 0.0.0.0:32795: bind: address already in
// use", seen once in CI). Docker picks another port on the next try, so such a start is retried;
// Testcontainers leaves the container it created behind when the start fails, so it is removed first.
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { GenericContainer, StartedTestContainer } from 'testcontainers';

const PORT_TAKEN = /address already in use|port is already allocated/i;
const ATTEMPTS = 3;

/** Whether a failed start is Docker's host-port race (worth another try), not the container's fault. */
export function isPortRace(error: unknown): boolean {
  return error instanceof Error && PORT_TAKEN.test(error.message);
}

function removeLabelled(label: string): void {
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (ids.length > 0) execFileSync('docker', ['rm', '-fv', ...ids]);
}

/** `container.start()`, tried again (up to 3 times) when Docker's host port was taken meanwhile. */
export async function startContainer(container: GenericContainer): Promise<StartedTestContainer> {
  for (let attempt = 1; ; attempt++) {
    const id = randomUUID();
    try {
      return await container.withLabels({ 'peerweave.test.start': id }).start();
    } catch (error) {
      if (!isPortRace(error) || attempt >= ATTEMPTS) throw error;
      removeLabelled(`peerweave.test.start=${id}`);
    }
  }
}
