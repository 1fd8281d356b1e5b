import { randomBytes } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import type { MeshSpec } from '../../../common/mesh-spec';
import { clusterName } from '../../../common/mesh-spec';
import { PROFILES } from '../../../common/profiles';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import type { ControlPlaneVerdict, DataPlaneVerdict } from '../../../common/verify-result';
import { heartbeat } from '../../kube/activity-context';
import type { ClusterClient } from '../../kube/cluster-client';
import { EXEC_TIMEOUT } from '../../kube/exec';
import { isNotFound, kubeCall } from '../../kube/kube-failure';
import { podReady } from '../../kube/readiness';
import { loadBalancerAddress } from '../../kube/waits';
import { fetchClusterLoadAssignment } from '../../xds/xds-client';
import { sidecarContainer, sidecarNode } from '../../xds/sidecar-node';
import { connectToIstiod } from '../istiod-access';
import { ISTIO_NAMESPACE } from '../istioctl';
import { gatewayAddressOf, parseMeshNetworks } from '../mesh-networks';
import { EAST_WEST_GATEWAY } from '../operator-overlays';
import { remoteSecretName } from '../remote-secret';
import { HELLOWORLD, SLEEP } from '../samples';
import { renderEndpointTable } from '../../../common/endpoint-table';
import { endpointRows, judgeControlPlane, type SamplePod, type SplitExpectation } from '../verify/control-plane';
import { CALL_MARKER, callLoopCommand, hostsFromClusters, judgeDataPlane, readCallPaths, tallyCalls, warmUpCommand, WARM, type ProxyReaders } from '../verify/data-plane';
import { explainVerdict, type MeshObservations } from '../verify/diagnostics';
import { ISTIO_CONFIGMAP } from './install-steps';
import { ROOT_CERT_CONFIGMAP } from './link-secret';
import type { StepContext } from './step-context';

async function sleepPod(local: ClusterClient, namespace: string): Promise<V1Pod> {
  const { items } = await kubeCall({ verb: 'list', object: `pods app=${SLEEP.name} in ${namespace}`, context: local.context }, () =>
    local.core.listNamespacedPod({ namespace, labelSelector: `app=${SLEEP.name}` }),
  );
  const pod = items.find(podReady);
  if (!pod?.metadata?.name) {
    throw ApplicationFailure.nonRetryable(`No Ready sleep pod in ${namespace} on ${local.context} (${items.length} found): run deploy-samples first.`, 'SamplesMissing');
  }
  return pod;
}

const helloworldPods = async (client: ClusterClient, namespace: string) =>
  (await kubeCall({ verb: 'list', object: `pods app=${HELLOWORLD.name} in ${namespace}`, context: client.context }, () => client.core.listNamespacedPod({ namespace, labelSelector: `app=${HELLOWORLD.name}` }))).items.filter(
    (p) => p.status?.podIP && !p.metadata?.deletionTimestamp,
  );

const readOrNothing = <T>(read: () => Promise<T>): Promise<T | undefined> =>
  read().catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });

const NETWORK_LABEL = 'topology.istio.io/network';

/**
 * What the clusters hold now: the helloworld pods on each side (with the network istiod puts them
 * in), the remote gateway's load-balancer address and the address meshNetworks gives for it.
 */
async function expectation(spec: MeshSpec, local: ClusterClient, remote: ClusterClient): Promise<{ x: SplitExpectation; remoteNamespaceNetwork: string | undefined }> {
  const namespace = spec.samples.namespace;
  const [localPods, remotePods, gateway, remoteNs, meshConfig] = await Promise.all([
    helloworldPods(local, namespace),
    helloworldPods(remote, namespace),
    readOrNothing(() => remote.core.readNamespacedService({ name: EAST_WEST_GATEWAY.name, namespace: ISTIO_NAMESPACE })),
    readOrNothing(() => remote.core.readNamespace({ name: ISTIO_NAMESPACE })),
    readOrNothing(() => local.core.readNamespacedConfigMap({ name: ISTIO_CONFIGMAP, namespace: ISTIO_NAMESPACE })),
  ]);
  const remoteNamespaceNetwork = remoteNs?.metadata?.labels?.[NETWORK_LABEL];
  const gatewayPort = PROFILES[spec.istio.profile].crossNetworkPort;
  // istiod's order (kube controller Network()): the pod's own label, then its cluster's istio-system label
  const row = (clusterNetwork: string | undefined) => (p: V1Pod): SamplePod => ({
    ip: p.status!.podIP!,
    name: p.metadata!.name!,
    ready: podReady(p),
    network: p.metadata?.labels?.[NETWORK_LABEL] ?? clusterNetwork,
    injected: Boolean(p.metadata?.labels?.['security.istio.io/tlsMode']),
  });
  return {
    remoteNamespaceNetwork,
    x: {
      localNetwork: spec.local.network,
      remoteNetwork: spec.remote.network,
      localPods: localPods.map(row(spec.local.network)),
      remotePods: remotePods.map(row(remoteNamespaceNetwork)),
      remoteGateway: gateway ? loadBalancerAddress(gateway) : undefined,
      meshNetworksGateway: gatewayAddressOf(parseMeshNetworks(meshConfig?.data?.meshNetworks), spec.remote.network, gatewayPort),
      servicePort: HELLOWORLD.port,
      gatewayPort,
    },
  };
}

