import {
  makeGenericClientConstructor,
  status,
  type ChannelOptions,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { MAX_FRAME_BYTES } from './codec.js';
import type { DistributionErrorCode } from './errors.js';
import type { StreamTiming } from './timing.js';

// The gRPC service: one bidirectional streaming method whose messages are the codec's
// frames, passed through untouched (codec.ts compresses, chunks and checks them). No
// .proto file: the messages' schemas are the zod ones in messages.ts.

const asIs = (frame: Buffer): Buffer => frame;

export const DISTRIBUTION_SERVICE = {
  stream: {
    path: '/switchyard.distribution.v1.Distribution/Stream',
    requestStream: true,
    responseStream: true,
    requestSerialize: asIs,
    requestDeserialize: asIs,
    responseSerialize: asIs,
    responseDeserialize: asIs,
    originalName: 'stream',
  },
} satisfies ServiceDefinition;

export const DistributionGrpcClient = makeGenericClientConstructor(DISTRIBUTION_SERVICE, 'Distribution');

/** Both ends: the frame limit, and HTTP/2 pings on the same scale as the app-level keepalives. */
export function grpcOptions(timing: StreamTiming): ChannelOptions {
  return {
    'grpc.max_receive_message_length': MAX_FRAME_BYTES,
    'grpc.max_send_message_length': MAX_FRAME_BYTES,
    'grpc.keepalive_time_ms': timing.keepaliveMs,
    'grpc.keepalive_timeout_ms': timing.keepaliveMs,
    'grpc.keepalive_permit_without_calls': 1,
  };
}

/** The gRPC status a stream is closed with, by what went wrong. */
export const GRPC_STATUS: Readonly<Record<DistributionErrorCode, status>> = {
  DIST_MALFORMED: status.INVALID_ARGUMENT,
  DIST_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  DIST_PROTOCOL: status.FAILED_PRECONDITION,
  DIST_DENIED: status.PERMISSION_DENIED,
  DIST_TIMEOUT: status.DEADLINE_EXCEEDED,
  DIST_CLOSED: status.UNAVAILABLE,
  DIST_CACHE: status.INTERNAL,
};
