import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpointRows, judgeControlPlane, type SplitExpectation } from '../../activities/istio/verify/control-plane';
import { explainVerdict, type MeshObservations } from '../../activities/istio/verify/diagnostics';
import type { ClusterLoadAssignment, LbEndpoint } from '../../activities/xds/xds-types';

/**
 * The control-plane verdict as a pure judgement of an assignment. The input is a
 * ClusterLoadAssignment of `outbound|5000||helloworld.sample.svc.cluster.local` as istiod 1.31.0 of
 * the test clusters sent it to sleep's sidecar (decoded by the product's own client; see the
 * fixture's `_source`), and each case changes it the way a broken mesh would.
 */
const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'cla-split.json'), 'utf8')) as ClusterLoadAssignment & { _source: string; _expectation: SplitExpectation };
const { _source: _, _expectation: x, ...split } = recorded;
const clone = (): ClusterLoadAssignment => JSON.parse(JSON.stringify(split)) as ClusterLoadAssignment;
const endpoints = (cla: ClusterLoadAssignment) => cla.endpoints.flatMap((g) => g.lb_endpoints);
const socket = (e: LbEndpoint) => e.endpoint!.address!.socket_address!;
const isGateway = (e: LbEndpoint) => socket(e).port_value === x.gatewayPort;
const judge = (cla: ClusterLoadAssignment, expectation: SplitExpectation = x) => judgeControlPlane(endpointRows(cla, expectation), expectation);
const localPod = x.localPods[0];
const remotePod = x.remotePods[0];

describe('the control-plane verdict on an assignment istiod sent', () => {
  it('passes on the assignment as istiod sent it after a setup', () => {
    expect(endpoints(split).map((e) => `${socket(e).address}:${socket(e).port_value}`).sort()).toEqual([`${localPod.ip}:5000`, `${x.remoteGateway}:15443`].sort());
    const v = judge(clone());
    expect(v.passed).toBe(true);
    expect(v.endpoints.map((r) => [r.kind, r.weight]).sort()).toEqual([['local-pod', 1], ['remote-gateway', 1]]);
  });

  it('fails when istiod sends a local pod that is not Ready', () => {
    const notReady = { ...x, localPods: [{ ...localPod, ready: false }] };
    const v = judge(clone(), notReady);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain(`local endpoints ${localPod.ip}:5000, expected the Ready local pods none`);
    expect(v.endpoints.find((r) => r.kind === 'local-pod')?.what).toBe(`local pod ${localPod.name} (not Ready)`);
  });

  it('fails when the local pod IP comes on the wrong port', () => {
    const cla = clone();
    socket(endpoints(cla).find((e) => !isGateway(e))!).port_value = 8080;
    const v = judge(cla);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain(`local endpoints none, expected the Ready local pods ${localPod.ip}:5000`);
    expect(v.reason).toContain(`endpoint ${localPod.ip}:8080 is neither a local pod nor the remote gateway`);
  });

  it('fails when the gateway weighs 1 while 2 remote pods are Ready', () => {
    const twoRemote = { ...x, remotePods: [remotePod, { ...remotePod, name: `${remotePod.name}-2`, ip: '10.245.0.99' }] };
    const v = judge(clone(), twoRemote);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain('the remote gateway weighs 1, 1 remote pod(s), but 2 remote pod(s) are Ready');
  });

  it('fails when a remote pod IP comes beside the gateway', () => {
    const cla = clone();
    const group = cla.endpoints.find((g) => g.lb_endpoints.some(isGateway))!;
    const direct = JSON.parse(JSON.stringify(group.lb_endpoints.find(isGateway))) as LbEndpoint;
    Object.assign(socket(direct), { address: remotePod.ip, port_value: 5000 });
    group.lb_endpoints.push(direct);
    const v = judge(cla);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain(`remote pod IP ${remotePod.ip}:5000 sent directly (unreachable from network1)`);
  });

  it('fails on an endpoint meshops does not know', () => {
    const cla = clone();
    const stranger = JSON.parse(JSON.stringify(endpoints(cla).find((e) => !isGateway(e)))) as LbEndpoint;
    Object.assign(socket(stranger), { address: '10.250.0.9' });
    cla.endpoints[0].lb_endpoints.push(stranger);
    const v = judge(cla);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain('endpoint 10.250.0.9:5000 is neither a local pod nor the remote gateway');
    expect(v.endpoints.find((r) => r.endpoint === '10.250.0.9:5000')).toMatchObject({ kind: 'unknown', network: '?' });
  });
});

describe("the verdict's diagnostics when istiod's debug endpoints cannot be read", () => {
  const synced: MeshObservations = {
    remoteCluster: 'remote',
    clusters: [{ id: 'local', syncStatus: 'synced' }, { id: 'remote', syncStatus: 'synced', secretName: 'istio-system/istio-remote-secret-remote' }],
    gateways: [{ Network: 'network2', Addr: x.remoteGateway!, Port: 15443 }],
    remoteSecret: 'istio-remote-secret-remote',
    remoteNamespaceNetwork: 'network2',
  };
  const down = () => Promise.reject(new Error('istiod istiod-abc answered /debug/clusterz with HTTP 503'));

  it('keeps a passed verdict and says the diagnostics are unavailable, and why', async () => {
    const rows = endpointRows(clone(), x);
    const v = await explainVerdict(judgeControlPlane(rows, x), down, x, rows);
    expect(v).toMatchObject({ passed: true, endpoints: rows, diagnostics: [], warnings: ['diagnostics unavailable: istiod istiod-abc answered /debug/clusterz with HTTP 503'] });
  });

  it('keeps a failed verdict with its table and reason, the unavailable diagnostics beside it', async () => {
    const cla = clone();
    cla.endpoints = cla.endpoints.filter((g) => !g.lb_endpoints.some(isGateway));
    const rows = endpointRows(cla, x);
    const judged = judgeControlPlane(rows, x);
    const v = await explainVerdict(judged, down, x, rows);
    expect(v).toMatchObject({ passed: false, reason: judged.reason, endpoints: rows, diagnostics: ['diagnostics unavailable: istiod istiod-abc answered /debug/clusterz with HTTP 503'], warnings: [] });
  });

  it('with the debug endpoints readable: findings of a failed verdict, none of a healthy mesh', async () => {
    const rows = endpointRows(clone(), x);
    expect(await explainVerdict(judgeControlPlane(rows, x), () => Promise.resolve(synced), x, rows)).toMatchObject({ passed: true, diagnostics: [], warnings: [] });
    const stale = { ...synced, clusters: [synced.clusters[0], { ...synced.clusters[1], syncStatus: 'timeout' }] };
    const v = await explainVerdict(judgeControlPlane(rows, x), () => Promise.resolve(stale), x, rows);
    expect(v.warnings).toEqual([expect.stringMatching(/^Remote cluster remote is timeout in istiod .*Fix: rerun link-secret/)]);
  });
});
