import { z } from 'zod';
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
