import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { stringify } from 'yaml';
import type { MeshSpec } from '../../common/mesh-spec';
import { cancellationSignal, heartbeatWhile } from '../kube/activity-context';
import { CLUSTER_SCOPED_KINDS, inNamespace, parseManifests, type KubeObject } from '../kube/kube-object';

const run = promisify(execFile);

export const ISTIO_NAMESPACE = 'istio-system';

/** istioctl's components, in the order `istioctl install` applies them (each waits for the one before). */
export type IstioComponent = 'Base' | 'Pilot' | 'IngressGateways';
const COMPONENT_SWITCH: Record<IstioComponent, string> = { Base: 'components.base.enabled', Pilot: 'components.pilot.enabled', IngressGateways: 'components.ingressGateways' };

/**
 * The labels `istioctl install` puts on every object it applies (operator/pkg/install getOwnerLabels),
 * so that Istio's own tools and `istioctl uninstall --purge` find what meshops installed. The owning
 * resource is the overlay's name, which always starts with `meshops`.
 */
export const ISTIO_LABELS = {
  component: 'operator.istio.io/component',
  managed: 'operator.istio.io/managed',
  version: 'operator.istio.io/version',
  owner: 'install.operator.istio.io/owning-resource',
  ownerNamespace: 'install.operator.istio.io/owning-resource-namespace',
  revision: 'istio.io/rev',
} as const;

export interface IstioOperatorOverlay {
  apiVersion: 'install.istio.io/v1alpha1';
  kind: 'IstioOperator';
  metadata: { name: string };
  spec: Record<string, unknown>;
}

async function istioctl(istioctlPath: string, args: string[], what: string): Promise<string> {
  const signal = cancellationSignal();
  try {
    signal.throwIfAborted();
    const { stdout } = await heartbeatWhile({ running: `istioctl: ${what}` }, run(istioctlPath, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000, signal }));
    return stdout;
  } catch (err) {
    // A cancelled activity killed istioctl: surface the SDK's cancellation, not a render failure.
    if (signal.aborted) throw signal.reason ?? err;
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw ApplicationFailure.nonRetryable(
        `istioctl not found at ${istioctlPath}: install it (scripts/provision-kube.sh istioctl) or set MESHOPS_ISTIOCTL for the worker.`,
        'IstioctlMissing',
      );
    }
    const detail = (e.stderr ?? e.message).trim().split('\n').slice(-5).join(' ');
    throw ApplicationFailure.nonRetryable(`istioctl could not ${what}: ${detail}`, 'IstioctlRenderFailed');
  }
}

const versions = new Map<string, string>();

/** `istioctl version --remote=false`: "1.31-dev" for a build between releases, "1.31.0" for a release. Asked once per binary. */
export async function istioctlVersion(istioctlPath: string): Promise<string> {
  const known = versions.get(istioctlPath);
  if (known) return known;
  const out = await istioctl(istioctlPath, ['version', '--remote=false', '-o', 'json'], 'report its version');
  const version = (JSON.parse(out) as { clientVersion?: { version?: string } }).clientVersion?.version;
  if (!version) throw ApplicationFailure.nonRetryable(`istioctl at ${istioctlPath} reported no version: ${out.slice(0, 200)}`, 'IstioctlRenderFailed');
  versions.set(istioctlPath, version);
  return version;
}

const minorOf = (version: string) => /^(\d+)\.(\d+)/.exec(version)?.slice(1, 3).join('.');
const RELEASE = /^\d+\.\d+\.\d+$/;

/**
 * Why istioctl `version` may not render the spec's Istio, or undefined when it may. A release
 * istioctl carries the charts of its own patch release: it must be exactly `spec.istio.version`.
 * A development build (`1.31-dev`) carries charts between releases: only with `allowDev` (the
 * worker's MESHOPS_ALLOW_DEV_ISTIOCTL, which the test clusters set), and only of the spec's minor release.
 */
