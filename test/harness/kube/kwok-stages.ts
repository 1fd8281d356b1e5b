import { readFile, writeFile } from 'node:fs/promises';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * kwok plays the kubelet's status reports with the release's own "fast" stages. Two changes make
 * it start only what a real kubelet would start, leaving the decision to the harness's kubelet
 * stand-in (agent/kubelet.ts), which annotates a pod once its volumes and images are there:
 * - pod-ready only takes pods annotated `started: "true"`;
 * - pod-started-process takes pods annotated `started: "process"` (their container is a real
 *   process the agent runs): Running with an IP, not Ready until the agent's readiness probe passes;
 * - pod-delete leaves those pods to the agent, which removes one only once its process has stopped.
 */
export const STARTED_ANNOTATION = 'kubelet.meshops.test/started';
export type StartedAs = 'true' | 'process';

interface Stage {
  metadata: { name: string };
  spec: { selector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }; next?: { statusTemplate?: string } };
}

const startedIs = (value: StartedAs) => ({ key: `.metadata.annotations["${STARTED_ANNOTATION}"]`, operator: 'In', values: [value] });

/** Running with the node's pod IP, every container running but none ready: the agent probes them. */
const processStartedTemplate = `{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  type: ContainersReady
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
{{ $hostIPs := NodeIPsWith .spec.nodeName }}
{{ with $hostIPs }}
hostIP: {{ index . 0 | Quote }}
hostIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
{{ $podIPs := PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
{{ with $podIPs }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`;

/** Writes the harness's stage configuration derived from the release's stages file; returns its path. */
export async function writeKwokStages(releaseStages: string, out: string): Promise<string> {
  const stages = parseAllDocuments(await readFile(releaseStages, 'utf8'))
    .map((d) => d.toJS() as Stage | null)
    .filter((s): s is Stage => !!s);
  const podReady = stages.find((s) => s.metadata.name === 'pod-ready');
  const podDelete = stages.find((s) => s.metadata.name === 'pod-delete');
  const expressions = podReady?.spec.selector?.matchExpressions;
  if (!podReady || !expressions || !podDelete?.spec.selector?.matchExpressions) {
    throw new Error(`${releaseStages} has no pod-ready and pod-delete stages with selectors: is it kwok's fast stages?`);
  }
  podDelete.spec.selector.matchExpressions.push({ key: `.metadata.annotations["${STARTED_ANNOTATION}"]`, operator: 'NotIn', values: ['process'] });
  const processStarted: Stage = {
    ...podReady,
    metadata: { name: 'pod-started-process' },
    spec: { ...podReady.spec, selector: { matchExpressions: [...expressions, startedIs('process')] }, next: { statusTemplate: processStartedTemplate } },
  };
  expressions.push(startedIs('true'));
  await writeFile(out, [...stages, processStarted].map((s) => `---\n${stringify(s)}`).join(''));
  return out;
}
