import { ApplicationFailure } from '@temporalio/common';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import type { ClusterClient } from '../../kube/cluster-client';
import { kubeCall } from '../../kube/kube-failure';
import { podReady } from '../../kube/readiness';
import { HELLOWORLD, SLEEP } from '../samples';
import { callLoopCommand, judgeSplit, tallyCalls, tallyEndpoints } from '../split-verification';
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
  const result = await ctx.exec(local, {
    namespace,
    pod,
    container: SLEEP.container,
    command: callLoopCommand(url, spec.verify.requests),
    timeoutMs: ctx.timeouts.execMs,
  });
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
