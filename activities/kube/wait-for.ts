import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { cancellationSignal, heartbeat } from './activity-context';
import type { ClusterClient } from './cluster-client';
import { KUBE_FAILURE, kubeCall, kubeFailure } from './kube-failure';

/** Where the wait stands: done, or what it still waits for (one line each). */
export interface WaitState {
  done: boolean;
  /** e.g. "3 of 4 pods Ready" — heartbeated as progress. */
  progress: string;
}

export interface WaitSpec<T extends KubernetesObject> {
  client: ClusterClient;
  /** What is awaited, for messages: "control-plane pods in istio-system on local". */
  what: string;
  /** The resource awaited, e.g. { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespace: 'istio-system' }. */
  resource: WatchedResource;
  labelSelector?: string;
  fieldSelector?: string;
  check(items: T[]): WaitState;
  /** On timeout: one line per object that is not ready, naming it and why (conditions, events). */
  explain(items: T[]): Promise<string[]>;
  timeoutMs: number;
  /** How often the activity heartbeats while nothing changes. */
  heartbeatEveryMs?: number;
  /**
   * The wait is for an object just created: when it is absent or deleted, fail at once as
   * not-found-after-create with this explanation instead of waiting out the timeout.
   */
  mustExist?: { name: string; whyGone: string };
}

export interface WatchedResource {
  apiVersion: string;
  kind: string;
  plural: string;
  namespace?: string;
}

/** The REST path a watch of the resource uses. */
export function watchPath(r: WatchedResource): string {
  const group = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return `${group}${r.namespace ? `/namespaces/${r.namespace}` : ''}/${r.plural}`;
}

type WatchOutcome = 'done' | 'ended' | 'relist' | 'timeout' | 'cancelled' | { failed: unknown };

function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/**
 * Waits until `check` says done, driven by a watch (list, then watch from that resourceVersion,
 * with bookmarks; restarts when the server ends the watch, relists on 410 Gone). Heartbeats the
 * progress; on timeout fails with the objects that are not ready and why. No fixed sleeps.
 */
export async function waitFor<T extends KubernetesObject>(spec: WaitSpec<T>): Promise<T[]> {
  const { client } = spec;
  const deadline = Date.now() + spec.timeoutMs;
  const signal = cancellationSignal();
  const items = new Map<string, T>();
  let resourceVersion = '';
  let latest: WaitState = { done: false, progress: 'starting' };

  const relist = async () => {
    const r = spec.resource;
    const list = await kubeCall({ verb: 'list', object: watchPath(r), context: client.context }, () =>
      client.objects.list<T>(r.apiVersion, r.kind, r.namespace, undefined, undefined, undefined, spec.fieldSelector, spec.labelSelector),
    );
    items.clear();
    for (const item of list.items) items.set(keyOf(item), item);
    resourceVersion = list.metadata?.resourceVersion ?? '';
  };
  const evaluate = () => {
    if (spec.mustExist && ![...items.values()].some((o) => o.metadata?.name === spec.mustExist?.name)) {
      throw ApplicationFailure.nonRetryable(
        `${spec.resource.kind} ${spec.resource.namespace ? `${spec.resource.namespace}/` : ''}${spec.mustExist.name} on ${client.context} was created but is gone: ${spec.mustExist.whyGone}`,
        KUBE_FAILURE.notFoundAfterCreate,
      );
    }
    latest = spec.check([...items.values()]);
    heartbeat({ waitingFor: spec.what, progress: latest.progress });
    return latest.done;
  };

  const beat = setInterval(() => heartbeat({ waitingFor: spec.what, progress: latest.progress }), spec.heartbeatEveryMs ?? 5_000);
  try {
    await relist();
    for (;;) {
      if (evaluate()) return [...items.values()];
      const outcome = await watchOnce(spec, resourceVersion, signal, deadline, (phase, obj) => {
        if (obj.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
        if (phase === 'BOOKMARK') return false;
        if (phase === 'DELETED') items.delete(keyOf(obj));
        else items.set(keyOf(obj), obj);
        return evaluate();
      });
      if (typeof outcome === 'object') throw outcome.failed;
      if (outcome === 'done') return [...items.values()];
      if (outcome === 'cancelled') throw signal.reason ?? new Error(`cancelled while waiting for ${spec.what}`);
      if (outcome === 'timeout') {
        const lines = await spec.explain([...items.values()]);
        throw ApplicationFailure.nonRetryable(
          `Timed out after ${Math.round(spec.timeoutMs / 1000)}s waiting for ${spec.what} (${latest.progress}).` +
            (lines.length ? `\n${lines.map((l) => `- ${l}`).join('\n')}` : '') +
            '\nFix what is named above, then retry the step.',
          KUBE_FAILURE.waitTimeout,
        );
      }
      if (outcome === 'relist') await relist();
      // 'ended': the server closed the watch; resume from the last resourceVersion.
    }
  } finally {
    clearInterval(beat);
  }
}

/** One watch request; resolves with why it stopped. `onEvent` returns true when the wait is done. */
function watchOnce<T extends KubernetesObject>(
  spec: WaitSpec<T>,
  resourceVersion: string,
  signal: AbortSignal,
  deadline: number,
  onEvent: (phase: string, obj: T) => boolean,
): Promise<WatchOutcome> {
  return new Promise<WatchOutcome>((resolve) => {
    let settled = false;
    let request: AbortController | undefined;
    const finish = (outcome: WatchOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      request?.abort();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
    const onAbort = () => finish('cancelled');
    if (signal.aborted) return finish('cancelled');
    signal.addEventListener('abort', onAbort);
    const params: Record<string, string | boolean> = { allowWatchBookmarks: true };
    if (resourceVersion) params.resourceVersion = resourceVersion;
    if (spec.labelSelector) params.labelSelector = spec.labelSelector;
    if (spec.fieldSelector) params.fieldSelector = spec.fieldSelector;
    spec.client.watch
      .watch(
        watchPath(spec.resource),
        params,
        (phase: string, obj: T) => {
          if (settled) return;
          // An ERROR event carries a Status, e.g. 410 Gone when the resourceVersion is too old.
          if (phase === 'ERROR') return finish('relist');
          try {
            if (onEvent(phase, obj)) finish('done');
          } catch (failed) {
            finish({ failed });
          }
        },
        (err: unknown) => {
          if (!err) return finish('ended');
          // Refused watches (401/403) will not heal by relisting; anything else (410, timeouts, resets) relists.
          const code = (err as { statusCode?: number }).statusCode;
          if (code === 401 || code === 403) {
            const refused = new ApiException(code, (err as Error).message, JSON.stringify({ message: `watch ${watchPath(spec.resource)} refused` }), {});
            return finish({ failed: kubeFailure(refused, { verb: 'watch', object: watchPath(spec.resource), context: spec.client.context }) });
          }
          finish('relist');
        },
      )
      .then(
        (controller) => {
          request = controller;
          if (settled) controller.abort();
        },
        () => finish('relist'),
      );
  });
}
