import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Container, type V1EnvVar, type V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { STARTED_ANNOTATION } from '../kwok-stages';
import { RawObjectApi } from '../../../../activities/kube/raw-object-api';
import type { HeldNamespace } from '../netns';
import { ManagedProcess } from '../process';
import { get, sleep } from '../wait';
import { imageRepository } from './images';
import { informer, type Cache } from './informer';
import type { AgentConfig } from './launch';
import { createPodNetwork } from './pod-network';
import { PodEvents } from './pod-events';
import { mountVolumes } from './pod-volumes';

/** The image whose container the agent runs for real: Istio's pilot, as pilot-discovery. */
export function runsAsProcess(image: string): boolean {
  return imageRepository(image).split('/').pop() === 'pilot';
}

/** A container's environment as the kubelet resolves it (values, downward API fields, resources). */
export function podEnv(pod: V1Pod, container: V1Container, nodeCpu: string): Record<string, string> {
  const field = (path: string): string => {
    const values: Record<string, string | undefined> = {
      'metadata.name': pod.metadata?.name,
      'metadata.namespace': pod.metadata?.namespace,
      'metadata.uid': pod.metadata?.uid,
      'spec.serviceAccountName': pod.spec?.serviceAccountName,
      'spec.nodeName': pod.spec?.nodeName,
      'status.podIP': pod.status?.podIP,
      'status.hostIP': pod.status?.hostIP,
    };
    const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
    if (label) return pod.metadata?.labels?.[label[1]] ?? '';
    if (!(path in values)) throw new Error(`env fieldRef ${path} is not one the harness resolves`);
    return values[path] ?? '';
  };
  const resource = (v: V1EnvVar): string => {
    const ref = v.valueFrom!.resourceFieldRef!;
    const [kind, name] = ref.resource.split('.') as ['limits' | 'requests', string];
    const quantity = container.resources?.[kind]?.[name] ?? (name === 'cpu' ? nodeCpu : '0');
    // CPU rounds up to whole cores (divisor 1), as the kubelet's downward API does.
    return name === 'cpu' ? String(Math.max(1, Math.ceil(quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity)))) : quantity;
  };
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom?.fieldRef) env[v.name] = field(v.valueFrom.fieldRef.fieldPath);
    else if (v.valueFrom?.resourceFieldRef) env[v.name] = resource(v);
    else if (v.valueFrom) throw new Error(`env ${v.name}: only value, fieldRef and resourceFieldRef are resolved by the harness`);
    else env[v.name] = '';
  }
  return env;
}

interface Running {
  process: ManagedProcess;
  network: HeldNamespace;
  gracePeriodSeconds?: number;
  ready: boolean;
  restarts: number;
  startedAt: Date;
  lastState?: object;
  stopping: boolean;
}

/** A Go duration as the kubelet prints it: 10s, 1m20s, 5m0s. */
function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

/**
 * The kubelet's restart policy Always: the first exit restarts at once; from the second on it
 * backs off, 10 s doubling to 5 min, shown as CrashLoopBackOff.
 */
export function restartDelayMs(restarts: number): number {
  return restarts <= 1 ? 0 : Math.min(10_000 * 2 ** (restarts - 2), 300_000);
}

/**
 * Copies a port-forward stream (stdin/stdout, as kwok hands it to a command) to the pod's
 * localhost: a kubelet's port-forward connects inside the pod's network namespace, so istiod sees
 * a local client (its debug endpoints answer localhost without authentication).
 */
const BRIDGE = [
  "const s = require('net').connect(Number(process.argv[1]), '127.0.0.1');",
  'process.stdin.pipe(s); s.pipe(process.stdout);',
  "s.on('error', () => process.exit(1)); s.on('close', () => process.exit(0));",
].join(' ');

/** How often a pod whose process could not be started is tried again (a kubelet's sync loop retries too). */
const LAUNCH_RETRY_MS = 10_000;

