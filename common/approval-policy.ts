import { z } from 'zod';
import { StepId } from './steps';

/** Go-style durations that Temporal accepts: 90s, 15m, 2h. */
export const Duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, { message: 'use a number and a unit, e.g. 30s, 15m or 2h' })
  .describe('A duration such as 15m');

export const ApprovalPolicy = z
  .object({
    gates: z
      .array(StepId)
      .default(['install-remote', 'link-secret'])
      .describe('Steps that wait for a person to approve before they run'),
    approvers: z
      .object({
        users: z.array(z.string().min(1)).default([]).describe('User ids allowed to approve, e.g. Slack U123'),
        groups: z.array(z.string().min(1)).default([]).describe('Groups (Slack user groups, roles) allowed to approve'),
      })
      .default({ users: [], groups: [] })
      .describe('Who may approve; with both lists empty anyone but the requester may'),
    fourEyes: z.boolean().default(true).describe('The requester may not approve their own run'),
    timeout: Duration.default('1h').describe('How long a gate waits before the run ends as timed-out'),
  })
  .describe('Who approves which risky steps, and how long a gate waits');
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;
