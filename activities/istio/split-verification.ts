import type { VerifyResult } from '../../common/verify-result';

/** Printed before each call so every call's output (answer or error) is its own block. */
export const CALL_MARKER = '--- meshops call';

/** The shell loop run in sleep's container: N calls, each preceded by the marker. */
export function callLoopCommand(url: string, requests: number): string[] {
  const script = `for i in $(seq 1 ${requests}); do echo "${CALL_MARKER} $i"; curl -sS --max-time 5 ${url} 2>&1 || echo "curl exit $?"; done`;
  return ['sh', '-c', script];
}

const HELLO = /Hello version: (?<version>[\w.-]+), instance: (?<instance>[\w.-]+)/;

export interface CallTally {
  requests: number;
  failures: number;
  byVersion: Record<string, number>;
  byInstance: Record<string, number>;
  /** The first few failed calls' output, for the report. */
  failureSamples: string[];
}

/** Parses the call loop's output (helloworld's `Hello version: v2, instance: …` lines) into counts. */
export function tallyCalls(output: string): CallTally {
  const blocks = output.split(CALL_MARKER).slice(1);
  const tally: CallTally = { requests: blocks.length, failures: 0, byVersion: {}, byInstance: {}, failureSamples: [] };
  for (const block of blocks) {
    const body = block.replace(/^ *\d+\s*\n?/, '');
    const hello = HELLO.exec(body);
    if (!hello?.groups) {
      tally.failures += 1;
      if (tally.failureSamples.length < 3) tally.failureSamples.push(body.trim().split('\n')[0] || '(no output)');
      continue;
    }
    const { version, instance } = hello.groups;
    tally.byVersion[version] = (tally.byVersion[version] ?? 0) + 1;
    tally.byInstance[instance] = (tally.byInstance[instance] ?? 0) + 1;
  }
  return tally;
}

/**
 * Counts the upstream endpoints in sleep's istio-proxy access log for calls to the service: the
 * local pod (`10.10.0.90:5000`) or the remote gateway (`192.23.120.32:15443`). Works for the
 * seed's log format and today's default (both print `"authority" "upstream-host" outbound|…`).
 */
export function tallyEndpoints(accessLog: string, serviceFqdn: string, port: number): Record<string, number> {
  const cluster = `outbound|${port}||${serviceFqdn}`;
  const counts: Record<string, number> = {};
  for (const line of accessLog.split('\n')) {
    if (!line.includes(cluster)) continue;
    const m = /"[^"]*" "(?<upstream>[^"]+)" outbound\|/.exec(line);
    const upstream = m?.groups?.upstream;
    if (!upstream || upstream === '-') continue;
    counts[upstream] = (counts[upstream] ?? 0) + 1;
  }
  return counts;
}

export interface SplitThresholds {
  minShare: number;
  maxFailures: number;
}

/** Passes only when the failures stay within bounds and each expected version answered its share. */
export function judgeSplit(
  tally: CallTally,
  byEndpoint: Record<string, number>,
  thresholds: SplitThresholds,
  expectedVersions: readonly string[] = ['v1', 'v2'],
): VerifyResult {
  const problems: string[] = [];
  if (tally.requests === 0) problems.push('no call ran (the loop printed nothing)');
  if (tally.failures > thresholds.maxFailures) {
    problems.push(
      `${tally.failures} of ${tally.requests} calls failed (at most ${thresholds.maxFailures} allowed)` +
        (tally.failureSamples.length ? `, e.g. "${tally.failureSamples[0]}"` : ''),
    );
  }
  const minCount = Math.ceil(thresholds.minShare * tally.requests);
  for (const version of expectedVersions) {
    const count = tally.byVersion[version] ?? 0;
    if (count === 0) problems.push(`${version} never answered`);
    else if (count < minCount) problems.push(`${version} answered ${count} of ${tally.requests} calls (needs ${minCount}, ${thresholds.minShare * 100}%)`);
  }
  const counts = expectedVersions.map((v) => `${v} ${tally.byVersion[v] ?? 0}`).join(', ');
  const passed = problems.length === 0;
  const reason = passed
    ? `Both versions answered: ${counts} of ${tally.requests} calls, ${tally.failures} failed.`
    : `Split not verified: ${problems.join('; ')}. Check the remote gateway address in meshNetworks and the remote secret, then rerun verify-split.`;
  return {
    requests: tally.requests,
    failures: tally.failures,
    byVersion: tally.byVersion,
    byInstance: tally.byInstance,
    byEndpoint,
    passed,
    reason,
  };
}
