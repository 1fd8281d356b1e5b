import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callLoopCommand, hostsFromClusters, judgeDataPlane, pathsFromAccessLog, tallyCalls, warmUpCommand } from '../../activities/istio/verify/data-plane';

/**
 * The data-plane verdict on recorded output: the call loop's answers, and each call's path as
 * sleep's proxy shows it, in today's default access-log format and in Envoy's /clusters admin
 * page. No Envoy runs here, so these are written in those formats (Istio's EnvoyTextLogFormat,
 * Envoy's `cluster::host::stat::value`), with the addresses of the test clusters.
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
    expect(hostsFromClusters(fixture('sleep-clusters.txt'), cluster)).toEqual({ '10.244.1.3:5000': 5, '198.51.100.1:15443': 5 });
  });

  it('passes when v1 came from the local pod and v2 through the remote gateway, by access log or by /clusters', () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    const byLog = judgeDataPlane(tally, { byRequest: pathsFromAccessLog(fixture('sleep-access-log.txt'), cluster) }, expected, thresholds);
    expect(byLog).toMatchObject({ checked: true, passed: true, byEndpoint: { '10.244.1.3:5000': 5, '198.51.100.1:15443': 5 } });
    expect(byLog.reason).toBe('Both versions answered (v1 5, v2 5 of 10 calls, 0 failed), v1 from local pods and v2 through the remote gateway 198.51.100.1:15443.');
    expect(judgeDataPlane(tally, { byHost: hostsFromClusters(fixture('sleep-clusters.txt'), cluster) }, expected, thresholds).passed).toBe(true);
  });

  it('fails when v2 came from a remote pod IP directly, though both versions answered', () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    const byLog = judgeDataPlane(tally, { byRequest: pathsFromAccessLog(fixture('sleep-access-log-remote-pod.txt'), cluster) }, expected, thresholds);
    expect(byLog.passed).toBe(false);
    expect(byLog.reason).toContain('v2 answered call meshops-RUN-1 through 10.245.0.2:5000, not the remote gateway 198.51.100.1:15443');
    const byHost = judgeDataPlane(tally, { byHost: hostsFromClusters(fixture('sleep-clusters-remote-pod.txt'), cluster) }, expected, thresholds);
    expect(byHost.passed).toBe(false);
    expect(byHost.reason).toContain('5 call(s) went to 10.245.0.2:5000, neither a local pod nor the remote gateway');
    expect(byHost.reason).toContain('v2 answered 5 calls but only 0 went through the remote gateway 198.51.100.1:15443');
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
});