const SETTLE_POLL_MS = 2_000;

/**
 * The audience istiod expects of a sidecar's token: the one the injector gave the pod's projected
 * `istio-token` volume (its serviceAccountToken source), which pilot-agent presents.
 */
export function istioTokenAudience(pod: V1Pod): string | undefined {
  const volume = pod.spec?.volumes?.find((v) => v.name === 'istio-token');
  return volume?.projected?.sources?.find((s) => s.serviceAccountToken)?.serviceAccountToken?.audience;
}

/** A short-lived token of the sleep pod's service account, as its sidecar presents to istiod (the audience of its istio-token volume). */
async function sidecarToken(local: ClusterClient, pod: V1Pod): Promise<string> {
  const { name, namespace, uid } = pod.metadata as { name: string; namespace: string; uid: string };
  const sa = pod.spec?.serviceAccountName ?? 'default';
  const audience = istioTokenAudience(pod);
  if (!audience) {
    throw ApplicationFailure.nonRetryable(
      `sleep pod ${namespace}/${name} has no projected istio-token volume with a serviceAccountToken audience, so meshops cannot tell which audience istiod expects: restart it so the injector of this Istio adds it.`,
      'SidecarTokenUnknown',
    );
  }
  const token = await kubeCall({ verb: 'request a token of', object: `ServiceAccount ${namespace}/${sa}`, context: local.context }, () =>
    local.core.createNamespacedServiceAccountToken({
      name: sa,
      namespace,
      body: { spec: { audiences: [audience], expirationSeconds: 600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid } } },
    }),
  );
  return token.status?.token ?? '';
}

/** The control-plane verdict: what istiod sends the sleep sidecar for helloworld, judged and explained. */
async function controlPlaneVerdict(ctx: StepContext, spec: MeshSpec, sleep: V1Pod): Promise<ControlPlaneVerdict> {
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const namespace = spec.samples.namespace;
  if (!sidecarContainer(sleep)) {
    return {
      passed: false,
      reason: `sleep pod ${namespace}/${sleep.metadata?.name} has no sidecar, so istiod sends it nothing: label ${namespace} istio-injection=enabled and restart it.`,
      endpoints: [],
      diagnostics: [],
      warnings: [],
    };
  }
  const root = await readOrNothing(() => local.core.readNamespacedConfigMap({ name: ROOT_CERT_CONFIGMAP, namespace }));
  if (!root?.data?.['root-cert.pem'] && !spec.verify.plaintextXds) {
    throw ApplicationFailure.nonRetryable(`ConfigMap ${namespace}/${ROOT_CERT_CONFIGMAP} on ${local.context} is missing: istiod has not written the mesh root there. Check that istiod is Ready.`, 'IstiodMissing');
  }
  const istiod = await connectToIstiod(local, spec.verify.plaintextXds ? { plaintext: true } : { token: await sidecarToken(local, sleep), rootCert: root!.data!['root-cert.pem'] });
  try {
    const cluster = `outbound|${HELLOWORLD.port}||${HELLOWORLD.name}.${namespace}.svc.cluster.local`;
    const ask = async () => {
      const seen = await expectation(spec, local, remote);
      const cla = await fetchClusterLoadAssignment(istiod.xds, sidecarNode(sleep), cluster).catch((err: Error) => {
        throw ApplicationFailure.retryable(`Could not ask istiod ${istiod.pod} for ${cluster}: ${err.message}`, 'XdsUnavailable');
      });
      const rows = endpointRows(cla, seen.x);
      return { ...seen, rows, verdict: judgeControlPlane(rows, seen.x) };
    };
    // istiod's endpoints converge (a pod just Ready, a Secret just linked): judge once they hold or have had time to
    const deadline = Date.now() + ctx.timeouts.settleMs;
    let { x, remoteNamespaceNetwork, rows, verdict } = await ask();
    while (!verdict.passed && Date.now() < deadline) {
      heartbeat({ waitingFor: 'istiod to send the split', last: verdict.reason });
      await setTimeout(SETTLE_POLL_MS);
      ({ x, remoteNamespaceNetwork, rows, verdict } = await ask());
    }
    const observe = async (): Promise<MeshObservations> => {
      const [clusters, gateways, secret] = await Promise.all([
        istiod.debug<MeshObservations['clusters']>('/debug/clusterz'),
        istiod.debug<MeshObservations['gateways']>('/debug/networkz'),
        readOrNothing(() => local.core.readNamespacedSecret({ name: remoteSecretName(clusterName(spec.remote)), namespace: ISTIO_NAMESPACE })),
      ]);
      return { remoteCluster: clusterName(spec.remote), clusters, gateways, remoteSecret: secret?.metadata?.name, remoteNamespaceNetwork };
    };
    return await explainVerdict(verdict, observe, x, rows);
  } finally {
    await istiod.close();
  }
}

