import { z } from 'zod';
import { ApprovalPolicy } from './approval-policy';
import { ProfileName } from './profiles';
import { Verdict } from './verify-result';

/** The Istio release meshops renders by default: the minor version of the istioctl it ships, and its image hub. */
export const ISTIO_RELEASE = '1.31.0';
export const ISTIO_HUB = 'registry.istio.io/release';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
    message: 'use lower-case letters, digits and dashes (a DNS label), e.g. network1',
  });

export const ClusterRef = z
  .object({
    context: z
      .string()
      .min(1, { message: 'name a kubeconfig context, e.g. local' })
      .regex(/^[A-Za-z0-9_.:@/-]+$/, { message: 'kubeconfig context names have no spaces or quotes' })
      .describe('kubeconfig context of the cluster (the seed\'s CTX_LOCAL / CTX_REMOTE)'),
    network: dnsLabel.describe('Istio network name of the cluster'),
    clusterName: dnsLabel.optional().describe('Istio cluster name; defaults to the context name made DNS-safe'),
    apiServer: z
      .url({ protocol: /^https$/, message: 'use the https:// URL of the API server, e.g. https://10.0.0.5:6443' })
      .optional()
      .describe("API server URL istiod uses to reach this cluster (the remote secret's server); defaults to the kubeconfig context's server"),
  })
  .describe('One cluster of the mesh');
export type ClusterRef = z.infer<typeof ClusterRef>;

export const MeshSpec = z
  .object({
    local: ClusterRef.describe('The cluster that runs the control plane'),
    remote: ClusterRef.describe('The cluster that joins through the gateway'),
    meshId: dnsLabel.default('mesh1').describe('Istio mesh ID shared by both clusters'),
    istio: z
      .object({
        profile: ProfileName.default('primary-remote'),
        version: z
          .string()
          .regex(/^\d+\.\d+(\.\d+)?$/, { message: 'use an Istio patch release such as 1.31.0' })
          .default(ISTIO_RELEASE)
          .describe('Istio release whose images run (the image tag); istioctl must render the same minor version'),
        hub: z
          .string()
          .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, { message: 'use a registry path such as registry.istio.io/release' })
          .default(ISTIO_HUB)
          .describe('Registry and path of the Istio images (pilot, proxyv2)'),
      })
      .default({ profile: 'primary-remote', version: ISTIO_RELEASE, hub: ISTIO_HUB }),
    samples: z
      .object({
        namespace: dnsLabel.default('sample').describe('Namespace of helloworld and sleep on both clusters'),
        deploy: z.boolean().default(true).describe('Deploy helloworld v1/v2 and sleep'),
      })
      .default({ namespace: 'sample', deploy: true }),
    verify: z
      .object({
        requests: z.number().int().min(2).max(1000).default(20).describe('Calls from sleep to helloworld'),
        minShare: z
          .number()
          .min(0)
          .max(0.5)
          .default(0.1)
          .describe('Each version must answer at least this share of the calls'),
        maxFailures: z.number().int().min(0).default(0).describe('Failed calls tolerated'),
        verdicts: z
          .array(Verdict)
          .min(1, { message: 'name at least one verdict: control-plane, data-plane' })
          .default(['control-plane', 'data-plane'])
          .describe('What verify-split must pass: what istiod tells the sidecar (control-plane), calls through the mesh (data-plane)'),
        plaintextXds: z
          .boolean()
          .default(false)
          .describe("Ask istiod on its plaintext xDS port 15010 rather than the authenticated 15012 (only where istiod serves it)"),
      })
      .default({ requests: 20, minShare: 0.1, maxFailures: 0, verdicts: ['control-plane', 'data-plane'], plaintextXds: false }),
    approval: ApprovalPolicy.default(ApprovalPolicy.parse({})),
    rollback: z.boolean().default(false).describe('On cancel or failure, clean up what was installed'),
    purge: z
      .boolean()
      .default(false)
      .describe("Teardown and rollback also delete Istio's CRDs, and with them every Istio resource anyone created (istioctl uninstall --purge)"),
  })
  .refine((s) => s.local.context !== s.remote.context, {
    message: 'local and remote must be two different kubeconfig contexts',
    path: ['remote', 'context'],
  })
  .refine((s) => s.local.network !== s.remote.network, {
    message: 'local and remote must be on different Istio networks (split-horizon EDS needs two)',
    path: ['remote', 'network'],
  })
  .describe('Everything a mesh setup needs to know');
export type MeshSpec = z.infer<typeof MeshSpec>;
export type MeshSpecInput = z.input<typeof MeshSpec>;

/** The seed's defaults: network1 for local, network2 for remote. */
export function meshSpecFor(localContext: string, remoteContext: string, overrides: Partial<MeshSpecInput> = {}): MeshSpecInput {
  return {
    ...overrides,
    local: { context: localContext, network: 'network1', ...overrides.local },
    remote: { context: remoteContext, network: 'network2', ...overrides.remote },
  };
}

export function clusterName(ref: ClusterRef): string {
  return ref.clusterName ?? ref.context.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}
