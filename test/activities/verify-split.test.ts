import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, type RequestOptions } from 'node:https';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { createMeshStepActivities } from '../../activities/mesh-steps';
import { connectToIstiod, ISTIOD_SERVER_NAME } from '../../activities/istio/istiod-access';
import { istioTokenAudience } from '../../activities/istio/steps/verify-split';
import { fetchClusterLoadAssignment, type XdsServer } from '../../activities/xds/xds-client';
import type { ClusterClient } from '../../activities/kube/cluster-client';
import { nodeField, sidecarNode } from '../../activities/xds/sidecar-node';
import { KubeClients } from '../../activities/kube/cluster-client';
import { podReady } from '../../activities/kube/readiness';
import { waitForWorkloads } from '../../activities/kube/waits';
import { meshSpecFor, MeshSpec } from '../../common/mesh-spec';
import type { MeshFacts } from '../../common/status';
import type { StepOutcome } from '../../common/step-contract';
import { SETUP_STEPS, type SetupStepId } from '../../common/steps';
import type { ControlPlaneVerdict } from '../../common/verify-result';
import { acquireClusterLock } from '../harness/cluster-lock';
import { findBinary } from '../harness/kube';
import { istiodDebug } from '../harness/kube/istiod-debug';
import { testKubeconfigPath } from '../harness/kube/test-clusters';
import { until } from '../harness/kube/wait';
import { clusterSnapshot } from './cluster-snapshot';

/**
 * verify-split's control-plane verdict against the real istiod of the test clusters: after a
 * setup it sees the split as the seed means it, follows the remote's replicas in the gateway's
 * weight, and for each precondition broken by hand names the cause and the step that fixes it;
 * after that step it passes again. Nothing here is a stand-in but the kubelet (kwok's).
 */
let releaseIstioLock: (() => void) | undefined;
beforeAll(async () => {
  releaseIstioLock = await acquireClusterLock('istio-system');
}, 16 * 60_000);
afterAll(() => releaseIstioLock?.());

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const HELLOWORLD_CLUSTER = 'outbound|5000||helloworld.sample.svc.cluster.local';

/** One proxy's row of istiod's /debug/syncz (pilot/pkg/xds/debug.go SyncStatus): nonces sent and ACKed per type. */
interface SyncStatus {
  proxy: string;
  cluster_id?: string;
  endpoint_sent?: string;
  endpoint_acked?: string;
}

/** A pod's service-account token with the given audience, as TokenRequest gives a sidecar its istio-token. */
async function podToken(client: ClusterClient, pod: V1Pod, audience: string | undefined): Promise<string> {
  const { name, namespace, uid } = pod.metadata as { name: string; namespace: string; uid: string };
  const body = { spec: { audiences: audience ? [audience] : [], expirationSeconds: 600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid } } };
  return (await client.core.createNamespacedServiceAccountToken({ name: pod.spec?.serviceAccountName ?? 'default', namespace, body })).status?.token ?? '';
}

