import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ConfigMap,
  type V1Container,
  type V1Pod,
  type V1Secret,
  type V1ServiceAccount,
  type V1Volume,
} from '@kubernetes/client-node';
import { STARTED_ANNOTATION, type StartedAs } from '../kwok-stages';
import { normalizeImage, pullError } from './images';
import { informer, type Cache } from './informer';
import { PodEvents } from './pod-events';

/**
 * Stand-in for the kubelet's start-up checks, which kwok does not make: before kwok may report a
 * pod Running it must have every volume it mounts and every image it runs. A pod missing either
 * stays Pending with its containers waiting, and gets the kubelet's own events, until the object
 * appears (re-checked as a kubelet's volume manager retries):
 * - a ConfigMap, Secret or projected source that is not optional and not there: ContainerCreating,
 *   `FailedMount` "MountVolume.SetUp failed for volume …";
 * - a service-account token for a service account deleted since the pod was admitted: the same;
 * - an image the registry does not hold: ErrImagePull, then ImagePullBackOff.
 * Once a pod passes it is annotated `started`, which kwok's stages wait for (kwok-stages.ts).
 * Pods that failed or were evicted are never started again (kwok only starts Pending pods), and
 * their Ready condition goes False.
 * What it cannot model: pull secrets, node resources, probes of pods without a real process.
 */
export interface KubeletOptions {
  /** Normalized references the registry holds. */
  images: ReadonlySet<string>;
  /** Whether the agent runs a container of this image as a real process (its pod is started as `process`). */
  runsAsProcess(image: string): boolean;
  log(line: string): void;
}

interface Problem {
  reason: 'FailedMount' | 'ErrImagePull';
  message: string;
  container?: string;
  image?: string;
}

/** How often a blocked pod is checked again (a kubelet retries mounts and pulls with backoff). */
const RECHECK_MS = 2_000;
/** After this long in ErrImagePull the container shows ImagePullBackOff. */
const BACKOFF_AFTER_MS = 5_000;

