import type { ExecInPod, ExecRequest } from '../../activities/kube/exec';

/**
 * Stand-in for exec into a pod, for clusters without a data plane (kwok runs no containers): it
 * answers with output recorded from a real mesh and keeps each request for the test to inspect.
 */
export function recordedExec(stdout: string, stderr = '', exitCode = 0): { exec: ExecInPod; requests: ExecRequest[] } {
  const requests: ExecRequest[] = [];
  return {
    requests,
    exec: async (_client, request) => {
      requests.push(request);
      return { stdout, stderr, exitCode };
    },
  };
}
