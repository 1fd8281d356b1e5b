import { credentials, Metadata, type ChannelCredentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { aggregatedDiscoveryService, decodeResource } from './protos';
import type { ClusterLoadAssignment, DiscoveryRequest, DiscoveryResponse, XdsNode } from './xds-types';

export const CLA_TYPE_URL = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';

/** Where and how to reach istiod's xDS server. */
export interface XdsServer {
  /** host:port, e.g. 127.0.0.1:<port-forward to 15012>. */
  address: string;
  /** TLS against the mesh root with istiod's name (its authenticated port, 15012); absent: plaintext (15010). */
  tls?: { rootCert: string; serverName: string };
  /** A Kubernetes service-account token (audience istio-ca): how a sidecar authenticates to istiod. */
  token?: string;
}

function channelCredentials(server: XdsServer): ChannelCredentials {
  return server.tls ? credentials.createSsl(Buffer.from(server.tls.rootCert)) : credentials.createInsecure();
}

/**
 * Asks istiod, over ADS, for one cluster's endpoints as a sidecar's Envoy would: a DiscoveryRequest
 * for the ClusterLoadAssignment with the proxy's node, then the ACK of the response (its version and
 * nonce) before the stream is closed. istiod computes the assignment for that node (its network,
 * its cluster), which is what split-horizon EDS is about.
 */
export function fetchClusterLoadAssignment(server: XdsServer, node: XdsNode, cluster: string, timeoutMs = 15_000): Promise<ClusterLoadAssignment> {
  const Ads = aggregatedDiscoveryService();
  const options = server.tls ? { 'grpc.ssl_target_name_override': server.tls.serverName, 'grpc.default_authority': server.tls.serverName } : {};
  const client = new Ads(server.address, channelCredentials(server), options);
  const metadata = new Metadata();
  if (server.token) metadata.set('authorization', `Bearer ${server.token}`);
  return new Promise<ClusterLoadAssignment>((resolve, reject) => {
    const stream = (client as unknown as { StreamAggregatedResources(m: Metadata): ClientDuplexStream<DiscoveryRequest, DiscoveryResponse> }).StreamAggregatedResources(metadata);
    let settled = false;
    const finish = (err: Error | undefined, cla?: ClusterLoadAssignment) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.end();
      stream.cancel();
      client.close();
      if (err) reject(err);
      else resolve(cla!);
    };
    const timer = setTimeout(() => finish(new Error(`istiod at ${server.address} sent no endpoints of ${cluster} within ${Math.round(timeoutMs / 1000)}s`)), timeoutMs);
    stream.on('data', (response: DiscoveryResponse) => {
      if (response.type_url !== CLA_TYPE_URL) return;
      // ACK: the version and nonce of what was received, for the same resources
      stream.write({ node, type_url: CLA_TYPE_URL, resource_names: [cluster], version_info: response.version_info, response_nonce: response.nonce });
      const assignments = response.resources.map((r) => decodeResource<ClusterLoadAssignment>('envoy.config.endpoint.v3.ClusterLoadAssignment', r.value));
      const found = assignments.find((a) => a.cluster_name === cluster);
      if (found) finish(undefined, found);
      else finish(new Error(`istiod answered without ${cluster} (it sent ${assignments.map((a) => a.cluster_name).join(', ') || 'nothing'}): the service or port is unknown to it`));
    });
    stream.on('error', (err: Error & { details?: string }) => finish(new Error(`istiod's xDS stream at ${server.address} failed: ${err.details || err.message}`)));
    stream.on('end', () => finish(new Error(`istiod closed the xDS stream at ${server.address} without sending ${cluster}`)));
    stream.write({ node, type_url: CLA_TYPE_URL, resource_names: [cluster], version_info: '', response_nonce: '' });
  });
}