/** Each curl waits up to 5 s (an unreachable leg); budget 6 s a call plus 10 s. */
const PER_CALL_MS = 6_000;
/** Below the verify activity's 5-minute startToClose, so the failure says why instead of the timeout. */
const MAX_EXEC_MS = 270_000;

/** The call loop's exec budget: min(max(execMs, requests × 6 s + 10 s), 4.5 min). */
export function verifyExecTimeoutMs(requests: number, execMs: number): number {
  return Math.min(Math.max(execMs, requests * PER_CALL_MS + 10_000), MAX_EXEC_MS);
}

/** Reads sleep's proxy: its istio-proxy log since `since` and Envoy's /clusters through pilot-agent. */
function proxyReaders(ctx: StepContext, local: ClusterClient, sleep: V1Pod, since: number): ProxyReaders {
  const { name, namespace } = sleep.metadata as { name: string; namespace: string };
  return {
    accessLog: () =>
      local.core.readNamespacedPodLog({ name, namespace, container: 'istio-proxy', sinceSeconds: Math.ceil((Date.now() - since) / 1000) + 5 }).catch(() => ''),
    clusters: () =>
      ctx
        .exec(local, { namespace, pod: name, container: 'istio-proxy', command: ['pilot-agent', 'request', 'GET', 'clusters'], timeoutMs: 30_000 })
        .catch((err: Error) => ({ stdout: '', stderr: err.message, exitCode: -1 })),
  };
}