/** The API server's own /metrics (Prometheus text), read with the client's credentials. */
async function apiserverMetrics(client: ClusterClient): Promise<string> {
  const options: RequestOptions = {};
  await client.kubeConfig.applyToHTTPSOptions(options);
  const server = client.kubeConfig.getCurrentCluster()!.server;
  return new Promise((resolve, reject) => {
    get(`${server}/metrics`, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('verify-split on the test clusters: split-horizon EDS asked of the real istiod', () => {
  const kubeconfigPath = testKubeconfigPath();
  const istioctlPath = findBinary('istioctl');
  const spec = MeshSpec.parse(meshSpecFor('local', 'remote', { verify: { verdicts: ['control-plane'] }, purge: true }));
  const steps = createMeshStepActivities({ kubeconfigPath, istioctlPath, allowDevIstioctl: true, timeouts: { rolloutMs: 150_000 } });
  // to see a failure as soon as istiod shows it: no settling
  const impatient = createMeshStepActivities({ kubeconfigPath, istioctlPath, allowDevIstioctl: true, timeouts: { rolloutMs: 150_000, settleMs: 0 } });
  const clients = new KubeClients(kubeconfigPath);
  const local = clients.forContext('local');
  const remote = clients.forContext('remote');
  const facts: MeshFacts = {};
  let before: { local: string[]; remote: string[] };

  const run = async (step: SetupStepId): Promise<StepOutcome> => {
    const name = step.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof typeof steps;
    const outcome = await (steps[name] as (i: object) => Promise<StepOutcome>)({ spec, facts: { ...facts }, step });
    Object.assign(facts, outcome.facts);
    return outcome;
  };
  const verify = async (activities = steps): Promise<ControlPlaneVerdict> => {
    const outcome = await activities.verifySplit({ spec, facts });
    return outcome.verify!.controlPlane!;
  };
  /** Polls until istiod shows the break: the verdict fails with a diagnostic matching `cause`. */
  const failsWith = async (cause: RegExp): Promise<ControlPlaneVerdict> => {
    let last: ControlPlaneVerdict | undefined;
    await until(`verify-split to fail with ${cause}`, async () => {
      last = await verify(impatient);
      return (!last.passed && last.diagnostics.some((d) => cause.test(d))) || JSON.stringify({ reason: last.reason, diagnostics: last.diagnostics });
    }, 60_000);
    return last!;
  };
  const rows = (v: ControlPlaneVerdict) => v.endpoints.map((e) => [e.kind, e.weight]).sort();
  const remoteV2Pods = async () => (await remote.core.listNamespacedPod({ namespace: 'sample', labelSelector: 'app=helloworld' })).items;

  jest.setTimeout(600_000);

  beforeAll(async () => {
    before = { local: await clusterSnapshot(local), remote: await clusterSnapshot(remote) };
    for (const step of SETUP_STEPS.filter((s) => s !== 'verify-split')) await run(step);
  }, 600_000);

  afterAll(async () => {
    await steps.cleanupStep({ spec, facts, step: 'cleanup' });
  }, 600_000);

  it('after setup: the local pod on :5000 and the remote gateway on :15443 with weight 1, never a remote pod IP', async () => {
    const v = await verify();
    expect(v).toMatchObject({ passed: true, diagnostics: [], warnings: [] });
    expect(rows(v)).toEqual([['local-pod', 1], ['remote-gateway', 1]]);
    expect(v.endpoints.find((e) => e.kind === 'remote-gateway')).toMatchObject({ endpoint: `${facts.remoteGatewayAddress}:15443`, network: 'network2', what: 'remote gateway (1 remote pod)' });
  });

  /** sleep's pod, node, token (its istio-token's audience) and the mesh root: what its sidecar has. */
  const asSleep = async () => {
    const [sleep] = (await local.core.listNamespacedPod({ namespace: 'sample', labelSelector: 'app=sleep' })).items;
    const root = (await local.core.readNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace: 'sample' })).data!['root-cert.pem'];
    return { sleep, node: sidecarNode(sleep), root, token: await podToken(local, sleep, istioTokenAudience(sleep)) };
  };
  const syncz = () => istiodDebug<SyncStatus[]>('/debug/syncz');

  /** The port-forwards the API server counts as open: each is a long-running request until its tunnel closes. */
  const openForwards = async () =>
    (await apiserverMetrics(local))
      .split('\n')
      .filter((l) => l.startsWith('apiserver_longrunning_requests{') && l.includes('subresource="portforward"'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

  it('closes its port-forward tunnels: the API server counts one while a connection is open and none after (a schedule verifies every few minutes)', async () => {
    const { root, token } = await asSleep();
    const istiod = await connectToIstiod(local, { token, rootCert: root });
    const [host, port] = istiod.xds.address.split(':');
    const connection = createConnection({ host, port: Number(port) });
    try {
      await until('the API server to count the open tunnel', async () => (await openForwards()) >= 1 || 'no port-forward counted', 15_000);
    } finally {
      connection.destroy();
      await istiod.close();
    }
    await until('the tunnel to close', async () => (await openForwards()) === 0 || `${await openForwards()} still open`, 15_000);
    await verify();
    await until('every tunnel of verify-split to close', async () => (await openForwards()) === 0 || `${await openForwards()} still open`, 15_000);
  });


  it("ACKs the assignment as a proxy does: while the stream is open, istiod's /debug/syncz shows the EDS response ACKed; then the proxy leaves", async () => {
    const { sleep, node, root, token } = await asSleep();
    const proxyId = `${sleep.metadata?.name}.sample`; // istiod's proxy id: the node id's third part
    const istiod = await connectToIstiod(local, { token, rootCert: root });
    try {
      let row: SyncStatus | undefined;
      let nonce = '';
      const cla = await fetchClusterLoadAssignment(istiod.xds, node, HELLOWORLD_CLUSTER, {
        whileAcked: async (ack) => {
          nonce = ack.nonce;
          await until('istiod to record the ACK of the EDS response', async () => {
            row = (await syncz()).find((r) => r.proxy === proxyId);
            return row?.endpoint_acked === ack.nonce || `syncz: ${JSON.stringify(row ?? 'proxy not connected')}`;
          }, 10_000);
        },
      });
      expect(cla.cluster_name).toBe(HELLOWORLD_CLUSTER);
      expect(nonce).not.toBe('');
      expect(row).toMatchObject({ proxy: proxyId, cluster_id: 'local', endpoint_sent: nonce, endpoint_acked: nonce });
      await until('the proxy to leave istiod', async () => !(await syncz()).some((r) => r.proxy === proxyId) || 'still connected', 10_000);
    } finally {
      await istiod.close();
    }
  });

  describe("istiod's checks of the sidecar's credentials, asked through the product's client", () => {
    let server: XdsServer;
    let sleepNode: ReturnType<typeof sidecarNode>;
    let closeIstiod: () => Promise<void>;
    beforeAll(async () => {
      const { node, root, token } = await asSleep();
      const istiod = await connectToIstiod(local, { token, rootCert: root });
      server = istiod.xds;
      sleepNode = node;
      closeIstiod = () => istiod.close();
    });
    afterAll(() => closeIstiod?.());
    const ask = (s: XdsServer, node = sleepNode) => fetchClusterLoadAssignment(s, node, HELLOWORLD_CLUSTER, 20_000);

    it('takes the audience from the injected istio-token volume and passes with the real credentials', async () => {
      const { sleep } = await asSleep();
      expect(istioTokenAudience(sleep)).toBe('istio-ca');
      expect((await ask(server)).cluster_name).toBe(HELLOWORLD_CLUSTER);
    });

    it('refuses istiod checked against a root of another CA', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'other-ca-'));
      await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/O=other/CN=Other Root CA', '-days', '1', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt')]);
      const otherRoot = readFileSync(join(dir, 'ca.crt'), 'utf8');
      await expect(ask({ ...server, tls: { ...server.tls!, rootCert: otherRoot } })).rejects.toThrow(
        new RegExp(`failed the TLS check of istiod's certificate against the mesh root as ${ISTIOD_SERVER_NAME.replaceAll('.', '\\.')} \\(.*(certificate|issuer|verify)`),
      );
    });

    it('refuses istiod under a name its certificate does not carry', async () => {
      await expect(ask({ ...server, tls: { ...server.tls!, serverName: 'istiod.elsewhere.svc' } })).rejects.toThrow(
        /failed the TLS check of istiod's certificate against the mesh root as istiod\.elsewhere\.svc \(.*(altnames|does not match)/,
      );
    });

    it('is refused without a token', async () => {
      await expect(ask({ ...server, token: undefined })).rejects.toThrow(/refused the sidecar's credentials \(UNAUTHENTICATED: .*\): no token was sent/);
    });

    it('is refused with a token of another audience', async () => {
      const { sleep } = await asSleep();
      await expect(ask({ ...server, token: await podToken(local, sleep, 'not-istio') })).rejects.toThrow(/refused the sidecar's credentials \(UNAUTHENTICATED: .*\): istiod could not validate the token/);
    });

    it("sends the ClusterID header: a remote pod's token is validated by the remote's API server, and istiod answers as network2", async () => {
      const [v2] = await remoteV2Pods();
      const node = sidecarNode(v2);
      expect(nodeField(node, 'CLUSTER_ID')).toBe('remote');
      const cla = await ask({ ...server, token: await podToken(remote, v2, istioTokenAudience(v2)) }, node);
      const sent = cla.endpoints.flatMap((g) => g.lb_endpoints.map((e) => `${e.endpoint?.address?.socket_address?.address}:${e.endpoint?.address?.socket_address?.port_value}`)).sort();
      expect(sent).toEqual([`${facts.localGatewayAddress}:15443`, `${v2.status?.podIP}:5000`].sort());
    });

    it("refuses plaintext where istiod's args turn --grpcAddr off (IstiodPlaintextOff)", async () => {
      const [pod] = (await local.core.listNamespacedPod({ namespace: 'istio-system', labelSelector: 'app=istiod' })).items;
      const off = structuredClone(pod);
      off.spec!.containers.find((c) => c.name === 'discovery')!.args!.push('--grpcAddr=');
      const core = Object.assign(Object.create(local.core) as typeof local.core, { listNamespacedPod: async () => ({ items: [off] }) });
      await expect(connectToIstiod({ ...local, core } as ClusterClient, { plaintext: true })).rejects.toMatchObject({
        type: 'IstiodPlaintextOff',
        message: expect.stringMatching(/^istiod istiod-\S+ on local serves no plaintext xDS \(--grpcAddr is off\): set plaintextXds=false/),
      });
    });
  });

  it("asks as sleep's own sidecar: the node id and metadata of the injected pod; as a proxy in network2 istiod answers the other half of the split", async () => {
    const [sleep] = (await local.core.listNamespacedPod({ namespace: 'sample', labelSelector: 'app=sleep' })).items;
    const node = sidecarNode(sleep);
    const { name, namespace } = sleep.metadata as { name: string; namespace: string };
    expect(node.id).toBe(`sidecar~${sleep.status?.podIP}~${name}.${namespace}~sample.svc.cluster.local`);
    for (const [key, value] of Object.entries({ NETWORK: 'network1', CLUSTER_ID: 'local', MESH_ID: 'mesh1', NAMESPACE: 'sample', ISTIO_VERSION: '1.31.0', INSTANCE_IPS: sleep.status?.podIP })) {
      expect([key, nodeField(node, key)]).toEqual([key, value]);
    }

    const istiod = await connectToIstiod(local, { plaintext: true });
    try {
      const asRemote = { ...node, metadata: { fields: { ...node.metadata.fields, NETWORK: { stringValue: 'network2' } } } };
      const cla = await fetchClusterLoadAssignment(istiod.xds, asRemote, 'outbound|5000||helloworld.sample.svc.cluster.local');
      const sent = cla.endpoints.flatMap((g) => g.lb_endpoints.map((e) => `${e.endpoint?.address?.socket_address?.address}:${e.endpoint?.address?.socket_address?.port_value}`)).sort();
      const [v2] = await remoteV2Pods();
      expect(sent).toEqual([`${facts.localGatewayAddress}:15443`, `${v2.status?.podIP}:5000`].sort());
    } finally {
      await istiod.close();
    }
  });

  it("plaintextXds asks istiod's port 15010 instead and sees the same split", async () => {
    const plain = MeshSpec.parse({ ...spec, verify: { ...spec.verify, plaintextXds: true } });
    const outcome = await steps.verifySplit({ spec: plain, facts });
    expect(outcome.verify?.controlPlane).toMatchObject({ passed: true });
    expect(rows(outcome.verify!.controlPlane!)).toEqual([['local-pod', 1], ['remote-gateway', 1]]);
  });

  it('scaling helloworld-v2 to 2 replicas makes the gateway weight 2; deploy-samples scales it back to 1', async () => {
    await remote.apps.patchNamespacedDeploymentScale({ name: 'helloworld-v2', namespace: 'sample', body: { spec: { replicas: 2 } } }, MERGE);
    await waitForWorkloads(remote, { namespace: 'sample', timeoutMs: 120_000 });
    const scaled = await verify();
    expect(scaled.passed).toBe(true);
    expect(rows(scaled)).toEqual([['local-pod', 1], ['remote-gateway', 2]]);
    expect(scaled.endpoints.find((e) => e.kind === 'remote-gateway')?.what).toBe('remote gateway (2 remote pods)');

    await run('deploy-samples');
    const back = await verify();
    expect(rows(back)).toEqual([['local-pod', 1], ['remote-gateway', 1]]);
  });

  it('deleting the remote secret leaves only local endpoints, naming link-secret; link-secret repairs it', async () => {
    await local.core.deleteNamespacedSecret({ name: 'istio-remote-secret-remote', namespace: 'istio-system' });
    const broken = await failsWith(/^Only local endpoints: there is no remote secret for remote on local.*Fix: rerun link-secret\.$/);
    expect(rows(broken)).toEqual([['local-pod', 1]]);
    expect(broken.reason).toContain(`no endpoint for the remote network: expected its gateway ${facts.remoteGatewayAddress}:15443 for 1 Ready remote pod(s)`);

    await run('link-secret');
    expect(await verify()).toMatchObject({ passed: true, diagnostics: [] });
  });

  it("a remote secret naming an API server istiod cannot reach: remote not synced, naming link-secret; link-secret repairs it", async () => {
    const name = 'istio-remote-secret-remote';
    const secret = await local.core.readNamespacedSecret({ name, namespace: 'istio-system' });
    const data = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(Buffer.from(v, 'base64').toString('utf8').replace(/server: \S+/, 'server: https://127.0.0.1:1'), 'utf8').toString('base64')]),
    );
    expect(Object.keys(data)).toEqual(['remote']);
    // replaced, not updated: istiod keeps an updated cluster's old client until the new one syncs
    await local.core.deleteNamespacedSecret({ name, namespace: 'istio-system' });
    await until('istiod to drop cluster remote', async () => {
      const clusters = await istiodDebug<{ id: string }[]>('/debug/clusterz');
      return !clusters.some((c) => c.id === 'remote') || JSON.stringify(clusters);
    }, 60_000);
    await local.core.createNamespacedSecret({ namespace: 'istio-system', body: { metadata: { name, labels: secret.metadata?.labels, annotations: secret.metadata?.annotations }, type: secret.type, data } });
    const broken = await failsWith(/^Remote cluster remote is (syncing|timeout) in istiod \(\/debug\/clusterz\): the remote secret's server is unreachable from istiod or its token was revoked\. Fix: rerun link-secret/);
    expect(rows(broken)).toEqual([['local-pod', 1]]);

    await run('link-secret');
    expect(await verify()).toMatchObject({ passed: true, diagnostics: [], warnings: [] });
  });

  it("without network2's gateway in meshNetworks istiod sends the remote pod's IP, naming patch-gateway; patch-gateway repairs it", async () => {
    await steps.cleanupStep({ spec, facts, step: 'patch-gateway' });
    const broken = await failsWith(/^istiod knows no gateway for network2 \(\/debug\/networkz\): meshNetworks has no gateway for it\. Fix: rerun patch-gateway\.$/);
    // with no gateway for a network istiod takes its endpoints as directly reachable
    expect(rows(broken)).toEqual([['local-pod', 1], ['remote-pod', 1]]);
    expect(broken.reason).toMatch(/remote pod IP 10\.245\.\d+\.\d+:5000 sent directly \(unreachable from network1\)/);

    await run('patch-gateway');
    expect(await verify()).toMatchObject({ passed: true, diagnostics: [] });
  });

  it("moving the remote gateway's load-balancer address without patching meshNetworks: istiod sends the stale address, naming patch-gateway; patch-gateway repairs it", async () => {
    const [old, moved] = [facts.remoteGatewayAddress, '198.51.100.200'];
    await remote.core.patchNamespacedServiceStatus(
      { name: 'istio-eastwestgateway', namespace: 'istio-system', body: { status: { loadBalancer: { ingress: [{ ip: moved, ipMode: 'VIP' }] } } } },
      MERGE,
    );
    const broken = await failsWith(new RegExp(`^meshNetworks sends network2 to ${old}:15443, but the remote gateway's load balancer is ${moved}\\. Fix: rerun patch-gateway\\.$`));
    expect(broken.endpoints.find((e) => e.kind === 'stale-gateway')).toMatchObject({ endpoint: `${old}:15443`, what: `stale gateway from meshNetworks (the load balancer is ${moved})` });
    expect(broken.reason).toContain(`network2's traffic goes to ${old}:15443, which is no longer the remote gateway's load balancer (${moved})`);

    const patched = await run('patch-gateway');
    expect(patched.summary).toBe(`meshNetworks network2 gateway ${old} → ${moved}:15443 on local`);
    const repaired = await verify();
    expect(repaired).toMatchObject({ passed: true, diagnostics: [] });
    expect(repaired.endpoints.find((e) => e.kind === 'remote-gateway')?.endpoint).toBe(`${moved}:15443`);
  });

  it("helloworld-v2's template labelled topology.istio.io/network=network1: istiod sends its IP directly, naming the label; removing it repairs", async () => {
    const relabel = async (network: string | null) => {
      await remote.apps.patchNamespacedDeployment({ name: 'helloworld-v2', namespace: 'sample', body: { spec: { template: { metadata: { labels: { 'topology.istio.io/network': network } } } } } }, MERGE);
      await until(`helloworld-v2 to roll out with network label ${network}`, async () => {
        const pods = (await remoteV2Pods()).filter((p) => !p.metadata?.deletionTimestamp);
        const want = network ?? 'network2'; // without its own label the injector's network2 stays
        return (pods.length === 1 && podReady(pods[0]) && pods[0].metadata?.labels?.['topology.istio.io/network'] === want) || pods.map((p) => `${p.metadata?.name} ${JSON.stringify(p.metadata?.labels)}`).join('; ');
      }, 120_000);
    };
    await relabel('network1');
    const [v2] = (await remoteV2Pods()).filter((p) => !p.metadata?.deletionTimestamp);
    const broken = await failsWith(
      new RegExp(`^Remote pod ${v2.metadata?.name} is sent directly because istiod takes it for network1 \\(its own topology\\.istio\\.io/network label, which wins over the injector's\\)\\. Fix: remove that label from its template\\.$`),
    );
    expect(broken.endpoints.find((e) => e.kind === 'remote-pod')).toMatchObject({ endpoint: `${v2.status?.podIP}:5000`, network: 'network1' });

    await relabel(null);
    await until('verify-split to pass again', async () => {
      const v = await verify(impatient);
      return (v.passed && v.diagnostics.length === 0 && v.warnings.length === 0) || v.reason;
    }, 60_000);
  });

  it('removing the network label from the remote istio-system: injected pods keep the split (the injector labels them), verify warns naming install-remote; install-remote repairs it', async () => {
    await remote.core.patchNamespace({ name: 'istio-system', body: { metadata: { labels: { 'topology.istio.io/network': null } } } }, MERGE);
    expect((await remoteV2Pods())[0].metadata?.labels).toMatchObject({ 'topology.istio.io/network': 'network2' });
    const v = await verify();
    expect(v.passed).toBe(true);
    expect(v.warnings).toEqual([expect.stringMatching(/^Remote istio-system is labelled topology\.istio\.io\/network=\(none\), not network2: .*Fix: rerun install-remote \(it labels it\)\.$/)]);

    await run('install-remote');
    expect(await verify()).toMatchObject({ passed: true, diagnostics: [], warnings: [] });
  });

  it('helloworld-v2 without a sidecar: sent by IP while its network is unknown; dropped once install-remote labels istio-system; deploy-samples restarts it injected', async () => {
    // without the remote istio-system's network label a pod without a sidecar has no network
    await remote.core.patchNamespace({ name: 'istio-system', body: { metadata: { labels: { 'topology.istio.io/network': null } } } }, MERGE);
    await remote.core.patchNamespace({ name: 'sample', body: { metadata: { labels: { 'istio-injection': null } } } }, MERGE);
    for (const pod of await remoteV2Pods()) await remote.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: 'sample' });
    let bare: V1Pod | undefined;
    await until('helloworld-v2 to come back without a sidecar', async () => {
      const pods = await remoteV2Pods();
      bare = pods.find((p) => podReady(p) && !p.metadata?.labels?.['security.istio.io/tlsMode']);
      return (pods.length === 1 && bare !== undefined) || pods.map((p) => p.metadata?.name).join(', ');
    }, 120_000);
    if (!bare) throw new Error('helloworld-v2 was Ready without a sidecar, then gone');

    const unknownNetwork = await failsWith(new RegExp(`^Remote pod ${bare.metadata?.name} is sent directly because it has no network: it is not injected .*Fix: rerun install-remote, label its namespace istio-injection=enabled and restart it\\.$`));
    expect(unknownNetwork.endpoints.find((e) => e.kind === 'remote-pod')).toMatchObject({ endpoint: `${bare.status?.podIP}:5000`, network: '(none)' });

    await run('install-remote');
    const dropped = await failsWith(new RegExp(`^Remote endpoints dropped: ${bare.metadata?.name} on remote carry no security\\.istio\\.io/tlsMode label \\(not injected\\).*Fix: label their namespace istio-injection=enabled and restart them\\.$`));
    expect(rows(dropped)).toEqual([['local-pod', 1]]);

    const deployed = await run('deploy-samples');
    expect(deployed.summary).toContain('restarted helloworld-v2 on remote, which had no sidecar');
    const repaired = await verify();
    expect(repaired).toMatchObject({ passed: true, diagnostics: [], warnings: [] });
    expect(rows(repaired)).toEqual([['local-pod', 1], ['remote-gateway', 1]]);
  });

  it('every repair was a step: cleanup leaves both clusters as before the setup', async () => {
    await steps.cleanupStep({ spec, facts, step: 'cleanup' });
    expect({ local: await clusterSnapshot(local), remote: await clusterSnapshot(remote) }).toEqual(before);
  });
});