export function istioctlVersionProblem(version: string, istioctlPath: string, spec: MeshSpec, allowDev: boolean): string | undefined {
  const wanted = spec.istio.version;
  const release = `Give the worker istioctl ${wanted} (MESHOPS_ISTIOCTL)`;
  if (RELEASE.test(version)) {
    if (version === wanted) return undefined;
    return `istioctl ${version} (${istioctlPath}) renders Istio ${version}, but the spec asks for Istio ${wanted}: its charts are those of its own release. ${release}, or set istio=${version} in the spec.`;
  }
  if (!allowDev) {
    return (
      `istioctl ${version} (${istioctlPath}) is a development build, not the Istio ${wanted} release the spec asks for: its charts are not that release's. ` +
      `${release}; or, to render with a development build of ${minorOf(version) ?? 'its'} on purpose (as on test clusters), set MESHOPS_ALLOW_DEV_ISTIOCTL=true for the worker.`
    );
  }
  if (minorOf(version) !== minorOf(wanted)) {
    return (
      `istioctl ${version} (${istioctlPath}) renders Istio ${minorOf(version)}, but the spec asks for Istio ${wanted}. ` +
      `Give the worker an istioctl ${minorOf(wanted)} (MESHOPS_ISTIOCTL), or set istio=${minorOf(version)}.<patch> in the spec.`
    );
  }
  return undefined;
}

/**
 * The charts istioctl carries are those of its own release: rendering another release's images
 * with them would install a mismatched control plane. Refused with the fix (istioctlVersionProblem).
 */
export async function checkIstioctlVersion(istioctlPath: string, spec: MeshSpec, allowDev = false): Promise<string> {
  if (!RELEASE.test(spec.istio.version)) {
    // the schema still takes 1.28 (runs recorded with it must parse), but no image is tagged so
    throw ApplicationFailure.nonRetryable(
      `The spec's istio.version ${spec.istio.version} names no image tag: Istio tags its images by patch release. Set istio=${spec.istio.version}.<patch>, e.g. istio=1.31.0.`,
      'IstioctlVersionMismatch',
    );
  }
  const version = await istioctlVersion(istioctlPath);
  const problem = istioctlVersionProblem(version, istioctlPath, spec, allowDev);
  if (problem) throw ApplicationFailure.nonRetryable(problem, 'IstioctlVersionMismatch');
  return version;
}

/**
 * Renders the named components of an IstioOperator overlay with `istioctl manifest generate`
 * (offline: the charts are compiled into istioctl), one render per component as `istioctl install`
 * splits them, and labels each object as `istioctl install` would. Every object gets its namespace.
 */
export async function renderComponents(
  istioctlPath: string,
  overlay: IstioOperatorOverlay,
  components: readonly IstioComponent[],
  what: string,
): Promise<Record<IstioComponent, KubeObject[]>> {
  const dir = await mkdtemp(join(tmpdir(), 'meshops-iop-'));
  try {
    const file = join(dir, 'overlay.yaml');
    await writeFile(file, stringify(overlay));
    const version = await istioctlVersion(istioctlPath);
    const rendered = await Promise.all(
      components.map(async (component) => {
        const others = (Object.keys(COMPONENT_SWITCH) as IstioComponent[]).filter((c) => c !== component);
        const off = others.flatMap((c) => ['--set', c === 'IngressGateways' ? `${COMPONENT_SWITCH[c]}[0].enabled=false` : `${COMPONENT_SWITCH[c]}=false`]);
        const stdout = await istioctl(istioctlPath, ['manifest', 'generate', '-f', file, ...off], `render the ${what} manifests (${component})`);
        const objects = inNamespace(parseManifests(stdout, `istioctl manifest generate (${what}, ${component})`), ISTIO_NAMESPACE, CLUSTER_SCOPED_KINDS);
        return [component, objects.map((o) => withOwnerLabels(o, overlay.metadata.name, component, version))] as const;
      }),
    );
    const byComponent = { Base: [], Pilot: [], IngressGateways: [] } as Record<IstioComponent, KubeObject[]>;
    for (const [component, objects] of rendered) byComponent[component] = objects;
    return byComponent;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function withOwnerLabels(obj: KubeObject, owner: string, component: IstioComponent, version: string): KubeObject {
  const labels = {
    ...obj.metadata.labels,
    [ISTIO_LABELS.component]: component,
    [ISTIO_LABELS.managed]: 'Reconcile',
    [ISTIO_LABELS.version]: version,
    [ISTIO_LABELS.owner]: owner,
    [ISTIO_LABELS.ownerNamespace]: ISTIO_NAMESPACE,
    [ISTIO_LABELS.revision]: 'default',
  };
  return { ...obj, metadata: { ...obj.metadata, labels } };
}
