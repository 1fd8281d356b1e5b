import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { hopelessContainers } from '../../activities/kube/readiness';

/** hopelessContainers on built pods and events, as the kubelet writes them (no cluster). */
describe('hopelessContainers', () => {
  const image = 'registry.istio.io/testing/pilot:latest';
  const refused = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
  const pod = (reason: string, message: string): V1Pod => ({
    metadata: { name: 'app-7d9c-x2x4q', namespace: 'sample', uid: 'pod-uid-1' },
    spec: { containers: [{ name: 'app', image }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'app', image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } }] },
  });
  /** A kubelet event about the pod, at `at` (lastTimestamp, or only eventTime / firstTimestamp as some writers leave it). */
  const event = (reason: string, message: string, at: string, field: 'lastTimestamp' | 'eventTime' | 'firstTimestamp' = 'lastTimestamp', uid = 'pod-uid-1'): CoreV1Event => ({
    metadata: { name: `app.${reason}.${at}`, namespace: 'sample' },
    involvedObject: { kind: 'Pod', name: 'app-7d9c-x2x4q', namespace: 'sample', uid },
    reason,
    message,
    [field]: new Date(at),
  });
  const pullFailed = (at: string, field?: 'lastTimestamp' | 'eventTime' | 'firstTimestamp', detail = refused) => event('Failed', `Failed to pull image "${image}": ${detail}`, at, field);

  it('fails a container in ErrImagePull the registry refused, quoting the kubelet\'s "Failed to pull image" event and the fix', () => {
    const lines = hopelessContainers(pod('ErrImagePull', refused), [pullFailed('2026-12-06T10:00:01Z')]);
    expect(lines).toEqual([
      `Pod sample/app-7d9c-x2x4q: container app is in ErrImagePull (${refused}); event Failed: Failed to pull image "${image}": ${refused}. ` +
        `Fix: image ${image} cannot be pulled: if it is an Istio image, check that the spec's istio version and hub name a published release (e.g. istio=1.31.0 hub=registry.istio.io/release); otherwise that the cluster's nodes can reach the registry.`,
    ]);
  });

  it('waits on ErrImagePull until the event can be quoted, and on a pull the backoff may still get past', () => {
    expect(hopelessContainers(pod('ErrImagePull', refused), [])).toEqual([]);
    // an event of another pod (same name, an earlier incarnation) is not this pod's
    expect(hopelessContainers(pod('ErrImagePull', refused), [{ ...pullFailed('2026-12-06T10:00:01Z'), involvedObject: { kind: 'Pod', uid: 'pod-uid-0' } }])).toEqual([]);
    const tooMany = 'rpc error: code = Unknown desc = 429 Too Many Requests';
    expect(hopelessContainers(pod('ErrImagePull', tooMany), [pullFailed('2026-12-06T10:00:01Z', 'lastTimestamp', tooMany)])).toEqual([]);
  });

  it('quotes the latest event by its time, not by its place in the list', () => {
    const older = pullFailed('2026-12-06T10:00:01Z', 'lastTimestamp', 'rpc error: code = NotFound desc = first attempt');
    const latest = pullFailed('2026-12-06T10:00:09Z', 'lastTimestamp', 'rpc error: code = NotFound desc = latest attempt');
    for (const events of [[older, latest], [latest, older]]) {
      const [line] = hopelessContainers(pod('ErrImagePull', refused), events);
      expect(line).toContain('; event Failed: Failed to pull image "registry.istio.io/testing/pilot:latest": rpc error: code = NotFound desc = latest attempt.');
    }
    // without a lastTimestamp, its eventTime, else its firstTimestamp, says when it happened
    const byEventTime = pullFailed('2026-12-06T10:00:12Z', 'eventTime', 'rpc error: code = NotFound desc = by eventTime');
    const byFirst = pullFailed('2026-12-06T10:00:15Z', 'firstTimestamp', 'rpc error: code = NotFound desc = by firstTimestamp');
    expect(hopelessContainers(pod('ErrImagePull', refused), [byEventTime, latest, older])[0]).toContain('desc = by eventTime.');
    expect(hopelessContainers(pod('ErrImagePull', refused), [byFirst, byEventTime, latest])[0]).toContain('desc = by firstTimestamp.');
  });
});
