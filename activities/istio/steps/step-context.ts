import type { MeshSpec } from '../../../common/mesh-spec';
import type { ClusterClient } from '../../kube/cluster-client';
import { KubeClients } from '../../kube/cluster-client';
import { activityLog } from '../../kube/activity-context';
import { execInPod, type ExecInPod } from '../../kube/exec';
import type { RootCa } from '../mesh-ca';

/** The few logger methods the steps use; a pino logger fits. Never given a secret. */
export interface StepLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface StepTimeouts {
  /** Deployments available and pods Ready after an install or deploy. */
  rolloutMs: number;
  /** A LoadBalancer Service getting its address. */
  loadBalancerMs: number;
  /** The token controller filling a service-account token Secret. */
  tokenMs: number;
  /** Namespaces and CRDs disappearing after delete. */
  deleteMs: number;
  /** The verify-split call loop inside sleep. */
  execMs: number;
  /** istiod's endpoints settling after a change (a pod just Ready, a Secret just linked) before verify-split judges them. */
  settleMs: number;
}

export const DEFAULT_STEP_TIMEOUTS: StepTimeouts = {
  rolloutMs: 5 * 60_000,
  loadBalancerMs: 5 * 60_000,
  tokenMs: 60_000,
  deleteMs: 5 * 60_000,
  execMs: 2 * 60_000,
  settleMs: 30_000,
};

/** What the worker gives the step activities. */
export interface MeshStepDeps {
  /** kubeconfig holding the contexts the specs name (the seed's CTX_LOCAL / CTX_REMOTE). */
  kubeconfigPath: string;
  /** istioctl used to render the manifests (scripts/provision-kube.sh istioctl). */
  istioctlPath: string;
  logger?: StepLogger;
  /**
   * Accept a development build of istioctl (`1.31-dev`) for the spec's minor release; without it
   * istioctl must be exactly the release spec.istio.version names. The worker's
   * MESHOPS_ALLOW_DEV_ISTIOCTL; the test clusters' istioctl is such a build.
   */
  allowDevIstioctl?: boolean;
  /** A root CA supplied by the operator; when absent, one is generated once per mesh. */
  rootCa?: RootCa;
  /** Exec into a pod; defaults to the API server's exec. Tests without a data plane pass a recorded stand-in. */
  execInPod?: ExecInPod;
  timeouts?: Partial<StepTimeouts>;
}

export interface StepContext {
  deps: MeshStepDeps;
  timeouts: StepTimeouts;
  exec: ExecInPod;
  local(spec: MeshSpec): ClusterClient;
  remote(spec: MeshSpec): ClusterClient;
  log: StepLogger;
}

const silent: StepLogger = { info: () => undefined, warn: () => undefined };

/**
 * Inside an activity, lines go through Temporal's activity logger (the worker routes it to its pino
 * logger with workflow and activity ids); outside one, to the logger the worker passed.
 */
function stepLogger(fallback: StepLogger): StepLogger {
  return {
    info: (obj, msg) => (activityLog() ? activityLog()?.info(msg ?? '', { ...obj }) : fallback.info(obj, msg)),
    warn: (obj, msg) => (activityLog() ? activityLog()?.warn(msg ?? '', { ...obj }) : fallback.warn(obj, msg)),
  };
}

export function createStepContext(deps: MeshStepDeps): StepContext {
  const clients = new KubeClients(deps.kubeconfigPath);
  return {
    deps,
    timeouts: { ...DEFAULT_STEP_TIMEOUTS, ...deps.timeouts },
    exec: deps.execInPod ?? execInPod,
    local: (spec) => clients.forContext(spec.local.context),
    remote: (spec) => clients.forContext(spec.remote.context),
    log: stepLogger(deps.logger ?? silent),
  };
}
