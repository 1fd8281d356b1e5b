import type { DataPlaneVerdict } from '../../../common/verify-result';

/** Printed before each call, with the call's request id, so every call's output is its own block. */
export const CALL_MARKER = '--- meshops call';
/** What the warm-up prints when both versions have answered once. */
export const WARM = 'meshops: both versions answered';

/** Each call's x-request-id: Envoy logs it, so a call's path is read from sleep's proxy. */
export const requestId = (run: string, i: number) => `meshops-${run}-${i}`;

/**
 * The shell loop run in sleep's container: N calls, each preceded by the marker and its request
 * id, sent as x-request-id (Envoy keeps a caller's id and logs it).
 */
export function callLoopCommand(url: string, requests: number, run: string): string[] {
  const id = `meshops-${run}-$i`; // the shell's $i, as requestId(run, i) spells it
  const script = `for i in $(seq 1 ${requests}); do echo "${CALL_MARKER} $i ${id}"; curl -sS --max-time 5 -H "x-request-id: ${id}" ${url} 2>&1 || echo "curl exit $?"; done`;
  return ['sh', '-c', script];
}

/** Calls until both versions have answered once (new endpoints take a moment to reach the proxy), at most `tries`. */
export function warmUpCommand(url: string, tries: number): string[] {
  const script =
    `a=; b=; for i in $(seq 1 ${tries}); do out=$(curl -sS --max-time 5 ${url} 2>&1); ` +
    `case "$out" in *"version: v1"*) a=1;; *"version: v2"*) b=1;; esac; ` +
    `if [ -n "$a" ] && [ -n "$b" ]; then echo "${WARM} after $i calls"; exit 0; fi; sleep 1; done; echo "meshops: after ${tries} calls v1 answered: \${a:-no}, v2: \${b:-no}"`;
  return ['sh', '-c', script];
}

const HELLO = /Hello version: (?<version>[\w.-]+), instance: (?<instance>[\w.-]+)/;

export interface CallTally {
  requests: number;
  failures: number;
  byVersion: Record<string, number>;
  byInstance: Record<string, number>;
  /** The version that answered each call, by its request id. */
  byRequest: Record<string, string>;
  /** The first few failed calls' output, for the report. */
  failureSamples: string[];
}

/** Parses the call loop's output (helloworld's `Hello version: v2, instance: …` lines) into counts. */
export function tallyCalls(output: string): CallTally {
  const blocks = output.split(CALL_MARKER).slice(1);
  const tally: CallTally = { requests: blocks.length, failures: 0, byVersion: {}, byInstance: {}, byRequest: {}, failureSamples: [] };
  for (const block of blocks) {
    const head = /^ *\d+(?: (?<id>\S+))?[ \t]*\n?/.exec(block);
    const body = block.slice(head?.[0].length ?? 0);
    const hello = HELLO.exec(body);
    if (!hello?.groups) {
      tally.failures += 1;
      if (tally.failureSamples.length < 3) tally.failureSamples.push(body.trim().split('\n')[0] || '(no output)');
      continue;
    }
    const { version, instance } = hello.groups;
    tally.byVersion[version] = (tally.byVersion[version] ?? 0) + 1;
    tally.byInstance[instance] = (tally.byInstance[instance] ?? 0) + 1;
    if (head?.groups?.id) tally.byRequest[head.groups.id] = version;
  }
  return tally;
}

/**
 * The upstream host of each request to the cluster in sleep's istio-proxy access log, by request id,
 * in Istio's default text format (`… "x-request-id" "authority" "upstream-host" outbound|…`; the
 * seed's format has the same fields in the same order).
 */
export function pathsFromAccessLog(accessLog: string, cluster: string): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const line of accessLog.split('\n')) {
    if (!line.includes(` ${cluster} `) && !line.endsWith(` ${cluster}`)) continue;
    const m = /"(?<id>[^"]*)" "[^"]*" "(?<upstream>[^"]+)" outbound\|/.exec(line);
    if (m?.groups && m.groups.upstream !== '-') paths[m.groups.id] = m.groups.upstream;
  }
  return paths;
}

/**
 * Successful requests per upstream host of the cluster, from Envoy's `/clusters` admin page
 * (`pilot-agent request GET clusters`): lines `<cluster>::<host:port>::rq_success::<n>`.
 */
export function hostsFromClusters(clusters: string, cluster: string): Record<string, number> {
  const hosts: Record<string, number> = {};
  for (const line of clusters.split('\n')) {
    const parts = line.trim().split('::');
    if (parts.length === 4 && parts[0] === cluster && parts[2] === 'rq_success') hosts[parts[1]] = Number(parts[3]);
  }
  return hosts;
}

/**
 * This run's successes per upstream host: Envoy's counters count since the proxy started (earlier
 * runs, the warm-up, other callers), so the calls of the loop are the difference between a
 * snapshot taken right before it and one right after. Hosts without a new success are left out.
 */
export function hostsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [host, n] of Object.entries(after)) if (n - (before[host] ?? 0) > 0) delta[host] = n - (before[host] ?? 0);
  return delta;
}

