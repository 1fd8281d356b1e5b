/**
 * The few Envoy xDS messages meshops reads, as @grpc/proto-loader and protobufjs give them with
 * PROTO_OPTIONS (field names as in the protos, 64-bit numbers as strings). Only the fields used.
 */

/** google.protobuf.Value and Struct as the protos encode JSON. */
export type ProtoValue = { stringValue: string } | { structValue: ProtoStruct } | { listValue: { values: ProtoValue[] } } | { boolValue: boolean };
export interface ProtoStruct {
  fields: Record<string, ProtoValue>;
}

/** envoy.config.core.v3.Node: who the proxy is. */
export interface XdsNode {
  id: string;
  cluster: string;
  metadata: ProtoStruct;
  locality?: Locality;
}

export interface Locality {
  region: string;
  zone: string;
  sub_zone: string;
}

export interface DiscoveryRequest {
  node: XdsNode;
  type_url: string;
  resource_names: string[];
  version_info: string;
  response_nonce: string;
}

export interface DiscoveryResponse {
  version_info: string;
  type_url: string;
  nonce: string;
  resources: { type_url: string; value: Uint8Array }[];
}

export interface LbEndpoint {
  endpoint?: { address?: { socket_address?: { address: string; port_value: number } } };
  health_status: string;
  load_balancing_weight?: { value: number } | null;
  metadata?: { filter_metadata?: Record<string, { fields?: Record<string, ProtoValue> }> } | null;
}

export interface LocalityLbEndpoints {
  locality?: Locality | null;
  lb_endpoints: LbEndpoint[];
  load_balancing_weight?: { value: number } | null;
  priority: number;
}

/** envoy.config.endpoint.v3.ClusterLoadAssignment: the endpoints of one Envoy cluster. */
export interface ClusterLoadAssignment {
  cluster_name: string;
  endpoints: LocalityLbEndpoints[];
}
