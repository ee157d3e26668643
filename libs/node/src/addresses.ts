import { networkInterfaces } from 'node:os';

/**
 * The address other peers and users should dial: the configured one, else the first non-internal
 * IPv4 address (the container's address under Compose or Kubernetes), else loopback.
 */
export function advertiseHost(configured: string): string {
  if (configured !== '') return configured;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