/**
 * Runs the real process behind every pod whose container is Istio's pilot image, as a kubelet
 * runs a container: in a network namespace of its own holding the pod IP (pod-network.ts), its
 * volumes mounted under its root directory, its args and env as the pod spec has them, and in-cluster
 * config as a kubeconfig of the pod's own service-account token (never admin). Its readiness probe
 * decides the pod's Ready condition; an exit is a restart (CrashLoopBackOff from the second); a
 * process that cannot start is reported as an event and tried again. Deleting the pod (or its
 * Deployment) stops the process, and only then is the pod object removed (kwok leaves these pods
 * to the agent, kwok-stages.ts), as a kubelet deletes a pod once its containers have exited.
 */
export class ProcessPods {
  private readonly core: CoreV1Api;
  private readonly objects: RawObjectApi;
  private readonly pods: Cache<V1Pod>;
  private readonly running = new Map<string, Running>();
  private readonly launching = new Set<string>();
  private readonly events = new Map<string, PodEvents>();

  constructor(
    kc: KubeConfig,
    private readonly config: AgentConfig,
    private readonly log: (line: string) => void,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.objects = RawObjectApi.forKubeConfig(kc);
    this.pods = informer(kc, '/api/v1/pods', () => this.core.listPodForAllNamespaces(), log);
  }

  async start(): Promise<void> {
    const sync = (pod: V1Pod) => void this.sync(pod);
    this.pods.on('add', sync);
    this.pods.on('update', sync);
    this.pods.on('delete', (pod) => {
      this.events.delete(pod.metadata?.uid ?? '');
      void this.stopPod(pod.metadata?.uid ?? '');
    });
    await this.pods.start();
  }

  async stop(): Promise<void> {
    await this.pods.stop();
    await Promise.all([...this.running.keys()].map((uid) => this.stopPod(uid)));
  }

  private ours(pod: V1Pod): boolean {
    return pod.metadata?.annotations?.[STARTED_ANNOTATION] === 'process';
  }

  private sync(pod: V1Pod): Promise<void> | undefined {
    if (!this.ours(pod)) return undefined;
    const uid = pod.metadata?.uid ?? '';
    if (pod.metadata?.deletionTimestamp) return this.terminate(pod);
    const wanted = pod.status?.phase === 'Running' && !!pod.status.podIP;
    if (!wanted || this.running.has(uid)) return undefined;
    return this.start1(pod, 0);
  }

