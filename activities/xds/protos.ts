import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import protobuf from 'protobufjs';

/** The Envoy and xDS protos @grpc/grpc-js-xds ships (its deps/ tree), so no copy of them lives here. */
const xdsPackage = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const includeDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(xdsPackage, 'deps', d));

/** Message fields as written in the protos (snake_case), 64-bit numbers and enums as strings, defaults filled. */
export const PROTO_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

let ads: ServiceClientConstructor | undefined;

/** envoy.service.discovery.v3.AggregatedDiscoveryService, loaded with @grpc/proto-loader. */
export function aggregatedDiscoveryService(): ServiceClientConstructor {
  if (!ads) {
    const definition = loadSync('envoy/service/discovery/v3/ads.proto', { ...PROTO_OPTIONS, includeDirs });
    const root = loadPackageDefinition(definition) as unknown as { envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: ServiceClientConstructor } } } } };
    ads = root.envoy.service.discovery.v3.AggregatedDiscoveryService;
  }
  return ads;
}

let resources: protobuf.Root | undefined;

/**
 * Decodes a resource a DiscoveryResponse carries as `google.protobuf.Any` (the ADS service leaves
 * it as bytes), with protobufjs on the same protos, as @grpc/grpc-js-xds decodes its own.
 */
export function decodeResource<T>(typeName: string, value: Uint8Array): T {
  if (!resources) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => includeDirs.map((d) => join(d, target)).find((p) => existsSync(p)) ?? target;
    resources = root.loadSync(['envoy/config/endpoint/v3/endpoint.proto'], { keepCase: true });
  }
  const type = resources.lookupType(typeName);
  return type.toObject(type.decode(value), PROTO_OPTIONS) as T;
}
