import type { ControlPlaneVerdict, EndpointRow } from '../../../common/verify-result';
import type { SplitExpectation } from './control-plane';

/** istiod's view (its /debug endpoints through the port-forward) and the clusters', read when verify-split runs. */
export interface MeshObservations {
  remoteCluster: string;
  /** /debug/clusterz */
  clusters: { id: string; syncStatus: string; secretName?: string }[];
  /** /debug/networkz */
  gateways: { Network: string; Cluster?: string; Addr: string; Port: number }[];
  /** Secret istio-system/istio-remote-secret-<remote> on local, if there. */
  remoteSecret: string | undefined;
  /** The topology.istio.io/network label of the remote's istio-system. */
  remoteNamespaceNetwork: string | undefined;
}

const NETWORK_LABEL = 'topology.istio.io/network';

/**
 * What is off in the mesh, each finding with its fix, from what istiod and the clusters show:
 * explanations when the endpoints are not the split, drift to warn of when they are. Several can
 * hold at once; none when the mesh is as set up.
 */
export function findings(o: MeshObservations, x: SplitExpectation, rows: EndpointRow[]): string[] {
  const out: string[] = [];
  const remote = o.clusters.find((c) => c.id === o.remoteCluster);
  if (!o.remoteSecret) {
    out.push(`Only local endpoints: there is no remote secret for ${o.remoteCluster} on local, so istiod does not watch the remote. Fix: rerun link-secret.`);
  } else if (!remote) {
    out.push(`istiod does not list cluster ${o.remoteCluster} (/debug/clusterz) although Secret istio-system/${o.remoteSecret} exists: it cannot read it. Fix: check the Secret's label istio/multiCluster=true and rerun link-secret.`);
  } else if (remote.syncStatus !== 'synced') {
    out.push(
      `Remote cluster ${o.remoteCluster} is ${remote.syncStatus} in istiod (/debug/clusterz): the remote secret's server is unreachable from istiod or its token was revoked. ` +
        'Fix: rerun link-secret (it writes a fresh token), or set remoteApiServer=… to an address istiod reaches.',
    );
  }
  const remoteGateways = o.gateways.filter((g) => g.Network === x.remoteNetwork && g.Port === x.gatewayPort);
  if (remoteGateways.length === 0) {
    out.push(`istiod knows no gateway for ${x.remoteNetwork} (/debug/networkz): meshNetworks has ${x.meshNetworksGateway ? `${x.meshNetworksGateway} on another port` : 'no gateway for it'}. Fix: rerun patch-gateway.`);
  } else if (remoteGateways.length > 1) {
    out.push(
      `istiod holds ${remoteGateways.length} gateways for ${x.remoteNetwork} (${remoteGateways.map((g) => `${g.Addr} from ${g.Cluster ? `the ${NETWORK_LABEL} label of a Service on ${g.Cluster}` : 'meshNetworks'}`).join(', ')}), ` +
        `so it scales every endpoint weight. Fix: remove the label from the remote east-west gateway Service (wait-remote applies it without).`,
    );
  }
  if (x.remoteGateway && x.meshNetworksGateway && x.meshNetworksGateway !== x.remoteGateway) {
    out.push(`meshNetworks sends ${x.remoteNetwork} to ${x.meshNetworksGateway}:${x.gatewayPort}, but the remote gateway's load balancer is ${x.remoteGateway}. Fix: rerun patch-gateway.`);
  }
  if (!x.remoteGateway) out.push(`The remote east-west gateway Service has no load-balancer address. Fix: rerun wait-remote, and check the remote cluster's load-balancer controller.`);
  if (o.remoteNamespaceNetwork !== x.remoteNetwork) {
    out.push(
      `Remote istio-system is labelled ${NETWORK_LABEL}=${o.remoteNamespaceNetwork ?? '(none)'}, not ${x.remoteNetwork}: injected pods carry their network themselves, ` +
        `but istiod puts remote pods without a sidecar in ${o.remoteNamespaceNetwork ?? 'no network'}. Fix: rerun install-remote (it labels it).`,
    );
  }
  const sentDirectly = new Set(rows.filter((r) => r.kind === 'remote-pod').map((r) => r.endpoint.slice(0, r.endpoint.lastIndexOf(':'))));
  const dropped = x.remotePods.filter((p) => !p.injected && p.network === x.remoteNetwork && !sentDirectly.has(p.ip));
  if (dropped.length > 0) {
    out.push(
      `Remote endpoints dropped: ${dropped.map((p) => p.name).join(', ')} on remote carry no security.istio.io/tlsMode label (not injected), and istiod sends only mTLS endpoints through a gateway. ` +
        'Fix: label their namespace istio-injection=enabled and restart them.',
    );
  }
  // a pod in the remote network is sent directly only when istiod knows no gateway for it (said above)
  for (const p of x.remotePods.filter((p) => sentDirectly.has(p.ip) && p.network !== x.remoteNetwork)) {
    out.push(
      p.network
        ? `Remote pod ${p.name} is sent directly because istiod takes it for ${p.network} (${p.injected ? `its own ${NETWORK_LABEL} label, which wins over the injector's` : 'its namespace has no sidecar injection'}). Fix: ${p.injected ? 'remove that label from its template' : 'label its namespace istio-injection=enabled and restart it'}.`
        : `Remote pod ${p.name} is sent directly because it has no network: it is not injected (the injector would label it ${x.remoteNetwork}) and remote istio-system has no ${NETWORK_LABEL} label. Fix: rerun install-remote, label its namespace istio-injection=enabled and restart it.`,
    );
  }
  return out;
}

/** When no finding explains a missing remote leg: where to look next. */
export function unexplained(x: SplitExpectation, rows: EndpointRow[]): string | undefined {
  if (rows.some((r) => r.kind !== 'local-pod')) return undefined;
  return `istiod sent no endpoint for ${x.remoteNetwork}, and nothing meshops checks explains it: read istiod's log (kubectl logs -n istio-system deploy/istiod).`;
}

/**
 * The verdict with its findings: for a failed one why and the fix, for a passed one the drift to
 * warn of. The verdict stands on istiod's endpoints alone, so when istiod's debug endpoints or the
 * clusters cannot be read it is kept and says "diagnostics unavailable" and why.
 */
export async function explainVerdict(
  verdict: Omit<ControlPlaneVerdict, 'diagnostics' | 'warnings'>,
  observe: () => Promise<MeshObservations>,
  x: SplitExpectation,
  rows: EndpointRow[],
): Promise<ControlPlaneVerdict> {
  let found: string[];
  try {
    found = findings(await observe(), x, rows);
  } catch (err) {
    const why = `diagnostics unavailable: ${err instanceof Error ? err.message : String(err)}`;
    return verdict.passed ? { ...verdict, diagnostics: [], warnings: [why] } : { ...verdict, diagnostics: [why], warnings: [] };
  }
  if (verdict.passed) return { ...verdict, diagnostics: [], warnings: found };
  const more = found.length === 0 ? unexplained(x, rows) : undefined;
  return { ...verdict, diagnostics: more ? [...found, more] : found, warnings: [] };
}
