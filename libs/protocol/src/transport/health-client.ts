import type { MethodDefinition } from '@grpc/proto-loader';
import { PeerweaveError } from '@peerweave/core';
import { ClientChannel, type ClientInit } from './client-channel.ts';
import { healthPackageDefinition } from '../proto-packages.ts';
import { unaryCall, type CallOptions } from './unary-call.ts';

/** What the standard health service says of a service ('' is the server as a whole). */
export type HealthStatus = 'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'SERVICE_UNKNOWN';

export interface HealthClient {
  /**
   * The status of `service` (default '': the whole server). A name the server does not know gives
   * SERVICE_UNKNOWN (the server answers NOT_FOUND); other failures reject with a PeerweaveError.
   */
  check(service?: string, options?: CallOptions): Promise<HealthStatus>;
  close(): void;
}

interface HealthCheckRequest {
  service: string;
}
interface HealthCheckResponse {
  status: HealthStatus;
}
type CheckMethod = MethodDefinition<HealthCheckRequest, HealthCheckResponse, HealthCheckRequest, HealthCheckResponse>;

/** A client of the standard `grpc.health.v1.Health` service at `address` (`host:port`). */
export function createHealthClient(address: string, init: ClientInit = {}): HealthClient {
  const channel = new ClientChannel(address, init);
  const definition = healthPackageDefinition()['grpc.health.v1.Health'] as unknown as { Check: CheckMethod };
  return {
    async check(service = '', options: CallOptions = {}): Promise<HealthStatus> {
      try {
        return (await unaryCall(channel, definition.Check, { service }, options)).status;
      } catch (err) {
        // The health service answers NOT_FOUND for a name it has no status for.
        if (err instanceof PeerweaveError && err.code === 'NOT_FOUND' && err.details?.['grpcStatus'] === 'NOT_FOUND') {
          return 'SERVICE_UNKNOWN';
        }
        throw err;
      }
    },
    close(): void {
      channel.close();
    },
  };
}
