import { Client, Connection } from '@temporalio/client';
import { handleMeshCommand } from '../../bot/handle-command';
import { createBotLogger } from '../../bot/logger';
import { MeshClient } from '../../client';
import { testTemporalAddress } from '../harness/temporal-server';
import { TEST_POLICY } from './bot-kit';

describe('a start that fails after the ack', () => {
  it('is reported to the requester ephemerally with what to do, and logged', async () => {
    // A real client whose connection is gone: the start call fails the way it does when Temporal is down.
    const connection = await Connection.connect({ address: testTemporalAddress() });
    const mesh = new MeshClient({ client: new Client({ connection }), taskQueue: 'bot-start-failure' });
    await connection.close();
    const lines: string[] = [];
    const logger = createBotLogger('info', { write: (line: string) => void lines.push(line) });
    const reply = await handleMeshCommand(
      { mesh, policy: TEST_POLICY, groups: async () => [], logger, temporalUi: { namespace: 'default' } },
      { text: 'setup down-a down-b', userId: 'UREQUESTER', channelId: 'CMESH' },
    );
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/^:warning: Could not setup the mesh: .+\. Nothing was changed\. Try again in a minute; if it keeps failing, the Temporal server may be down/);
    expect(lines.map((l) => JSON.parse(l) as { msg: string })).toContainEqual(expect.objectContaining({ msg: '/mesh command failed', verb: 'setup', user: 'UREQUESTER' }));
  });
});
