import { setTimeout as delay } from 'node:timers/promises';
import { credentials, Metadata, status as grpcStatus, type ChannelCredentials, type ClientDuplexStream, type StatusObject } from '@grpc/grpc-js';
import { aggregatedDiscoveryService, decodeResource } from './protos';
import { nodeField } from './sidecar-node';
import type { ClusterLoadAssignment, DiscoveryRequest, DiscoveryResponse, XdsNode } from './xds-types';

export const CLA_TYPE_URL = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';

/** Where and how to reach istiod's xDS server. */
export interface XdsServer {
  /** host:port, e.g. 127.0.0.1:<port-forward to 15012>. */
  address: string;
  /** TLS against the mesh root with istiod's name (its authenticated port, 15012); absent: plaintext (15010). */
  tls?: { rootCert: string; serverName: string };
  /** A Kubernetes service-account token with the audience istiod expects (the sidecar's istio-token's): how a sidecar authenticates to istiod. */
  token?: string;
}

/** The ACK sent for the assignment: the version and nonce of istiod's response. */
export interface XdsAck {
  version_info: string;
  nonce: string;
}

export interface FetchOptions {
  /** How long to wait for istiod's answer. */
  timeoutMs?: number;
  /** How long, after half-closing, to wait for istiod to end the stream before cancelling it. */
  closeTimeoutMs?: number;
  /**
   * Runs once the ACK has been handed to the transport and before the stream is half-closed: the
   * proxy is still connected, so istiod's /debug/syncz shows it (tests and diagnostics).
   */
  whileAcked?: (ack: XdsAck) => Promise<void>;
}

function channelCredentials(server: XdsServer): ChannelCredentials {
  return server.tls ? credentials.createSsl(Buffer.from(server.tls.rootCert)) : credentials.createInsecure();
}

type GrpcError = Error & { code?: number; details?: string };

/** A failed stream in words: which check refused it and what to look at. */
function explain(server: XdsServer, err: GrpcError): string {
  const details = err.details || err.message;
  const at = `istiod's xDS stream at ${server.address}`;
  if (err.code === grpcStatus.UNAUTHENTICATED) {
    return `${at} refused the sidecar's credentials (UNAUTHENTICATED: ${details}): ${server.token ? 'istiod could not validate the token (wrong audience, expired, or of another cluster than the ClusterID header names)' : 'no token was sent'}`;
  }
  if (err.code === grpcStatus.PERMISSION_DENIED) return `${at} refused the proxy (PERMISSION_DENIED: ${details}): the token's service account or namespace is not the node's`;
  if (server.tls && /certificate|altname|self[- ]signed|issuer|verify|handshake|SSL|TLS/i.test(details)) {
    return `${at} failed the TLS check of istiod's certificate against the mesh root as ${server.tls.serverName} (${details})`;
  }
  return `${at} failed: ${details}`;
}

/**
 * Asks istiod, over ADS, for one cluster's endpoints as a sidecar's Envoy would: a DiscoveryRequest
 * for the ClusterLoadAssignment with the proxy's node (and the `ClusterID` header pilot-agent
 * sends, which tells istiod's token check the proxy's cluster), then the ACK of the response (its
 * version and nonce). The stream is closed the way a proxy leaves: the ACK is written (its
 * callback), then the stream half-closed, and istiod — which ends it once it has read everything
 * sent — is given a moment to do so before the channel is closed. Cancelling right after the
 * write would reset the stream before grpc-js had sent the ACK through its (async) filters.
 * istiod computes the assignment for that node (its network, its cluster), which is what
 * split-horizon EDS is about.
 */
export function fetchClusterLoadAssignment(server: XdsServer, node: XdsNode, cluster: string, options: FetchOptions | number = {}): Promise<ClusterLoadAssignment> {
  const { timeoutMs = 15_000, closeTimeoutMs = 2_000, whileAcked } = typeof options === 'number' ? { timeoutMs: options } : options;
  const Ads = aggregatedDiscoveryService();
  const channelOptions = server.tls ? { 'grpc.ssl_target_name_override': server.tls.serverName, 'grpc.default_authority': server.tls.serverName } : {};
  const client = new Ads(server.address, channelCredentials(server), channelOptions);
  const metadata = new Metadata();
  if (server.token) metadata.set('authorization', `Bearer ${server.token}`);
  const clusterId = nodeField(node, 'CLUSTER_ID');
  if (clusterId) metadata.set('clusterid', clusterId);
  return new Promise<ClusterLoadAssignment>((resolve, reject) => {
    const stream = (client as unknown as { StreamAggregatedResources(m: Metadata): ClientDuplexStream<DiscoveryRequest, DiscoveryResponse> }).StreamAggregatedResources(metadata);
    const ended = new Promise<StatusObject>((res) => stream.on('status', res));
    let decided = false;
    const close = async () => {
      clearTimeout(timer);
      stream.end();
      // the timer is cancelled once istiod has ended the stream: nothing of the fetch outlives it
      const patience = new AbortController();
      const gaveUp = delay(closeTimeoutMs, undefined, { signal: patience.signal }).catch(() => undefined);
      await Promise.race([ended, gaveUp]);
      patience.abort();
      stream.cancel();
      client.close();
    };
    const settle = (outcome: { err: Error } | { cla: ClusterLoadAssignment }) =>
      void close().then(() => ('err' in outcome ? reject(outcome.err) : resolve(outcome.cla)), reject);
    const fail = (err: Error) => {
      if (decided) return;
      decided = true;
      settle({ err });
    };
    const timer = setTimeout(() => fail(new Error(`istiod at ${server.address} sent no endpoints of ${cluster} within ${Math.round(timeoutMs / 1000)}s`)), timeoutMs);
    stream.on('data', (response: DiscoveryResponse) => {
      if (decided || response.type_url !== CLA_TYPE_URL) return;
      decided = true;
      clearTimeout(timer);
      const assignments = response.resources.map((r) => decodeResource<ClusterLoadAssignment>('envoy.config.endpoint.v3.ClusterLoadAssignment', r.value));
      const found = assignments.find((a) => a.cluster_name === cluster);
      if (!found) {
        settle({ err: new Error(`istiod answered without ${cluster} (it sent ${assignments.map((a) => a.cluster_name).join(', ') || 'nothing'}): the service or port is unknown to it`) });
        return;
      }
      // ACK: the version and nonce of what was received, for the same resources; close only once it is on its way
      const ack: XdsAck = { version_info: response.version_info, nonce: response.nonce };
      stream.write({ node, type_url: CLA_TYPE_URL, resource_names: [cluster], version_info: ack.version_info, response_nonce: ack.nonce }, (err?: Error | null) => {
        if (err) return settle({ err: new Error(`istiod's xDS stream at ${server.address} failed before the ACK was sent: ${err.message}`) });
        (whileAcked ? whileAcked(ack) : Promise.resolve()).then(
          () => settle({ cla: found }),
          (hookErr: Error) => settle({ err: hookErr }),
        );
      });
    });
    stream.on('error', (err: GrpcError) => fail(new Error(explain(server, err))));
    stream.on('end', () => fail(new Error(`istiod closed the xDS stream at ${server.address} without sending ${cluster}`)));
    stream.write({ node, type_url: CLA_TYPE_URL, resource_names: [cluster], version_info: '', response_nonce: '' });
  });
}
