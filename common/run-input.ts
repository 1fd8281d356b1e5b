import { z } from 'zod';
import { describeIssues } from './errors';
import { MeshSpec } from './mesh-spec';
import { Requester } from './status';

/** The one input of meshSetup, meshTeardown and meshVerify; parsed by client/ before a start. */
export const MeshRunInput = z
  .object({
    spec: MeshSpec,
    requester: Requester,
  })
  .describe('What a mesh workflow run is for and who asked for it');
export type MeshRunInput = z.infer<typeof MeshRunInput>;

/** ApplicationFailure type of an input no workflow can run; never retried. */
export const INVALID_INPUT = 'InvalidInput';

/** Why `input` is not a run input, said so a person can fix it, or the parsed input (schema defaults filled). */
export function checkRunInput(input: unknown, workflow: string): { ok: true; input: MeshRunInput } | { ok: false; message: string } {
  const parsed = MeshRunInput.safeParse(input);
  if (parsed.success) return { ok: true, input: parsed.data };
  return { ok: false, message: `Invalid ${workflow} input:\n${describeIssues(parsed.error)}\nStart runs through /mesh or the meshops CLI, which check it first.` };
}

