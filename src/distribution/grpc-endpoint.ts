import type { ClientDuplexStream } from '@grpc/grpc-js';
import { grpcChannelCredentials, type Credentials } from '../cluster/pki/index.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { DistributionError } from './errors.js';
import { DistributionGrpcClient, grpcOptions } from './grpc-service.js';
import { Heartbeat } from './heartbeat.js';
import type { Endpoint } from './link.js';
import { ControlMessage, type DataMessage } from './messages.js';
import type { StreamTiming } from './timing.js';

const SNI_NAME = 'switchyard-control';

/**
 * A control node's distribution service over gRPC and mutual TLS: the cluster CA as the
 * only root, this node's certificate as the client's, and a server that must be a control node.
 */
export function grpcEndpoint(address: string, credentials: Credentials, timing: StreamTiming): Endpoint {
  return {
    name: address,
    connect: (handlers, signal) => {
      const client = new DistributionGrpcClient(address, grpcChannelCredentials(credentials), {
        ...grpcOptions(timing),
        // The server is verified by its identity, not its name (tls-options.ts); a fixed
        // SNI name keeps TLS from being handed an IP address as one.
        'grpc.ssl_target_name_override': SNI_NAME,
      });
      const call = (client as unknown as { stream(): ClientDuplexStream<Buffer, Buffer> }).stream();
      // Resolved once the control node accepts the stream (its headers come back), so
      // that a refusal (wrong role, removed node, a TLS failure) is a failed connect.
      return new Promise((resolve, reject) => {
        let open = true;
        let accepted = false;
        let inbound = Promise.resolve();
        let outbound = Promise.resolve();
        const finish = (error: Error | undefined): void => {
          if (!open) return;
          open = false;
          heartbeat.stop();
          signal.removeEventListener('abort', onAbort);
          call.cancel();
          client.close();
          if (accepted) handlers.onClose(error);
          else
            reject(
              error ?? new DistributionError('DIST_CLOSED', address, 'the stream ended before it opened'),
            );
        };
        const send = (message: DataMessage): void => {
          if (!open) return;
          heartbeat.spoke();
          outbound = outbound
            .then(() => encodeFrame(message))
            .then((frame) => void (open && call.write(frame)))
            .catch((err: unknown) => finish(err as Error));
        };
        const heartbeat = new Heartbeat(timing, {
          sendKeepalive: () => send({ type: 'keepalive' }),
          onIdle: () =>
            finish(
              new DistributionError('DIST_TIMEOUT', address, `nothing heard for ${timing.idleTimeoutMs} ms`),
            ),
        });
        call.on('metadata', () => {
          heartbeat.heard();
          accepted = true;
          resolve({ send, close: () => finish(undefined) });
        });
        call.on('data', (frame: Buffer) => {
          heartbeat.heard();
          inbound = inbound.then(async () => {
            const decoded = await decodeFrame(frame, ControlMessage);
            if (!open) return;
            if (decoded.ok) handlers.onMessage(decoded.value);
            else finish(decoded.error);
          });
        });
        const onAbort = (): void =>
          finish(new DistributionError('DIST_CLOSED', address, 'the client stopped'));
        signal.addEventListener('abort', onAbort, { once: true });
        call.on('error', (err: Error) => finish(err));
        call.on('end', () => finish(undefined));
      });
    },
  };
}