export class KubeletStandIn {
  private readonly core: CoreV1Api;
  private readonly pods: Cache<V1Pod>;
  private readonly configMaps: Cache<V1ConfigMap>;
  private readonly secrets: Cache<V1Secret>;
  private readonly serviceAccounts: Cache<V1ServiceAccount>;
  /** Pods held back, by uid: when first blocked and which events were recorded. */
  private readonly blocked = new Map<string, { since: number; events: PodEvents }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    kc: KubeConfig,
    private readonly options: KubeletOptions,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    const log = options.log;
    this.pods = informer(kc, '/api/v1/pods', () => this.core.listPodForAllNamespaces(), log);
    this.configMaps = informer(kc, '/api/v1/configmaps', () => this.core.listConfigMapForAllNamespaces(), log);
    this.secrets = informer(kc, '/api/v1/secrets', () => this.core.listSecretForAllNamespaces(), log);
    this.serviceAccounts = informer(kc, '/api/v1/serviceaccounts', () => this.core.listServiceAccountForAllNamespaces(), log);
  }

  async start(): Promise<void> {
    await Promise.all([this.configMaps.start(), this.secrets.start(), this.serviceAccounts.start()]);
    const onPod = (pod: V1Pod) => void this.sync(pod);
    this.pods.on('add', onPod);
    this.pods.on('update', onPod);
    this.pods.on('delete', (pod) => this.blocked.delete(pod.metadata?.uid ?? ''));
    await this.pods.start();
    this.timer = setInterval(() => this.recheck(), RECHECK_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([this.pods, this.configMaps, this.secrets, this.serviceAccounts].map((i) => i.stop()));
  }

  private recheck(): void {
    for (const pod of this.pods.list()) if (this.blocked.has(pod.metadata?.uid ?? '')) void this.sync(pod);
  }

  private async sync(pod: V1Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return this.notReadyWhenFinished(pod);
    const waiting = pod.spec?.nodeName && !pod.metadata?.deletionTimestamp && pod.status?.phase === 'Pending' && !pod.metadata?.annotations?.[STARTED_ANNOTATION];
    if (!waiting) {
      this.blocked.delete(uid);
      return;
    }
    const problems = this.mountProblems(pod);
    if (problems.length === 0) problems.push(...this.imageProblems(pod));
    try {
      if (problems.length === 0) {
        this.blocked.delete(uid);
        await this.markStarted(pod);
      } else {
        await this.hold(pod, problems);
      }
    } catch (err) {
      this.options.log(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}: ${(err as Error).message}`);
    }
  }

  /** A pod that failed (or was evicted) or completed is not Ready, as the kubelet reports it. */
  private async notReadyWhenFinished(pod: V1Pod): Promise<void> {
    this.blocked.delete(pod.metadata?.uid ?? '');
    const stale = (pod.status?.conditions ?? []).filter((c) => (c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True');
    if (stale.length === 0) return;
    const reason = pod.status?.phase === 'Failed' ? 'PodFailed' : 'PodCompleted';
    await this.core
      .patchNamespacedPodStatus(
        { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { status: { conditions: stale.map((c) => ({ type: c.type, status: 'False', reason, lastTransitionTime: new Date() })) } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      )
      .catch((err: Error) => this.options.log(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}: ${err.message}`));
  }

  private mountProblems(pod: V1Pod): Problem[] {
    const namespace = pod.metadata?.namespace ?? '';
    const failed = (volume: V1Volume, why: string): Problem => ({ reason: 'FailedMount', message: `MountVolume.SetUp failed for volume "${volume.name}" : ${why}` });
    const problems: Problem[] = [];
    for (const volume of pod.spec?.volumes ?? []) {
      const whys: string[] = [];
      const configMap = (name: string, optional?: boolean, keys: string[] = []) => {
        const cm = this.configMaps.get(name, namespace);
        if (!cm) {
          if (!optional) whys.push(`configmap "${name}" not found`);
          return;
        }
        const missing = keys.find((k) => cm.data?.[k] === undefined && cm.binaryData?.[k] === undefined);
        if (missing && !optional) whys.push(`configmap references non-existent config key: ${missing}`);
      };
      const secret = (name: string, optional?: boolean, keys: string[] = []) => {
        const s = this.secrets.get(name, namespace);
        if (!s) {
          if (!optional) whys.push(`secret "${name}" not found`);
          return;
        }
        const missing = keys.find((k) => s.data?.[k] === undefined);
        if (missing && !optional) whys.push(`references non-existent secret key: ${missing}`);
      };
      if (volume.configMap) configMap(volume.configMap.name ?? '', volume.configMap.optional, volume.configMap.items?.map((i) => i.key));
      if (volume.secret) secret(volume.secret.secretName ?? '', volume.secret.optional, volume.secret.items?.map((i) => i.key));
      for (const source of volume.projected?.sources ?? []) {
        if (source.configMap) configMap(source.configMap.name ?? '', source.configMap.optional, source.configMap.items?.map((i) => i.key));
        if (source.secret) secret(source.secret.name ?? '', source.secret.optional, source.secret.items?.map((i) => i.key));
        // admission refuses a pod whose service account does not exist; this is one deleted since
        if (source.serviceAccountToken) {
          const sa = pod.spec?.serviceAccountName ?? 'default';
          if (!this.serviceAccounts.get(sa, namespace)) whys.push(`failed to fetch token: serviceaccounts "${sa}" not found`);
        }
      }
      if (whys.length > 0) problems.push(failed(volume, whys[0]));
    }
    return problems;
  }

  private imageProblems(pod: V1Pod): Problem[] {
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    return containers
      .filter((c) => !this.options.images.has(normalizeImage(c.image ?? '')))
      .map((c) => ({ reason: 'ErrImagePull', container: c.name, image: c.image ?? '', message: pullError(c.image ?? '') }));
  }

  private async markStarted(pod: V1Pod): Promise<void> {
    const containers = pod.spec?.containers ?? [];
    const as: StartedAs = containers.some((c) => this.options.runsAsProcess(c.image ?? '')) ? 'process' : 'true';
    await this.core.patchNamespacedPod(
      { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { metadata: { annotations: { [STARTED_ANNOTATION]: as } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    this.options.log(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}: volumes and images ready, started${as === 'process' ? ' as a process' : ''}`);
  }

  /**
   * Keeps the pod Pending with the kubelet's container states (`ContainerCreating`, or
   * `PodInitializing` for a pod with init containers; a container whose image does not pull
   * `ErrImagePull`, then `ImagePullBackOff`), and records the kubelet's events.
   */
  private async hold(pod: V1Pod, problems: Problem[]): Promise<void> {
    const uid = pod.metadata!.uid!;
    const entry = this.blocked.get(uid) ?? { since: Date.now(), events: new PodEvents(this.core, pod) };
    this.blocked.set(uid, entry);
    const backedOff = Date.now() - entry.since >= BACKOFF_AFTER_MS;
    const pullFailed = new Map(problems.filter((p) => p.reason === 'ErrImagePull').map((p) => [p.container, p]));
    const inits = pod.spec?.initContainers ?? [];
    const waitingOf = (name: string) => {
      const pull = pullFailed.get(name);
      if (!pull) return { reason: inits.length > 0 ? 'PodInitializing' : 'ContainerCreating' };
      return backedOff ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${pull.image}": ErrImagePull: ${pull.message}` } : { reason: 'ErrImagePull', message: pull.message };
    };
    const statusOf = (c: V1Container) => ({ name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: waitingOf(c.name) } });
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const status = {
      phase: 'Pending',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${names.join(' ')}]` },
        { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${names.join(' ')}]` },
      ],
      initContainerStatuses: inits.map(statusOf),
      containerStatuses: (pod.spec?.containers ?? []).map(statusOf),
    };
    const reasons = (statuses: { state?: { waiting?: { reason?: string } } }[] | undefined) => (statuses ?? []).map((c) => c.state?.waiting?.reason).join(',');
    const current = `${reasons(pod.status?.initContainerStatuses)}/${reasons(pod.status?.containerStatuses)}`;
    if (pod.status?.phase !== 'Pending' || current !== `${reasons(status.initContainerStatuses)}/${reasons(status.containerStatuses)}`) {
      await this.core.patchNamespacedPodStatus(
        { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { status } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    }
    const fieldPath = (container: string) => `spec.${inits.some((c) => c.name === container) ? 'initContainers' : 'containers'}{${container}}`;
    for (const p of problems) {
      if (p.reason === 'FailedMount') await entry.events.record('FailedMount', p.message);
      else {
        const at = fieldPath(p.container ?? '');
        await entry.events.record('Failed', `Failed to pull image "${p.image}": ${p.message}`, at);
        await entry.events.record('Failed', 'Error: ErrImagePull', at);
        if (backedOff) {
          await entry.events.record('BackOff', `Back-off pulling image "${p.image}"`, at, 'Normal');
          await entry.events.record('Failed', 'Error: ImagePullBackOff', at);
        }
      }
    }
  }
}
