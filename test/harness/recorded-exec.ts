import type { ExecInPod, ExecRequest, ExecResult } from '../../activities/kube/exec';

/**
 * Stand-in for exec into a pod, for clusters without a data plane (no container runs): it answers
 * with the output it is given (fixtures written in the tools' formats, not recorded from a mesh)
 * and keeps each request for the test to inspect.
 */
export function recordedExec(stdout: string, stderr = '', exitCode = 0): { exec: ExecInPod; requests: ExecRequest[] } {
  return scriptedExec(() => ({ stdout, stderr, exitCode }));
}

/**
 * The same, answering each request by what it runs (the call loop, the warm-up, `pilot-agent
 * request GET clusters`…): `answer` returns the output for that command.
 */
export function scriptedExec(answer: (request: ExecRequest) => ExecResult): { exec: ExecInPod; requests: ExecRequest[] } {
  const requests: ExecRequest[] = [];
  return {
    requests,
    exec: async (_client, request) => {
      requests.push(request);
      return answer(request);
    },
  };
}
