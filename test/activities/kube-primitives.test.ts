import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { applyObjects, deleteObjects } from '../../activities/kube/apply';
import { EXEC_TIMEOUT, execInPod } from '../../activities/kube/exec';
import { createClusterClient, KubeClients } from '../../activities/kube/cluster-client';
import type { KubeObject } from '../../activities/kube/kube-object';
import { waitForLoadBalancer, waitForSecretKeys, waitForWorkloads } from '../../activities/kube/waits';
import { createMeshStepActivities } from '../../activities/mesh-steps';
import { meshSpecFor, MeshSpec } from '../../common/mesh-spec';
import { testKubeconfigPath } from '../harness/kube/test-clusters';
import { resourceVersions } from './cluster-snapshot';

async function eventually(check: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition never held');
}

/** The generic Kubernetes pieces against the harness's `remote` API server, in namespaces of their own. */
describe('kube primitives on a real API server', () => {
  const kubeconfigPath = testKubeconfigPath();
  const remote = new KubeClients(kubeconfigPath).forContext('remote');
  const ns = 'primitives-kube';
  const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ApplicationFailure);

  beforeAll(async () => {
    await applyObjects(remote, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
  });
  afterAll(async () => {
    await deleteObjects(remote, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
  });

  const crd: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.primitives.meshops.test' },
    spec: {
      group: 'primitives.meshops.test',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } } },
              },
            },
          },
        },
      ],
    },
  };
  const widget: KubeObject = { apiVersion: 'primitives.meshops.test/v1', kind: 'Widget', metadata: { name: 'w1', namespace: ns }, spec: { size: '10%' } };

  it('applies a CRD and its custom resource in one list (CRD first, waited for Established); a second apply changes nothing', async () => {
    // The custom resource comes first in the list: the apply order, not the caller's, makes it work.
    const first = await applyObjects(remote, [widget, crd]);
    expect(first.map((a) => a.ref)).toEqual(['CustomResourceDefinition widgets.primitives.meshops.test', `Widget ${ns}/w1`]);
    const live = await remote.objects.read({ apiVersion: widget.apiVersion, kind: 'Widget', metadata: { name: 'w1', namespace: ns } });
    expect((live as unknown as { spec: { size: string } }).spec.size).toBe('10%');
    // The CRD's status moves on after the first apply (Established); read what the server settled on.
    const settled = await resourceVersions(remote, [crd, widget]);
    const second = await applyObjects(remote, [widget, crd]);
    expect(Object.fromEntries(second.map((a) => [a.ref, a.resourceVersion]))).toEqual(settled);
    await deleteObjects(remote, [widget, crd]);
  });

  it('classifies an invalid manifest as non-retryable, naming the object and the field', async () => {
    const broken: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'broken', namespace: ns }, spec: { template: {} } };
    const failure = await rejection(applyObjects(remote, [broken]));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure?.type).toBe('KubeInvalid');
    expect(failure?.nonRetryable).toBe(true);
    expect(failure?.message).toContain(`Could not apply Deployment ${ns}/broken on remote: the API server rejected it as invalid`);
    expect(failure?.message).toContain('spec.selector');
  });

  it('fails fast as not-found-after-create when a token Secret is removed by the token controller', async () => {
    const orphan: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'orphan-token', namespace: ns, annotations: { 'kubernetes.io/service-account.name': 'no-such-account' } },
    };
    await applyObjects(remote, [orphan]);
    const failure = await rejection(waitForSecretKeys(remote, ns, 'orphan-token', ['token'], 60_000));
    expect(failure?.type).toBe('KubeNotFoundAfterCreate');
    expect(failure?.nonRetryable).toBe(true);
    expect(failure?.message).toContain(`Secret ${ns}/orphan-token on remote was created but is gone`);
  });

  describe('with an identity that has no RBAC', () => {
    let restrictedPath: string;

    beforeAll(async () => {
      await applyObjects(remote, [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'nobody', namespace: ns } },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/service-account-token',
          metadata: { name: 'nobody-token', namespace: ns, annotations: { 'kubernetes.io/service-account.name': 'nobody' } },
        },
      ]);
      const secret = await waitForSecretKeys(remote, ns, 'nobody-token', ['token', 'ca.crt'], 60_000);
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'remote', server: remote.server, caData: secret.data?.['ca.crt'] }],
        users: [{ name: 'nobody', token: Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8') }],
        contexts: ['restricted-a', 'restricted-b'].map((name) => ({ name, cluster: 'remote', user: 'nobody' })),
        currentContext: 'restricted-a',
      });
      restrictedPath = join(mkdtempSync(join(tmpdir(), 'meshops-restricted-')), 'kubeconfig');
      writeFileSync(restrictedPath, kc.exportConfig(), { mode: 0o600 });
    });

    it('classifies Forbidden as non-retryable with the fix', async () => {
      const restricted = createClusterClient(restrictedPath, 'restricted-a');
      const failure = await rejection(applyObjects(restricted, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'primitives-denied' } }]));
      expect(failure?.type).toBe('KubeForbidden');
      expect(failure?.nonRetryable).toBe(true);
      expect(failure?.message).toContain('Could not apply Namespace primitives-denied on restricted-a: forbidden');
      expect(failure?.message).toContain('Grant the identity of context restricted-a this permission');
    });

    it('fails a wait whose watch is refused (list allowed, watch not) as Forbidden instead of relisting until the timeout', async () => {
      await applyObjects(remote, [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'no-lb', namespace: ns }, spec: { ports: [{ port: 80 }] } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'list-only', namespace: ns }, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['list'] }] },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'list-only', namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'list-only' },
          subjects: [{ kind: 'ServiceAccount', name: 'nobody', namespace: ns }],
        },
      ]);
      const restricted = createClusterClient(restrictedPath, 'restricted-a');
      // The authorizer learns the new RoleBinding from its informer: wait until the list is allowed.
      await eventually(async () => (await restricted.authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'list', resource: 'services', namespace: ns } } } })).status?.allowed === true);
      const failure = await rejection(waitForLoadBalancer(restricted, ns, 'no-lb', 60_000));
      expect(failure?.type).toBe('KubeForbidden');
      expect(failure?.message).toContain(`Could not watch /api/v1/namespaces/${ns}/services on restricted-a: forbidden`);
    });

    it('preflight lists every permission the install lacks, per context (SelfSubjectAccessReview)', async () => {
      const lines: { level: string; obj: object; msg?: string }[] = [];
      const logger = { info: (obj: object, msg?: string) => lines.push({ level: 'info', obj, msg }), warn: (obj: object, msg?: string) => lines.push({ level: 'warn', obj, msg }) };
      const steps = createMeshStepActivities({ kubeconfigPath: restrictedPath, istioctlPath: 'unused', logger });
      const spec = MeshSpec.parse(meshSpecFor('restricted-a', 'restricted-b'));
      const failure = await rejection(steps.preflight({ spec, facts: {} }));
      expect(failure?.type).toBe('KubeForbidden');
      expect(failure?.message).toContain('restricted-a: create namespaces');
      expect(failure?.message).toContain('restricted-a: create customresourcedefinitions.apiextensions.k8s.io');
      expect(failure?.message).toContain('restricted-b: create serviceaccounts in istio-system');
      expect(failure?.message).toContain('Bind them to cluster-admin');
      expect(lines).toEqual([
        { level: 'warn', msg: 'step failed', obj: expect.objectContaining({ step: 'preflight', local: 'restricted-a', remote: 'restricted-b', error: failure?.message }) },
      ]);
      const token = new KubeConfig();
      token.loadFromFile(restrictedPath);
      expect(JSON.stringify(lines)).not.toContain(token.getCurrentUser()?.token);
    });
  });

  it('names a kubeconfig context that does not exist and the ones that do', () => {
    expect(() => createClusterClient(kubeconfigPath, 'nope')).toThrow(/has no context "nope" \(it has: local, remote\)/);
  });

  it('stops applying and deleting at the next object when the activity is cancelled', async () => {
    const cms: KubeObject[] = ['c1', 'c2', 'c3'].map((name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { k: name } }));
    const names = async () =>
      (await remote.objects.list<KubeObject>('v1', 'ConfigMap', ns)).items.map((o) => o.metadata.name).filter((n) => /^c\d$/.test(n)).sort();
    const applying = new MockActivityEnvironment();
    applying.on('heartbeat', () => applying.cancel());
    await expect(applying.run(() => applyObjects(remote, cms))).rejects.toBeInstanceOf(CancelledFailure);
    expect(await names()).toEqual(['c1']);

    await applyObjects(remote, cms);
    const deleting = new MockActivityEnvironment();
    deleting.on('heartbeat', () => deleting.cancel());
    await expect(deleting.run(() => deleteObjects(remote, cms))).rejects.toBeInstanceOf(CancelledFailure);
    // Reverse order: c3 went before the cancel was seen.
    await eventually(async () => (await names()).join() === 'c1,c2');
    await deleteObjects(remote, cms);
  });

  it('rejects an exec with the SDK\'s cancellation (not a retryable kube failure) when the activity is cancelled', async () => {
    const env = new MockActivityEnvironment();
    env.on('heartbeat', () => env.cancel());
    const exec = env.run(() => execInPod(remote, { namespace: ns, pod: 'any', container: 'c', command: ['true'], timeoutMs: 60_000 }));
    await expect(exec).rejects.toBeInstanceOf(CancelledFailure);
  });

  it('fails an exec that runs past its timeout as a non-retryable ExecTimeout naming the pod (not a retryable "API server did not answer")', async () => {
    const failure = await rejection(execInPod(remote, { namespace: ns, pod: 'slow', container: 'c', command: ['true'], timeoutMs: 1 }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure?.type).toBe(EXEC_TIMEOUT);
    expect(failure?.nonRetryable).toBe(true);
    expect(failure?.message).toContain(`container c of pod ${ns}/slow on remote did not finish`);
  });

  it('does not take an empty namespace for a finished rollout (no Deployments yet) unless the caller allows empty', async () => {
    const empty = 'primitives-empty';
    await applyObjects(remote, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: empty } }]);
    try {
      const failure = await rejection(waitForWorkloads(remote, { namespace: empty, timeoutMs: 1_500 }));
      expect(failure?.type).toBe('KubeWaitTimeout');
      expect(failure?.message).toContain('(no Deployments yet)');
      await expect(waitForWorkloads(remote, { namespace: empty, timeoutMs: 1_500, allowEmpty: true })).resolves.toEqual({ deployments: 0, pods: 0 });
    } finally {
      await deleteObjects(remote, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: empty } }]);
    }
  });

  it('heartbeats the wait\'s progress and stops watching when the activity is cancelled', async () => {
    const stuck: V1Deployment = {
      metadata: { name: 'stuck', namespace: ns, labels: { app: 'stuck' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'stuck' } },
        template: {
          metadata: { labels: { app: 'stuck' } },
          spec: { nodeSelector: { 'kubernetes.io/hostname': 'no-such-node' }, containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    };
    await applyObjects(remote, [{ apiVersion: 'apps/v1', kind: 'Deployment', ...stuck } as KubeObject]);
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => {
      beats.push(d);
      if (beats.length === 1) env.cancel();
    });
    const waiting = env.run(() => waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=stuck', timeoutMs: 300_000 }));
    await expect(waiting).rejects.toBeInstanceOf(CancelledFailure);
    expect(beats[0]).toEqual({ waitingFor: `Deployments in ${ns} on remote`, progress: '0 of 1 Deployments available' });
  });
});
