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
  /**
   * What will not heal by waiting (a pod that cannot pull its image): one line each, naming the
   * fix. Asked at most every STUCK_CHECK_MS; any line fails the wait at once, non-retryably.
   */
  stuck?(items: T[]): Promise<string[]>;
}

const STUCK_CHECK_MS = 2_000;

const RELIST_DELAY_CAP_MS = 10_000;
/** The longest reconnect delay: also how far a wait can run past its timeout (a delay begun just before it). */
export const MAX_RELIST_DELAY_MS = RELIST_DELAY_CAP_MS * 1.25;

/**
 * Delay before the n-th consecutive reconnect (a watch the server closed, or a relist after 410
 * Gone or an error): 250 ms doubling to 10 s, with ±25% jitter so watchers do not reconnect in step.
 */
export function relistDelayMs(n: number, random: () => number = Math.random): number {
  const base = Math.min(250 * 2 ** n, RELIST_DELAY_CAP_MS);
  return Math.round(base * (0.75 + random() * 0.5));
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

/** 'done': the check passed or a stuck check found something. */
type WatchOutcome = 'done' | 'ended' | 'relist' | 'timeout' | 'cancelled' | { failed: unknown };

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** What waitFor takes from its surroundings, replaceable in tests: how it sleeps between reconnects and its jitter. */
export interface WaitForOptions {
  /** Waits `ms` (a reconnect's delay), rejecting when `signal` aborts; default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1), for the reconnect delays' jitter; default Math.random. */
  random?: () => number;
}

/**
 * Waits until `check` says done, driven by a watch (list, then watch from that resourceVersion,
 * with bookmarks; restarts when the server ends the watch, relists on 410 Gone, both backed off
 * with jitter). Heartbeats the
 * progress; on timeout fails with the objects that are not ready and why. No fixed sleeps.
 */
export async function waitFor<T extends KubernetesObject>(spec: WaitSpec<T>, options: WaitForOptions = {}): Promise<T[]> {
  const { client } = spec;
  const { sleep: pause = sleep, random = Math.random } = options;
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

  let stuckCheckedAt = 0;
  let stuckCheck: Promise<string[]> | undefined;
  /** Runs the stuck check when one is due; its lines fail the wait through `stuckLines`. */
  const checkStuck = () => {
    if (!spec.stuck || stuckCheck || Date.now() - stuckCheckedAt < STUCK_CHECK_MS) return;
    stuckCheckedAt = Date.now();
    stuckCheck = spec.stuck([...items.values()]).then(
      (lines) => {
        stuckCheck = undefined;
        if (lines.length > 0) stuckLines = lines;
        return lines;
      },
      () => ((stuckCheck = undefined), []),
    );
  };
  let stuckLines: string[] | undefined;
  const failIfStuck = () => {
    if (!stuckLines) return;
    throw ApplicationFailure.nonRetryable(
      `Waiting for ${spec.what} cannot succeed (${latest.progress}):\n${stuckLines.map((l) => `- ${l}`).join('\n')}`,
      KUBE_FAILURE.stuck,
    );
  };

  const beat = setInterval(() => {
    heartbeat({ waitingFor: spec.what, progress: latest.progress });
    checkStuck();
  }, Math.min(spec.heartbeatEveryMs ?? 5_000, STUCK_CHECK_MS));
  /** Reconnects since the last event: each waits relistDelayMs(reconnects). */
  let reconnects = 0;
  try {
    await relist();
    for (;;) {
      if (evaluate()) return [...items.values()];
      checkStuck();
      if (stuckCheck) await stuckCheck;
      failIfStuck();
      const outcome = await watchOnce(spec, resourceVersion, signal, deadline, (phase, obj) => {
        if (obj.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
        if (phase === 'BOOKMARK') return false;
        if (phase === 'DELETED') items.delete(keyOf(obj));
        else items.set(keyOf(obj), obj);
        reconnects = 0;
        return evaluate() || stuckLines !== undefined;
      }, () => stuckLines !== undefined);
      if (typeof outcome === 'object') throw outcome.failed;
      if (outcome === 'done' && latest.done) return [...items.values()];
      failIfStuck();
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
      // 'ended': the server closed the watch; resume from the last resourceVersion. 'relist': list
      // again first. Either way, back off with jitter while reconnects bring no event, so that a
      // server (or proxy) that keeps closing watches, or answering 410, is not hammered in step.
      await pause(relistDelayMs(reconnects++, random), signal);
      if (outcome === 'relist') await relist();
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
  interrupted: () => boolean,
): Promise<WatchOutcome> {
  return new Promise<WatchOutcome>((resolve) => {
    let settled = false;
    let request: AbortController | undefined;
    const finish = (outcome: WatchOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      signal.removeEventListener('abort', onAbort);
      request?.abort();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
    // A stuck check that found something ends the watch between events too.
    const poll = setInterval(() => interrupted() && finish('done'), 500);
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
