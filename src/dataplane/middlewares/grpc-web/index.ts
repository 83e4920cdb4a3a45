// Traefik's grpcWeb middleware: grpc-web requests to gRPC services and back.
export { buildGrpcWeb } from './grpc-web.js';
export { trailerFrame, translateResponse } from './grpc-web-response.js';
export { Base64Decoder } from './base64-decoder.js';
