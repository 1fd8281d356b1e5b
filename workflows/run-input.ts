import { ApplicationFailure } from '@temporalio/workflow';
import { z } from 'zod';
import { describeIssues } from '../common/errors';
import { MeshSpec } from '../common/mesh-spec';
import { Requester } from '../common/status';

/** The one input of meshSetup, meshTeardown and meshVerify; parsed by client/ before a start. */
export const MeshRunInput = z
  .object({
    spec: MeshSpec,
    requester: Requester,
  })
  .describe('What a mesh workflow run is for and who asked for it');
export type MeshRunInput = z.infer<typeof MeshRunInput>;

/**
 * The workflow's own check of its input, for starts that bypass MeshClient (Temporal UI, temporal
 * CLI): a bad input fails the run at once, naming the field, instead of failing workflow tasks.
 */
export function parseRunInput(input: unknown, workflow: string): MeshRunInput {
  const parsed = MeshRunInput.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`Invalid ${workflow} input:\n${describeIssues(parsed.error)}\nStart runs through /mesh or the meshops CLI, which check it first.`, 'InvalidInput');
  }
  return parsed.data;
}
