import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** A repeated event's count and time are bumped at most this often. */
const EVENT_REPEAT_MS = 10_000;

/**
 * The events the kubelet records for one pod (source `kubelet` on the pod's node), as it does:
 * the same reason, object and message again bumps the first event's count and lastTimestamp.
 */
export class PodEvents {
  private readonly seen = new Map<string, { name: string; count: number; at: number }>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly pod: V1Pod,
  ) {}

  async record(reason: string, message: string, fieldPath?: string, type: 'Warning' | 'Normal' = 'Warning'): Promise<void> {
    const pod = this.pod;
    const key = `${reason}\n${fieldPath ?? ''}\n${message}`;
    const now = new Date();
    const namespace = pod.metadata!.namespace!;
    const previous = this.seen.get(key);
    if (previous) {
      if (now.getTime() - previous.at < EVENT_REPEAT_MS) return;
      previous.count += 1;
      previous.at = now.getTime();
      await this.core.patchNamespacedEvent(
        { name: previous.name, namespace, body: { count: previous.count, lastTimestamp: now } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return;
    }
    const name = `${pod.metadata!.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
    this.seen.set(key, { name, count: 1, at: now.getTime() });
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name, namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name, namespace, uid: pod.metadata!.uid, fieldPath },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: 'kubelet', host: pod.spec?.nodeName },
        reportingComponent: 'kubelet',
        reportingInstance: pod.spec?.nodeName,
      },
    });
  }
}
