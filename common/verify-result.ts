import { z } from 'zod';

/** The two ways verify-split can judge the split. */
export const Verdict = z.enum(['control-plane', 'data-plane']).describe('control-plane: ask istiod what the sidecar is told; data-plane: calls through the mesh');
export type Verdict = z.infer<typeof Verdict>;

/** What an endpoint istiod sent is: only local pods and the remote gateway belong in the split. */
export const EndpointKind = z.enum(['local-pod', 'remote-gateway', 'stale-gateway', 'remote-pod', 'unknown']);
export type EndpointKind = z.infer<typeof EndpointKind>;

/** One endpoint istiod gave the sleep sidecar for helloworld, and what it is. */
export const EndpointRow = z.object({
  endpoint: z.string().describe('address:port, e.g. 10.244.0.7:5000 or 198.51.100.1:15443'),
  locality: z.string().describe('region/zone of the endpoint'),
  network: z.string().describe("the network istiod puts it in, as the clusters' labels say ('?' when unknown, '(none)' when unlabelled)"),
  weight: z.number().int(),
  kind: EndpointKind,
  what: z.string().describe("e.g. 'local pod helloworld-v1-…', 'remote gateway (2 remote pods)', 'remote pod helloworld-v2-… (unreachable from network1)'"),
});
export type EndpointRow = z.infer<typeof EndpointRow>;

export const ControlPlaneVerdict = z.object({
  passed: z.boolean(),
  reason: z.string(),
  endpoints: z.array(EndpointRow),
  diagnostics: z.array(z.string()).describe('Why it failed and how to fix it, one line each'),
  warnings: z.array(z.string()).default([]).describe('Drift that leaves the endpoints right for now, with its fix'),
});
export type ControlPlaneVerdict = z.infer<typeof ControlPlaneVerdict>;

export const DataPlaneVerdict = z.object({
  checked: z.boolean().describe('false where no data plane runs: traffic was not checked'),
  passed: z.boolean(),
  reason: z.string(),
  requests: z.number().int(),
  failures: z.number().int(),
  byVersion: z.record(z.string(), z.number().int()).describe('Answers per helloworld version, e.g. { v1: 11, v2: 9 }'),
  byInstance: z.record(z.string(), z.number().int()).describe('Answers per pod instance'),
  byEndpoint: z.record(z.string(), z.number().int()).describe('Upstream hosts the sleep sidecar used: local pod :5000 or remote gateway :15443'),
});
export type DataPlaneVerdict = z.infer<typeof DataPlaneVerdict>;

/**
 * What verify-split found. `passed` holds when every verdict the spec asks for passed. Runs
 * recorded before the two verdicts carry only the data-plane fields at the top level.
 */
export const VerifyResult = z.object({
  passed: z.boolean(),
  reason: z.string().describe('Why it passed or failed, in words a person reads'),
  controlPlane: ControlPlaneVerdict.optional(),
  dataPlane: DataPlaneVerdict.optional(),
  requests: z.number().int().optional(),
  failures: z.number().int().optional(),
  byVersion: z.record(z.string(), z.number().int()).optional(),
  byInstance: z.record(z.string(), z.number().int()).optional(),
  byEndpoint: z.record(z.string(), z.number().int()).optional(),
});
export type VerifyResult = z.infer<typeof VerifyResult>;
