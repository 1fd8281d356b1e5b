import { z } from 'zod';

/** What verify-split found: which version answered how often, and through which endpoint. */
export const VerifyResult = z.object({
  requests: z.number().int(),
  failures: z.number().int(),
  byVersion: z.record(z.string(), z.number().int()).describe('Answers per helloworld version, e.g. { v1: 11, v2: 9 }'),
  byInstance: z.record(z.string(), z.number().int()).describe('Answers per pod instance'),
  byEndpoint: z
    .record(z.string(), z.number().int())
    .describe('Upstream endpoints seen by the sleep sidecar: local pod :5000 or remote gateway :15443'),
  passed: z.boolean(),
  reason: z.string().describe('Why it passed or failed, in words a person reads'),
});
export type VerifyResult = z.infer<typeof VerifyResult>;
