import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callLoopCommand, judgeSplit, tallyCalls, tallyEndpoints } from '../../activities/istio/split-verification';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const thresholds = { minShare: 0.1, maxFailures: 0 };

describe('verify-split parsing of recorded output', () => {
  it('counts answers per version and instance from helloworld lines', () => {
    const tally = tallyCalls(fixture('split-calls.txt'));
    expect(tally).toEqual({
      requests: 10,
      failures: 0,
      byVersion: { v1: 5, v2: 5 },
      byInstance: { 'helloworld-v1-86f77cd7bd-cpxhv': 5, 'helloworld-v2-758dd55874-6x4t8': 5 },
      failureSamples: [],
    });
  });

  it('counts failed calls (envoy 503 bodies, curl timeouts) and keeps samples', () => {
    const tally = tallyCalls(fixture('split-calls-remote-down.txt'));
    expect(tally.requests).toBe(6);
    expect(tally.failures).toBe(2);
    expect(tally.byVersion).toEqual({ v1: 4 });
    expect(tally.failureSamples[0]).toMatch(/^upstream connect error/);
    expect(tally.failureSamples[1]).toMatch(/^curl: \(28\)/);
  });

  it('reads the upstream endpoint of each helloworld call from the istio-proxy log (seed and current formats)', () => {
    const endpoints = tallyEndpoints(fixture('sleep-istio-proxy.log'), 'helloworld.sample.svc.cluster.local', 5000);
    expect(endpoints).toEqual({ '192.23.120.32:15443': 2, '10.10.0.90:5000': 2 });
  });

  it('passes when both versions answer their share', () => {
    const result = judgeSplit(tallyCalls(fixture('split-calls.txt')), { '10.10.0.90:5000': 5, '192.23.120.32:15443': 5 }, thresholds);
    expect(result.passed).toBe(true);
    expect(result.reason).toBe('Both versions answered: v1 5, v2 5 of 10 calls, 0 failed.');
    expect(result.byEndpoint).toEqual({ '10.10.0.90:5000': 5, '192.23.120.32:15443': 5 });
  });

  it('fails naming the missing version and the failures when the remote never answers', () => {
    const result = judgeSplit(tallyCalls(fixture('split-calls-remote-down.txt')), {}, thresholds);
    expect(result.passed).toBe(false);
    expect(result.reason).toContain('2 of 6 calls failed (at most 0 allowed)');
    expect(result.reason).toContain('v2 never answered');
    expect(result.reason).toContain('Check the remote gateway address in meshNetworks');
  });

  it('fails when a version answers less than minShare', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `--- meshops call ${i + 1}\nHello version: ${i === 0 ? 'v2' : 'v1'}, instance: hw-${i === 0 ? 'b' : 'a'}\n`);
    const result = judgeSplit(tallyCalls(lines.join('')), {}, { minShare: 0.1, maxFailures: 0 });
    expect(result.passed).toBe(false);
    expect(result.reason).toContain('v2 answered 1 of 20 calls (needs 2, 10%)');
  });

  it('tolerates failures up to maxFailures', () => {
    const tally = { ...tallyCalls(fixture('split-calls.txt')), failures: 1, requests: 11 };
    expect(judgeSplit(tally, {}, { minShare: 0.1, maxFailures: 1 }).passed).toBe(true);
    expect(judgeSplit(tally, {}, { minShare: 0.1, maxFailures: 0 }).passed).toBe(false);
  });

  it('fails when the loop printed nothing', () => {
    expect(judgeSplit(tallyCalls(''), {}, thresholds).reason).toContain('no call ran');
  });

  it('builds a shell loop of N marked calls', () => {
    const [sh, flag, script] = callLoopCommand('helloworld.sample:5000/hello', 7);
    expect([sh, flag]).toEqual(['sh', '-c']);
    expect(script).toContain('seq 1 7');
    expect(script).toContain('--- meshops call');
    expect(script).toContain('curl -sS --max-time 5 helloworld.sample:5000/hello');
  });
});
