import { Writable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { cancellationSignal, heartbeatWhile } from './activity-context';
import type { ClusterClient } from './cluster-client';
import { KUBE_FAILURE, kubeFailure } from './kube-failure';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  timeoutMs: number;
}

/** The failure type of an exec whose command ran past its timeout; details[0] holds { stdout, stderr } so far. */
export const EXEC_TIMEOUT = 'ExecTimeout';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The signature verify-split depends on, so a test can stand in for a pod's data plane. */
export type ExecInPod = (client: ClusterClient, request: ExecRequest) => Promise<ExecResult>;

function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
}

function exitCodeOf(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : -1;
}

/**
 * Runs a command in a pod's container (the API server's exec subresource over WebSocket) and
 * captures stdout, stderr and the exit code. A failure to reach the container (no kubelet, pod
 * gone) rejects with a classified failure naming the pod and container; a command running past
 * `timeoutMs` rejects with a non-retryable ExecTimeout carrying the partial output.
 */
export const execInPod: ExecInPod = (client, req) => {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const target = `container ${req.container} of pod ${req.namespace}/${req.pod}`;
  return heartbeatWhile({ exec: target }, new Promise<ExecResult>((resolve, reject) => {
    let status: V1Status | undefined;
    let socket: { close(): void } | undefined;
    let settled = false;
    const signal = cancellationSignal();
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket?.close();
      fn();
    };
    const fail = (e: unknown) => settle(() => reject(kubeFailure(e, { verb: 'exec into', object: target, context: client.context })));
    // A cancel is the SDK's cancellation (as in wait-for.ts), not a retryable kube failure.
    const onAbort = () => settle(() => reject(signal.reason ?? new Error(`cancelled while exec-ing into ${target}`)));
    // A command that outlives its budget is not an API server that did not answer: its own,
    // non-retryable failure, with the output so far in the details.
    const onTimeout = () =>
      settle(() =>
        reject(
          ApplicationFailure.nonRetryable(
            `The command in ${target} on ${client.context} did not finish within ${Math.round(req.timeoutMs / 1000)}s.`,
            EXEC_TIMEOUT,
            { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') },
          ),
        ),
      );
    const timer = setTimeout(onTimeout, req.timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    client.exec
      .exec(req.namespace, req.pod, req.container, req.command, collector(out), collector(err), null, false, (s) => {
        status = s;
      })
      .then((ws) => {
        socket = ws;
        ws.on('error', fail);
        ws.on('close', () => {
          // A dropped WebSocket says nothing about the command: try again.
          if (!status) {
            return fail(ApplicationFailure.retryable(`The exec connection to ${target} on ${client.context} closed without an exit status; retrying.`, KUBE_FAILURE.transient));
          }
          const exitCode = exitCodeOf(status);
          if (exitCode < 0) return fail(new Error(`exec failed: ${status.message ?? status.reason ?? 'unknown'}`));
          settle(() => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode }));
        });
      }, fail);
  }));
};
