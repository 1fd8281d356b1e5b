import type { ControlPlaneVerdict, EndpointKind, EndpointRow } from '../../../common/verify-result';
import type { ClusterLoadAssignment } from '../../xds/xds-types';

/** A helloworld pod as meshops reads it from its cluster. */
export interface SamplePod {
  ip: string;
  name: string;
  ready: boolean;
  /** The network istiod puts it in: its own topology.istio.io/network label, else its cluster's istio-system label. */
  network: string | undefined;
  /** Whether it carries security.istio.io/tlsMode (the injector's mark of a sidecar). */
  injected: boolean;
}

/** What the clusters hold, to name each endpoint istiod sent and to know what it should have sent. */
export interface SplitExpectation {
  localNetwork: string;
  remoteNetwork: string;
  localPods: SamplePod[];
  remotePods: SamplePod[];
  /** The remote east-west gateway's load-balancer address. */
  remoteGateway: string | undefined;
  /** The remote network's gateway address in meshNetworks (what patch-gateway wrote). */
  meshNetworksGateway: string | undefined;
  servicePort: number;
  gatewayPort: number;
}

type LbEndpoint = ClusterLoadAssignment['endpoints'][number]['lb_endpoints'][number];

const addressOf = (e: LbEndpoint) => {
  const s = e.endpoint?.address?.socket_address;
  return s ? `${s.address}:${s.port_value}` : '?';
};

const splitHostPort = (endpoint: string): [string, number] => [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];

function classify(endpoint: string, x: SplitExpectation): Pick<EndpointRow, 'kind' | 'network' | 'what'> {
  const [ip, port] = splitHostPort(endpoint);
  const local = x.localPods.find((p) => `${p.ip}:${x.servicePort}` === endpoint);
  if (local) return { kind: 'local-pod', network: local.network ?? '(none)', what: `local pod ${local.name}${local.ready ? '' : ' (not Ready)'}` };
  if (port === x.gatewayPort && ip === x.remoteGateway) return { kind: 'remote-gateway', network: x.remoteNetwork, what: 'remote gateway' };
  if (port === x.gatewayPort && ip === x.meshNetworksGateway) {
    return { kind: 'stale-gateway', network: x.remoteNetwork, what: `stale gateway from meshNetworks (the load balancer is ${x.remoteGateway ?? 'gone'})` };
  }
  const remote = x.remotePods.find((p) => p.ip === ip);
  if (remote) return { kind: 'remote-pod', network: remote.network ?? '(none)', what: `remote pod ${remote.name} (unreachable from ${x.localNetwork})` };
  return { kind: 'unknown', network: '?', what: 'unknown to meshops' };
}

/**
 * The assignment as a table, each endpoint named by what it is: a local helloworld pod, the remote
 * network's gateway (or meshNetworks' address for it, once the load balancer moved), a remote pod
 * IP (which a proxy in another network cannot reach), or unknown. istiod scales every weight alike
 * (by the LCM of gateways per network), so the gateway's weight counts remote pods in units of one
 * local endpoint's.
 */
export function endpointRows(cla: ClusterLoadAssignment, x: SplitExpectation): EndpointRow[] {
  const rows = cla.endpoints.flatMap((group) =>
    group.lb_endpoints.map((e): EndpointRow => {
      const endpoint = addressOf(e);
      const locality = [group.locality?.region, group.locality?.zone].filter(Boolean).join('/') || '-';
      return { endpoint, locality, weight: e.load_balancing_weight?.value ?? 1, ...classify(endpoint, x) };
    }),
  );
  const unit = rows.find((r) => r.kind === 'local-pod')?.weight;
  return rows.map((r) => (r.kind === 'remote-gateway' && unit ? { ...r, what: `remote gateway (${r.weight / unit} remote pod${r.weight === unit ? '' : 's'})` } : r));
}

const ofKind = (rows: EndpointRow[], kind: EndpointKind) => rows.filter((r) => r.kind === kind);

/**
 * Split-horizon EDS as the seed means it: the sidecar in the local network is told exactly the
 * Ready local helloworld pods on the service port, and the remote network's gateway (its load
 * balancer's address) on the cross-network port weighted by the Ready remote pods behind it —
 * never a remote pod IP.
 */
export function judgeControlPlane(rows: EndpointRow[], x: SplitExpectation): Omit<ControlPlaneVerdict, 'diagnostics' | 'warnings'> {
  const problems: string[] = [];
  const readyLocal = x.localPods.filter((p) => p.ready).map((p) => `${p.ip}:${x.servicePort}`).sort();
  const localRows = ofKind(rows, 'local-pod');
  const gatewayRows = ofKind(rows, 'remote-gateway');
  const sent = localRows.map((r) => r.endpoint).sort();
  if (JSON.stringify(sent) !== JSON.stringify(readyLocal)) problems.push(`local endpoints ${sent.join(', ') || 'none'}, expected the Ready local pods ${readyLocal.join(', ') || 'none'}`);
  for (const r of ofKind(rows, 'remote-pod')) problems.push(`remote pod IP ${r.endpoint} sent directly (unreachable from ${x.localNetwork})`);
  for (const r of ofKind(rows, 'stale-gateway')) problems.push(`${x.remoteNetwork}'s traffic goes to ${r.endpoint}, which is no longer the remote gateway's load balancer (${x.remoteGateway ?? 'none'})`);
  for (const r of ofKind(rows, 'unknown')) problems.push(`endpoint ${r.endpoint} is neither a local pod nor the remote gateway`);
  const readyRemote = x.remotePods.filter((p) => p.ready).length;
  const expectedGateway = `${x.remoteGateway ?? '?'}:${x.gatewayPort}`;
  if (readyRemote === 0) problems.push('no helloworld pod on remote is Ready, so there is no remote leg to split to');
  else if (gatewayRows.length === 0) {
    if (ofKind(rows, 'stale-gateway').length === 0) problems.push(`no endpoint for the remote network: expected its gateway ${expectedGateway} for ${readyRemote} Ready remote pod(s)`);
  } else {
    const unit = localRows[0]?.weight ?? 1;
    const weight = gatewayRows.reduce((n, r) => n + r.weight, 0);
    if (weight !== unit * readyRemote) problems.push(`the remote gateway weighs ${weight}, ${weight / unit} remote pod(s), but ${readyRemote} remote pod(s) are Ready`);
  }
  const passed = problems.length === 0;
  const reason = passed
    ? `istiod tells the sidecar in ${x.localNetwork} the ${localRows.length} local pod(s) directly and the remote gateway ${expectedGateway} for ${readyRemote} remote pod(s): split-horizon EDS holds.`
    : `istiod's endpoints are not the split: ${problems.join('; ')}.`;
  return { passed, reason, endpoints: rows };
}
