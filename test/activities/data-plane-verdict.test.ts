import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterClient } from '../../activities/kube/cluster-client';
import { callLoopCommand, hostsBetween, hostsFromClusters, judgeDataPlane, pathsFromAccessLog, readCallPaths, tallyCalls, warmUpCommand, type ProxyReaders } from '../../activities/istio/verify/data-plane';
import { recordedDataPlane } from '../harness/recorded-data-plane';

/**
 * The data-plane verdict on recorded output: the call loop's answers, and each call's path as
 * sleep's proxy shows it, in today's default access-log format and in Envoy's /clusters admin
 * page. No Envoy runs here, so these are written by hand in those formats (Istio's
 * EnvoyTextLogFormat, Envoy's `cluster::host::stat::value`), not recorded from a mesh. The /clusters
 * pages are snapshots of one proxy's counters: before the calls (the warm-up's two), after a good
 * run, after a run whose v2 went to a remote pod IP, and after a later good run on that proxy.
 */
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const thresholds = { minShare: 0.1, maxFailures: 0 };
const cluster = 'outbound|5000||helloworld.sample.svc.cluster.local';
const expected = { localEndpoints: ['10.244.1.3:5000'], gateway: '198.51.100.1:15443' };

describe('the data-plane verdict on recorded output', () => {
  it('counts answers per version, instance and request id from helloworld lines', () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    expect(tally).toMatchObject({ requests: 10, failures: 0, byVersion: { v1: 5, v2: 5 }, failureSamples: [] });
    expect(tally.byRequest).toMatchObject({ 'meshops-RUN-1': 'v2', 'meshops-RUN-2': 'v1' });
  });

  it('counts failed calls (envoy 503 bodies, curl timeouts) and keeps samples', () => {
    const tally = tallyCalls(fixture('split-calls-remote-down.txt'));
    expect(tally).toMatchObject({ requests: 6, failures: 2, byVersion: { v1: 4 } });
    expect(tally.failureSamples[0]).toMatch(/^upstream connect error/);
    expect(tally.failureSamples[1]).toMatch(/^curl: \(28\)/);
  });

  it('sends each call with its own x-request-id, and warms up until both versions have answered', () => {
    const [, , loop] = callLoopCommand('helloworld.sample:5000/hello', 10, 'ab12');
    expect(loop).toContain('seq 1 10');
    expect(loop).toContain('-H "x-request-id: meshops-ab12-$i"');
    expect(loop).toContain('echo "--- meshops call $i meshops-ab12-$i"');
    expect(warmUpCommand('helloworld.sample:5000/hello', 20)[2]).toContain('*"version: v2"*) b=1');
  });

  it("reads each call's upstream host from the access log by request id (today's default format)", () => {
    const paths = pathsFromAccessLog(fixture('sleep-access-log.txt'), cluster);
    expect(Object.keys(paths)).toHaveLength(10);
    expect(paths['meshops-RUN-1']).toBe('198.51.100.1:15443');
    expect(paths['meshops-RUN-2']).toBe('10.244.1.3:5000');
  });

  it("reads per-host successes of the cluster from Envoy's /clusters", () => {
    expect(hostsFromClusters(fixture('sleep-clusters.txt'), cluster)).toEqual({ '10.244.1.3:5000': 6, '198.51.100.1:15443': 6 });
  });

  const byHost = (before: string, after: string) => hostsBetween(hostsFromClusters(fixture(before), cluster), hostsFromClusters(fixture(after), cluster));

  it("counts only this run's calls from /clusters: the difference of the snapshots before and after the loop", () => {
    expect(byHost('sleep-clusters-before.txt', 'sleep-clusters.txt')).toEqual({ '10.244.1.3:5000': 5, '198.51.100.1:15443': 5 });
    expect(byHost('sleep-clusters-before.txt', 'sleep-clusters-remote-pod.txt')).toEqual({ '10.244.1.3:5000': 5, '10.245.0.2:5000': 5 });
  });

  it("a repaired mesh passes although Envoy's totals still hold an earlier run's calls to a remote pod IP", () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    const totals = judgeDataPlane(tally, { byHost: hostsFromClusters(fixture('sleep-clusters-after-repair.txt'), cluster) }, expected, thresholds);
    expect(totals.reason).toContain('5 call(s) went to 10.245.0.2:5000'); // what judging the totals would say
    const run = judgeDataPlane(tally, { byHost: byHost('sleep-clusters-remote-pod.txt', 'sleep-clusters-after-repair.txt') }, expected, thresholds);
    expect(run).toMatchObject({ passed: true, byEndpoint: { '10.244.1.3:5000': 5, '198.51.100.1:15443': 5 } });
  });

  it('passes when v1 came from the local pod and v2 through the remote gateway, by access log or by /clusters', () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    const byLog = judgeDataPlane(tally, { byRequest: pathsFromAccessLog(fixture('sleep-access-log.txt'), cluster) }, expected, thresholds);
    expect(byLog).toMatchObject({ checked: true, passed: true, byEndpoint: { '10.244.1.3:5000': 5, '198.51.100.1:15443': 5 } });
    expect(byLog.reason).toBe('Both versions answered (v1 5, v2 5 of 10 calls, 0 failed), v1 from local pods and v2 through the remote gateway 198.51.100.1:15443.');
    expect(judgeDataPlane(tally, { byHost: byHost('sleep-clusters-before.txt', 'sleep-clusters.txt') }, expected, thresholds).passed).toBe(true);
  });

  it('fails when v2 came from a remote pod IP directly, though both versions answered', () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    const byLog = judgeDataPlane(tally, { byRequest: pathsFromAccessLog(fixture('sleep-access-log-remote-pod.txt'), cluster) }, expected, thresholds);
    expect(byLog.passed).toBe(false);
    expect(byLog.reason).toContain('v2 answered call meshops-RUN-1 through 10.245.0.2:5000, not the remote gateway 198.51.100.1:15443');
    const viaClusters = judgeDataPlane(tally, { byHost: byHost('sleep-clusters-before.txt', 'sleep-clusters-remote-pod.txt') }, expected, thresholds);
    expect(viaClusters.passed).toBe(false);
    expect(viaClusters.reason).toContain('5 call(s) went to 10.245.0.2:5000, neither a local pod nor the remote gateway');
    expect(viaClusters.reason).toContain('v2 answered 5 calls but only 0 went through the remote gateway 198.51.100.1:15443');
  });

  it('fails naming a call the access log does not show', () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    const paths = pathsFromAccessLog(fixture('sleep-access-log.txt'), cluster);
    delete paths['meshops-RUN-3'];
    expect(judgeDataPlane(tally, { byRequest: paths }, expected, thresholds).reason).toContain("call meshops-RUN-3 (v1) is not in sleep's access log");
  });

  it('fails naming the missing version and the failures when the remote never answers', () => {
    const result = judgeDataPlane(tallyCalls(fixture('split-calls-remote-down.txt')), { byHost: {} }, expected, thresholds);
    expect(result.passed).toBe(false);
    expect(result.reason).toContain('2 of 6 calls failed (at most 0 allowed)');
    expect(result.reason).toContain('v2 never answered');
  });

  it('fails when a version answers less than minShare, and tolerates failures up to maxFailures', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `--- meshops call ${i + 1}\nHello version: ${i === 0 ? 'v2' : 'v1'}, instance: hw-${i === 0 ? 'b' : 'a'}\n`);
    expect(judgeDataPlane(tallyCalls(lines.join('')), { byHost: {} }, expected, thresholds).reason).toContain('v2 answered 1 of 20 calls (needs 2, 10%)');
    const tally = { ...tallyCalls(fixture('split-calls.txt')), failures: 1, requests: 11 };
    const paths = { byRequest: pathsFromAccessLog(fixture('sleep-access-log.txt'), cluster) };
    expect(judgeDataPlane(tally, paths, expected, { minShare: 0.1, maxFailures: 1 }).passed).toBe(true);
    expect(judgeDataPlane(tally, paths, expected, { minShare: 0.1, maxFailures: 0 }).passed).toBe(false);
  });

  describe("reading each call's path from sleep's proxy", () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    const ids = Object.keys(tally.byRequest);
    const fullLog = fixture('sleep-access-log.txt');
    const wait = { waitMs: 3_000, pollMs: 20 };
    /** The recorded data plane answers /clusters; the access log grows as Envoy flushes it, one read after another. */
    const readers = (logs: string[], paths: 'split' | 'remote-pod' = 'split') => {
      const dataPlane = recordedDataPlane({ localPod: '10.244.1.3:5000', gateway: '198.51.100.1:15443' }, paths);
      let reads = 0;
      const r: ProxyReaders & { reads: () => number } = {
        reads: () => reads,
        accessLog: async () => logs[Math.min(reads++, logs.length - 1)],
        clusters: () => dataPlane.exec({} as ClusterClient, { namespace: 'sample', pod: 'sleep-1', container: 'istio-proxy', command: ['pilot-agent', 'request', 'GET', 'clusters'], timeoutMs: 30_000 }),
      };
      return { r, dataPlane };
    };
    const firstLines = (n: number) => fullLog.split('\n').slice(0, n).join('\n');

    it('reads the access log again until every call is in it (Envoy flushes it about once a second)', async () => {
      const { r, dataPlane } = readers([firstLines(1), firstLines(4), fullLog]);
      const before = hostsFromClusters((await r.clusters()).stdout, cluster);
      const paths = await readCallPaths(r, cluster, ids, before, wait);
      expect(r.reads()).toBe(3);
      expect(judgeDataPlane(tally, paths as { byRequest: Record<string, string> }, expected, thresholds)).toMatchObject({ passed: true, byEndpoint: { '10.244.1.3:5000': 5, '198.51.100.1:15443': 5 } });
      expect(dataPlane.requests).toHaveLength(1); // only the snapshot before: the log had every call
    });

    it('gives up after waitMs and names the calls the log still lacks', async () => {
      const { r } = readers([firstLines(4)]);
      const paths = await readCallPaths(r, cluster, ids, {}, { waitMs: 300, pollMs: 20 });
      // it read the log again while waiting (not once and done), once every pollMs at most, then gave up
      expect(r.reads()).toBeGreaterThanOrEqual(2);
      expect(r.reads()).toBeLessThanOrEqual(300 / 20 + 2);
      expect(judgeDataPlane(tally, paths as { byRequest: Record<string, string> }, expected, thresholds).reason).toMatch(/call meshops-RUN-10 \(v[12]\) is not in sleep's access log/);
    });

    it("without access logging: this run's calls from the /clusters snapshots before and after", async () => {
      const { r, dataPlane } = readers(['']);
      const before = hostsFromClusters((await r.clusters()).stdout, cluster);
      expect(await readCallPaths(r, cluster, ids, before, { waitMs: 100, pollMs: 20 })).toEqual({ byHost: { '10.244.1.3:5000': 5, '198.51.100.1:15443': 5 } });
      expect(dataPlane.requests.map((q) => q.command.join(' '))).toEqual(['pilot-agent request GET clusters', 'pilot-agent request GET clusters']);
      const remote = readers([''], 'remote-pod');
      const beforeRemote = hostsFromClusters((await remote.r.clusters()).stdout, cluster);
      const judged = judgeDataPlane(tally, (await readCallPaths(remote.r, cluster, ids, beforeRemote, { waitMs: 100, pollMs: 20 })) as { byHost: Record<string, number> }, expected, thresholds);
      expect(judged.reason).toContain('5 call(s) went to 10.245.0.2:5000, neither a local pod nor the remote gateway');
    });

    it('says why no path could be read when /clusters could not be read before the calls', async () => {
      const { r } = readers(['']);
      expect(await readCallPaths(r, cluster, ids, 'exec failed: no istio-proxy', { waitMs: 50, pollMs: 10 })).toBe(
        "sleep's proxy showed no path: its access log has no line of these calls and its /clusters could not be read (exec failed: no istio-proxy)",
      );
    });
  });
});
