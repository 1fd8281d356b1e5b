import { ApplicationFailure } from '@temporalio/common';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import type { ClusterClient } from '../../kube/cluster-client';
import { EXEC_TIMEOUT } from '../../kube/exec';
import { kubeCall } from '../../kube/kube-failure';
import { podReady } from '../../kube/readiness';
import { HELLOWORLD, SLEEP } from '../samples';
import { CALL_MARKER, callLoopCommand, judgeSplit, tallyCalls, tallyEndpoints } from '../split-verification';
import type { StepContext } from './step-context';

async function sleepPod(local: ClusterClient, namespace: string): Promise<string> {
  const { items } = await kubeCall({ verb: 'list', object: `pods app=${SLEEP.name} in ${namespace}`, context: local.context }, () =>
    local.core.listNamespacedPod({ namespace, labelSelector: `app=${SLEEP.name}` }),
  );
  const pod = items.find(podReady);
  if (!pod?.metadata?.name) {
    throw ApplicationFailure.nonRetryable(
      `No Ready sleep pod in ${namespace} on ${local.context} (${items.length} found): run deploy-samples first.`,
      'SamplesMissing',
    );
  }
  return pod.metadata.name;
}

/** The sidecar's access log since the calls started; empty when it cannot be read (no sidecar, no kubelet). */
async function proxyLog(local: ClusterClient, namespace: string, pod: string, sinceSeconds: number): Promise<string> {
  try {
    return await local.core.readNamespacedPodLog({ name: pod, namespace, container: 'istio-proxy', sinceSeconds });
  } catch {
    return '';
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

/**
 * N calls from sleep to helloworld through exec, counted per version and instance, with the
 * upstream endpoints from sleep's istio-proxy log. Passes only when both versions answer within
 * the spec's thresholds. A failed verdict is returned (verify.passed false, the reason says why) so
 * the workflow records the counts; errors reaching the pod are thrown.
 */
export async function verifySplit(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const namespace = spec.samples.namespace;
  const pod = await sleepPod(local, namespace);
  const started = Date.now();
  const url = `${HELLOWORLD.name}.${namespace}:${HELLOWORLD.port}/hello`;
  const timeoutMs = verifyExecTimeoutMs(spec.verify.requests, ctx.timeouts.execMs);
  let result;
  try {
    result = await ctx.exec(local, {
      namespace,
      pod,
      container: SLEEP.container,
      command: callLoopCommand(url, spec.verify.requests),
      timeoutMs,
    });
  } catch (err) {
    if (!(err instanceof ApplicationFailure) || err.type !== EXEC_TIMEOUT) throw err;
    const partial = ((err.details?.[0] ?? {}) as { stdout?: string }).stdout ?? '';
    const started = partial.split('\n').filter((l) => l.startsWith(CALL_MARKER)).length;
    throw ApplicationFailure.nonRetryable(
      `The call loop in container ${SLEEP.container} of pod ${namespace}/${pod} on ${local.context} did not finish within ${Math.round(timeoutMs / 1000)}s ` +
        `(${started} of ${spec.verify.requests} calls started). Lower the spec's verify \`requests\`, or check the data plane: ` +
        'each call to an unreachable helloworld leg waits 5 s.',
      'VerifyTimeout',
      { stdout: partial },
    );
  }
  if (result.exitCode !== 0 && !result.stdout.includes('--- meshops call')) {
    // The loop itself did not run (no shell, no curl in the container): an error, not a verdict.
    throw ApplicationFailure.nonRetryable(
      `The call loop in container ${SLEEP.container} of pod ${namespace}/${pod} exited ${result.exitCode} before any call: ${result.stderr.trim().slice(0, 300) || 'no output'}. Check that sleep runs an image with sh and curl.`,
      'VerifyLoopFailed',
    );
  }
  const sinceSeconds = Math.ceil((Date.now() - started) / 1000) + 5;
  const log = await proxyLog(local, namespace, pod, sinceSeconds);
  const byEndpoint = tallyEndpoints(log, `${HELLOWORLD.name}.${namespace}.svc.cluster.local`, HELLOWORLD.port);
  const verify = judgeSplit(tallyCalls(result.stdout), byEndpoint, spec.verify);
  const endpoints = Object.entries(byEndpoint).map(([e, n]) => `${e}×${n}`).join(', ');
  return { summary: verify.reason + (endpoints ? ` Endpoints: ${endpoints}.` : ''), verify };
}