/** `pilot-agent request GET clusters`'s outcome, as an exec into sleep's istio-proxy gives it. */
export interface ClustersRead {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** How verify-split reads sleep's proxy after the calls. */
export interface ProxyReaders {
  /** The istio-proxy container's log since the calls began ('' when it cannot be read). */
  accessLog(): Promise<string>;
  /** Envoy's /clusters now. */
  clusters(): Promise<ClustersRead>;
}

/** Envoy writes its access log out about once a second: how long to keep reading until every call is there. */
export const ACCESS_LOG_WAIT = { waitMs: 5_000, pollMs: 1_000 };

/**
 * Each call's path from sleep's proxy: its access log, read again (Envoy flushes it about once a
 * second) until every call id is in it or `waitMs` passed; when no line of these calls shows up
 * (access logging off), the difference of Envoy's /clusters since `before`, the snapshot taken
 * right before the calls (or why it could not be read). A string says why no path could be read.
 */
export async function readCallPaths(
  readers: ProxyReaders,
  cluster: string,
  ids: string[],
  before: Record<string, number> | string,
  { waitMs, pollMs } = ACCESS_LOG_WAIT,
): Promise<CallPaths | string> {
  const deadline = Date.now() + waitMs;
  let byRequest: Record<string, string> = {};
  for (;;) {
    byRequest = pathsFromAccessLog(await readers.accessLog(), cluster);
    if (ids.every((id) => id in byRequest) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const ours = ids.length === 0 ? Object.keys(byRequest) : ids.filter((id) => id in byRequest);
  if (ours.length > 0) return { byRequest };
  const after = await readers.clusters();
  const unreadable = typeof before === 'string' ? before : after.exitCode !== 0 ? after.stderr.trim().slice(0, 200) || `exit ${after.exitCode}` : undefined;
  if (unreadable !== undefined) return `sleep's proxy showed no path: its access log has no line of these calls and its /clusters could not be read (${unreadable})`;
  return { byHost: hostsBetween(before as Record<string, number>, hostsFromClusters(after.stdout, cluster)) };
}

/** The paths a correct split takes: v1 to a local pod on the service port, v2 through the remote gateway. */
export interface ExpectedPaths {
  localEndpoints: string[];
  gateway: string;
}

export interface SplitThresholds {
  minShare: number;
  maxFailures: number;
}

/** Each call's path from the access log when it has them, else this run's per-host counts of /clusters. */
export type CallPaths = { byRequest: Record<string, string> } | { byHost: Record<string, number> };

function pathProblems(tally: CallTally, paths: CallPaths, expected: ExpectedPaths): { problems: string[]; byEndpoint: Record<string, number> } {
  const problems: string[] = [];
  const local = new Set(expected.localEndpoints);
  const byEndpoint: Record<string, number> = {};
  const wrong = (version: string, host: string) =>
    version === 'v1' ? !local.has(host) : version === 'v2' ? host !== expected.gateway : !local.has(host) && host !== expected.gateway;
  if ('byRequest' in paths) {
    for (const [id, version] of Object.entries(tally.byRequest)) {
      const host = paths.byRequest[id];
      if (!host) {
        problems.push(`call ${id} (${version}) is not in sleep's access log`);
        continue;
      }
      byEndpoint[host] = (byEndpoint[host] ?? 0) + 1;
      if (wrong(version, host)) problems.push(`${version} answered call ${id} through ${host}, not ${version === 'v2' ? `the remote gateway ${expected.gateway}` : 'a local pod'}`);
    }
    return { problems, byEndpoint };
  }
  Object.assign(byEndpoint, paths.byHost);
  const localCalls = Object.entries(paths.byHost).filter(([h]) => local.has(h)).reduce((n, [, c]) => n + c, 0);
  const gatewayCalls = paths.byHost[expected.gateway] ?? 0;
  for (const [host, n] of Object.entries(paths.byHost)) if (n > 0 && !local.has(host) && host !== expected.gateway) problems.push(`${n} call(s) went to ${host}, neither a local pod nor the remote gateway`);
  if (localCalls < (tally.byVersion.v1 ?? 0)) problems.push(`v1 answered ${tally.byVersion.v1} calls but only ${localCalls} went to local pods`);
  if (gatewayCalls < (tally.byVersion.v2 ?? 0)) problems.push(`v2 answered ${tally.byVersion.v2} calls but only ${gatewayCalls} went through the remote gateway ${expected.gateway}`);
  return { problems, byEndpoint };
}

/**
 * Passes only when the failures stay within bounds, each version answered its share, and each
 * answer took the split's path: v1 from a local pod, v2 through the remote gateway (Istio's own
 * integration tests judge routing by what was reached, not only by what answered).
 */
export function judgeDataPlane(tally: CallTally, paths: CallPaths, expected: ExpectedPaths, thresholds: SplitThresholds, expectedVersions: readonly string[] = ['v1', 'v2']): DataPlaneVerdict {
  const problems: string[] = [];
  if (tally.requests === 0) problems.push('no call ran (the loop printed nothing)');
  if (tally.failures > thresholds.maxFailures) {
    problems.push(`${tally.failures} of ${tally.requests} calls failed (at most ${thresholds.maxFailures} allowed)` + (tally.failureSamples.length ? `, e.g. "${tally.failureSamples[0]}"` : ''));
  }
  const minCount = Math.ceil(thresholds.minShare * tally.requests);
  for (const version of expectedVersions) {
    const count = tally.byVersion[version] ?? 0;
    if (count === 0) problems.push(`${version} never answered`);
    else if (count < minCount) problems.push(`${version} answered ${count} of ${tally.requests} calls (needs ${minCount}, ${thresholds.minShare * 100}%)`);
  }
  const { problems: wrongPaths, byEndpoint } = pathProblems(tally, paths, expected);
  problems.push(...wrongPaths);
  const counts = expectedVersions.map((v) => `${v} ${tally.byVersion[v] ?? 0}`).join(', ');
  const passed = problems.length === 0;
  const reason = passed
    ? `Both versions answered (${counts} of ${tally.requests} calls, ${tally.failures} failed), v1 from local pods and v2 through the remote gateway ${expected.gateway}.`
    : `Traffic did not split as it should: ${problems.join('; ')}.`;
  return { checked: true, passed, reason, requests: tally.requests, failures: tally.failures, byVersion: tally.byVersion, byInstance: tally.byInstance, byEndpoint };
}
