import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { MESH_SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { ensureSearchAttributes } from '../../worker/run-worker';
import { testTemporalAddress } from '../harness/temporal-server';

/**
 * The worker makes sure a namespace has the typed search attributes mesh runs set, as on a
 * production cluster where nobody registered them: a namespace made here has none of them.
 */
describe('ensureSearchAttributes', () => {
  it('adds the missing Keyword attributes to a namespace that has none, then finds nothing to add', async () => {
    const namespace = `search-attributes-${Date.now()}`;
    const client = await Connection.connect({ address: testTemporalAddress() });
    const worker = await NativeConnection.connect({ address: testTemporalAddress() });
    try {
      await client.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1d') });
      const names = MESH_SEARCH_ATTRIBUTES.map((k) => k.name);
      const custom = async () => (await client.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
      expect(Object.keys(await custom()).filter((n) => names.includes(n))).toEqual([]);

      expect((await ensureSearchAttributes(worker, namespace)).sort()).toEqual([...names].sort());
      const after = await custom();
      for (const name of names) expect(after[name]).toBeDefined();
      expect(await ensureSearchAttributes(worker, namespace)).toEqual([]);
    } finally {
      await worker.close();
      await client.close();
    }
  });

  it('names the namespace and the commands that create them when the server refuses', async () => {
    const worker = await NativeConnection.connect({ address: testTemporalAddress() });
    try {
      await expect(ensureSearchAttributes(worker, 'no-such-namespace')).rejects.toThrow(
        /could not list the search attributes of namespace no-such-namespace: .*\n {2}temporal operator search-attribute create --namespace no-such-namespace --name MeshPhase --type Keyword/,
      );
    } finally {
      await worker.close();
    }
  });
});