  /** Launches once at a time per pod; a failure is an event on the pod and a retry. */
  private async start1(pod: V1Pod, restarts: number): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    if (this.launching.has(uid)) return;
    this.launching.add(uid);
    try {
      await this.launch(pod, restarts);
    } catch (err) {
      const message = (err as Error).message;
      this.log(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}: could not start: ${message}; retrying in ${LAUNCH_RETRY_MS / 1000}s`);
      await this.eventsOf(pod).record('Failed', `Error: ${message}`).catch(() => undefined);
      setTimeout(() => {
        const current = this.pods.get(pod.metadata!.name!, pod.metadata!.namespace);
        if (current && !current.metadata?.deletionTimestamp && !this.running.has(uid)) void this.start1(current, restarts);
      }, LAUNCH_RETRY_MS);
    } finally {
      this.launching.delete(uid);
    }
  }

  private eventsOf(pod: V1Pod): PodEvents {
    const uid = pod.metadata?.uid ?? '';
    let events = this.events.get(uid);
    if (!events) this.events.set(uid, (events = new PodEvents(this.core, pod)));
    return events;
  }

  private async launch(pod: V1Pod, restarts: number): Promise<void> {
    const { name, namespace, uid } = pod.metadata as { name: string; namespace: string; uid: string };
    const container = (pod.spec?.containers ?? []).find((c) => runsAsProcess(c.image ?? ''));
    if (!container) return;
    const podIP = pod.status!.podIP!;
    const root = join(this.config.podsDir, `${namespace}_${name}`);
    await rm(root, { recursive: true, force: true });
    await mkdir(join(root, '.harness'), { recursive: true });
    await mountVolumes(this.core, pod, container, root);
    const env = podEnv(pod, container, String(availableParallelism()));
    const inCluster = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    const ownKubeconfig = env.KUBECONFIG && existsSync(join(root, env.KUBECONFIG));
    if (ownKubeconfig) env.KUBECONFIG = join(root, env.KUBECONFIG);
    else env.KUBECONFIG = await this.inClusterKubeconfig(root, inCluster);
    const logFile = join(this.config.logDir, `${this.config.cluster}-pod-${namespace}-${name}.log`);
    const network = await createPodNetwork(uid, podIP, logFile);
    await writeFile(join(root, '.harness', 'netns-pid'), String(network.pid));
    const process = new ManagedProcess({
      name: `${this.config.cluster} ${namespace}/${name} ${container.name}`,
      command: network.enter[0],
      args: [...network.enter.slice(1), this.config.pilotDiscovery, ...(container.command?.slice(1) ?? []), ...(container.args ?? [])],
      env: { ...env, HOME: root },
      cwd: root,
      logFile,
    });
    await this.portForward(pod, container, network);
    const previous = this.running.get(uid);
    const entry: Running = { process, network, gracePeriodSeconds: pod.spec?.terminationGracePeriodSeconds, ready: false, restarts, startedAt: new Date(), lastState: previous?.lastState, stopping: false };
    this.running.set(uid, entry);
    this.log(`pod ${namespace}/${name}: started ${container.name} (pilot-discovery) on ${podIP}, log ${process.spec.logFile}`);
    if (restarts > 0) await this.setStatus(pod, container, entry, { running: { startedAt: entry.startedAt } }).catch(() => undefined);
    void this.probe(pod, container, entry);
    void process.exited.then((code) => this.exited(pod, container, entry, code));
  }

  /** kwok's PortForward for the pod (owned by it, so it goes with it): each container port into the pod's network. */
  private async portForward(pod: V1Pod, container: V1Container, network: HeldNamespace): Promise<void> {
    const ports = (container.ports ?? []).map((p) => p.containerPort);
    await this.objects.serverSideApply(
      {
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'PortForward',
        metadata: {
          name: pod.metadata!.name!,
          namespace: pod.metadata!.namespace!,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! }],
        },
        spec: { forwards: ports.map((port) => ({ ports: [port], command: [...network.enter, globalThis.process.execPath, '-e', BRIDGE, String(port)] })) },
      },
      'meshops-harness',
    );
  }

  /** In-cluster config as a kubeconfig: the API server, its CA and the pod's own token file. */
  private async inClusterKubeconfig(root: string, serviceAccountDir: string): Promise<string> {
    if (!existsSync(join(serviceAccountDir, 'token'))) throw new Error('the pod has no service-account token mounted (automountServiceAccountToken off?)');
    const path = join(root, '.harness', 'in-cluster.kubeconfig');
    await writeFile(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'in-cluster', cluster: { server: this.config.server, 'certificate-authority': join(serviceAccountDir, 'ca.crt') } }],
        users: [{ name: 'pod', user: { tokenFile: join(serviceAccountDir, 'token') } }],
        contexts: [{ name: 'in-cluster', context: { cluster: 'in-cluster', user: 'pod' } }],
        'current-context': 'in-cluster',
      }),
      { mode: 0o600 },
    );
    return path;
  }

  /**
   * The container's readinessProbe (httpGet), run as the kubelet runs it: every periodSeconds with
   * timeoutSeconds, Ready after successThreshold successes, not Ready after failureThreshold failures.
   */
  private async probe(pod: V1Pod, container: V1Container, entry: Running): Promise<void> {
    const spec = container.readinessProbe;
    const probe = spec?.httpGet;
    const port = typeof probe?.port === 'number' ? probe.port : container.ports?.find((p) => p.name === probe?.port)?.containerPort;
    const [every, timeout] = [(spec?.periodSeconds ?? 10) * 1000, (spec?.timeoutSeconds ?? 1) * 1000];
    const [successes, failures] = [spec?.successThreshold ?? 1, spec?.failureThreshold ?? 3];
    let streak = 0;
    let last: boolean | undefined;
    await sleep((spec?.initialDelaySeconds ?? 0) * 1000);
    while (!entry.stopping && entry.process.running) {
      const ok = probe ? (await get(`http://${pod.status!.podIP}:${port}${probe.path ?? '/'}`, {}, timeout)).status === 200 : true;
      streak = ok === last ? streak + 1 : 1;
      last = ok;
      const flip = ok ? !entry.ready && streak >= successes : entry.ready && streak >= failures;
      if (flip && !entry.stopping) {
        entry.ready = ok;
        await this.setStatus(pod, container, entry, { running: { startedAt: entry.startedAt } }).catch((err: Error) => this.log(`pod ${pod.metadata?.name}: status: ${err.message}`));
      }
      await sleep(every);
    }
  }

  private async exited(pod: V1Pod, container: V1Container, entry: Running, code: number | null): Promise<void> {
    if (entry.stopping) return;
    const uid = pod.metadata!.uid!;
    const restarts = entry.restarts + 1;
    const delay = restartDelayMs(restarts);
    this.log(`pod ${pod.metadata?.name}: ${container.name} exited (${code}); restarting${delay ? ` in ${goDuration(delay)}` : ''}`);
    entry.ready = false;
    entry.restarts = restarts;
    entry.lastState = { terminated: { exitCode: code ?? 137, reason: 'Error', startedAt: entry.startedAt, finishedAt: new Date() } };
    const podName = `${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`;
    const waiting = delay
      ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(delay)} restarting failed container=${container.name} pod=${podName}` } }
      : { terminated: { exitCode: code ?? 137, reason: 'Error', finishedAt: new Date() } };
    await this.setStatus(pod, container, entry, waiting).catch(() => undefined);
    if (delay) await this.eventsOf(pod).record('BackOff', `Back-off restarting failed container ${container.name} in pod ${podName}`, `spec.containers{${container.name}}`).catch(() => undefined);
    await sleep(delay);
    await entry.network.holder.stop();
    const current = this.pods.get(pod.metadata!.name!, pod.metadata!.namespace);
    if (this.running.get(uid) !== entry || !current || current.metadata?.deletionTimestamp) return;
    await this.start1(current, restarts);
  }

  /** The container's status as the kubelet reports it; restarts and the last termination are kept. */
  private async setStatus(pod: V1Pod, container: V1Container, entry: Running, state: object): Promise<void> {
    const condition = (type: string) => ({ type, status: entry.ready ? 'True' : 'False', lastTransitionTime: new Date(), ...(entry.ready ? {} : { reason: 'ContainersNotReady' }) });
    const status = { name: container.name, image: container.image, imageID: '', ready: entry.ready, started: 'running' in state, restartCount: entry.restarts, state, ...(entry.lastState ? { lastState: entry.lastState } : {}) };
    await this.core.patchNamespacedPodStatus(
      { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { status: { conditions: [condition('Ready'), condition('ContainersReady')], containerStatuses: [status] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  }

  /** A pod being deleted: its process stopped first, then the pod object removed, as the kubelet does. */
  private async terminate(pod: V1Pod): Promise<void> {
    await this.stopPod(pod.metadata?.uid ?? '');
    await this.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, gracePeriodSeconds: 0 }).catch((err: { code?: number; message?: string }) => {
      if (err.code !== 404) this.log(`pod ${pod.metadata?.name}: final delete: ${err.message}`);
    });
  }

  private async stopPod(uid: string): Promise<void> {
    const entry = this.running.get(uid);
    if (!entry || entry.stopping) return;
    entry.stopping = true;
    // The pod's grace period, at most 5 s: the agent itself is stopped within 10 s.
    await entry.process.stop(Math.min((entry.gracePeriodSeconds ?? 30) * 1000, 5_000));
    await entry.network.holder.stop();
    if (this.running.get(uid) === entry) this.running.delete(uid);
    this.log(`stopped ${entry.process.spec.name}`);
  }
}
