import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { stringify } from 'yaml';
import { cancellationSignal, heartbeatWhile } from '../kube/activity-context';
import { CLUSTER_SCOPED_KINDS, inNamespace, parseManifests, type KubeObject } from '../kube/kube-object';

const run = promisify(execFile);

export const ISTIO_NAMESPACE = 'istio-system';

/**
 * Renders an IstioOperator overlay with `istioctl manifest generate` (offline: the charts are
 * compiled into istioctl) and returns the manifests, each with its namespace set.
 */
export async function renderIstioOperator(istioctlPath: string, overlay: object, what: string): Promise<KubeObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'meshops-iop-'));
  const file = join(dir, 'overlay.yaml');
  const signal = cancellationSignal();
  try {
    signal.throwIfAborted();
    await writeFile(file, stringify(overlay));
    const { stdout } = await heartbeatWhile(
      { rendering: what },
      run(istioctlPath, ['manifest', 'generate', '-f', file], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000, signal }),
    );
    return inNamespace(parseManifests(stdout, `istioctl manifest generate (${what})`), ISTIO_NAMESPACE, CLUSTER_SCOPED_KINDS);
  } catch (err) {
    // A cancelled activity killed istioctl: surface the SDK's cancellation, not a render failure.
    if (signal.aborted) throw signal.reason ?? err;
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw ApplicationFailure.nonRetryable(
        `istioctl not found at ${istioctlPath}: install it (scripts/provision-kube.sh istioctl) or set the worker's istioctlPath.`,
        'IstioctlMissing',
      );
    }
    const detail = (e.stderr ?? e.message).trim().split('\n').slice(-5).join(' ');
    throw ApplicationFailure.nonRetryable(`istioctl could not render the ${what} manifests: ${detail}`, 'IstioctlRenderFailed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