/** The data-plane verdict: calls from sleep after a warm-up, each call's path read from its proxy. */
async function dataPlaneVerdict(ctx: StepContext, spec: MeshSpec, sleep: V1Pod, x: SplitExpectation): Promise<DataPlaneVerdict> {
  const local = ctx.local(spec);
  const namespace = spec.samples.namespace;
  const pod = sleep.metadata!.name!;
  const url = `${HELLOWORLD.name}.${namespace}:${HELLOWORLD.port}/hello`;
  const run = randomBytes(4).toString('hex');
  const started = Date.now();
  const timeoutMs = verifyExecTimeoutMs(spec.verify.requests, ctx.timeouts.execMs);
  const warm = await ctx.exec(local, { namespace, pod, container: SLEEP.container, command: warmUpCommand(url, 20), timeoutMs: 60_000 });
  ctx.log.info({ pod, warmUp: warm.stdout.trim().split('\n').at(-1) }, 'verify-split warm-up');
  const readers = proxyReaders(ctx, local, sleep, started);
  const cluster = `outbound|${HELLOWORLD.port}||${HELLOWORLD.name}.${namespace}.svc.cluster.local`;
  // Envoy's counters run since it started: this run's calls are the difference from right before them
  const snapshot = await readers.clusters();
  const before = snapshot.exitCode === 0 ? hostsFromClusters(snapshot.stdout, cluster) : snapshot.stderr.trim().slice(0, 200) || `exit ${snapshot.exitCode}`;
  let result;
  try {
    result = await ctx.exec(local, { namespace, pod, container: SLEEP.container, command: callLoopCommand(url, spec.verify.requests, run), timeoutMs });
  } catch (err) {
    if (!(err instanceof ApplicationFailure) || err.type !== EXEC_TIMEOUT) throw err;
    const partial = ((err.details?.[0] ?? {}) as { stdout?: string }).stdout ?? '';
    const count = partial.split('\n').filter((l) => l.startsWith(CALL_MARKER)).length;
    throw ApplicationFailure.nonRetryable(
      `The call loop in container ${SLEEP.container} of pod ${namespace}/${pod} on ${local.context} did not finish within ${Math.round(timeoutMs / 1000)}s ` +
        `(${count} of ${spec.verify.requests} calls started). Lower the spec's verify \`requests\`, or check the data plane: each call to an unreachable helloworld leg waits 5 s.`,
      'VerifyTimeout',
      { stdout: partial },
    );
  }
  if (result.exitCode !== 0 && !result.stdout.includes(CALL_MARKER)) {
    // The loop itself did not run (no shell, no curl in the container): an error, not a verdict.
    throw ApplicationFailure.nonRetryable(
      `The call loop in container ${SLEEP.container} of pod ${namespace}/${pod} exited ${result.exitCode} before any call: ${result.stderr.trim().slice(0, 300) || 'no output'}. Check that sleep runs an image with sh and curl.`,
      'VerifyLoopFailed',
    );
  }
  const tally = tallyCalls(result.stdout);
  const paths = await readCallPaths(readers, cluster, Object.keys(tally.byRequest), before);
  const expected = { localEndpoints: x.localPods.map((p) => `${p.ip}:${x.servicePort}`), gateway: `${x.remoteGateway ?? '?'}:${x.gatewayPort}` };
  if (typeof paths === 'string') {
    const verdict = judgeDataPlane(tally, { byHost: {} }, expected, spec.verify);
    return { ...verdict, passed: false, reason: `${verdict.passed ? 'Both versions answered, but' : verdict.reason}; ${paths}.` };
  }
  const verdict = judgeDataPlane(tally, paths, expected, spec.verify);
  return warm.stdout.includes(WARM) ? verdict : { ...verdict, reason: `${verdict.reason} (the warm-up never saw both versions answer)` };
}

const NOT_CHECKED = (spec: MeshSpec): DataPlaneVerdict => ({
  checked: false,
  passed: false,
  reason: `Traffic through the mesh was not checked: the spec asks only for ${spec.verify.verdicts.join(', ')} (add verdicts=data-plane where pods run).`,
  requests: 0,
  failures: 0,
  byVersion: {},
  byInstance: {},
  byEndpoint: {},
});

/**
 * Split-horizon EDS, verified at its source and, where pods run, in traffic: the control-plane
 * verdict asks istiod as the sleep sidecar for helloworld's endpoints; the data-plane verdict
 * sends calls and reads each one's path from sleep's proxy. The spec says which must pass. A
 * failed verdict is returned (verify.passed false, with the table and diagnostics) so the
 * workflow records it; errors reaching the pods or istiod are thrown.
 */
export async function verifySplit(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  const wants = new Set(spec.verify.verdicts);
  const sleep = await sleepPod(local, spec.samples.namespace);
  const controlPlane = wants.has('control-plane') ? await controlPlaneVerdict(ctx, spec, sleep) : undefined;
  const dataPlane = wants.has('data-plane') ? await dataPlaneVerdict(ctx, spec, sleep, (await expectation(spec, local, remote)).x) : NOT_CHECKED(spec);
  const judged = [controlPlane, wants.has('data-plane') ? dataPlane : undefined].filter((v) => v !== undefined);
  const passed = judged.every((v) => v.passed);
  const why = controlPlane?.diagnostics.length ? ` Why: ${controlPlane.diagnostics.join(' ')}` : controlPlane?.warnings.length ? ` Warning: ${controlPlane.warnings.join(' ')}` : '';
  const reason = [controlPlane && `Control plane: ${controlPlane.reason}${why}`, `Data plane: ${dataPlane.reason}`].filter(Boolean).join(' ');
  const table = controlPlane?.endpoints.length ? `\n${renderEndpointTable(controlPlane.endpoints)}` : '';
  return { summary: `${reason}${table}`, verify: { passed, reason, controlPlane, dataPlane } };
}
