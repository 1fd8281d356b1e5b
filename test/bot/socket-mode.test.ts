import { Client, Connection } from '@temporalio/client';
import { WebClient } from '@slack/web-api';
import { createMeshApp } from '../../bot/app';
import { createBotLogger } from '../../bot/logger';
import { createSocketReceiver } from '../../bot/receivers';
import { createUserGroupResolver } from '../../bot/user-groups';
import { MeshClient } from '../../client';
import { workflowIdFor } from '../../common/naming';
import { eventually } from '../harness/child-process';
import { SlackApiStandin } from '../harness/slack-api-standin';
import { testTemporalAddress } from '../harness/temporal-server';
import { TEST_POLICY } from './bot-kit';

describe('Socket Mode receiver', () => {
  it('takes /mesh over the WebSocket Slack opens for it: acks the envelope and starts the workflow', async () => {
    const standin = await SlackApiStandin.start({
      botToken: 'xoxb-socket',
      appToken: 'xapp-1-A0MESHOPS-1-socket',
      channels: [{ id: 'CMESH', name: 'mesh', type: 'public', members: ['UBOTMESH', 'UREQUESTER'] }],
    });
    const connection = await Connection.connect({ address: testTemporalAddress() });
    const client = new Client({ connection });
    const logger = createBotLogger('silent');
    const web = new WebClient('xoxb-socket', { slackApiUrl: standin.apiUrl });
    const app = createMeshApp(
      { receiver: createSocketReceiver('xapp-1-A0MESHOPS-1-socket', logger, standin.apiUrl), botToken: 'xoxb-socket', botId: 'BBOTMESH', botUserId: 'UBOTMESH', slackApiUrl: standin.apiUrl },
      { mesh: new MeshClient({ client, taskQueue: `bot-socket-${Date.now()}` }), policy: TEST_POLICY, groups: createUserGroupResolver(web, logger), logger, temporalUi: { namespace: 'default' } },
    );
    try {
      await app.start();
      expect(standin.callsTo('apps.connections.open')[0].token).toBe('xapp-1-A0MESHOPS-1-socket');
      await eventually(() => standin.socketConnections === 1, 'the app to connect');
      const envelopeId = standin.sendEnvelope('slash_commands', {
        token: 'legacy',
        team_id: 'T0MESHOPS',
        channel_id: 'CMESH',
        user_id: 'UREQUESTER',
        user_name: 'requester',
        command: '/mesh',
        text: 'setup socket-a socket-b',
        api_app_id: 'A0MESHOPS',
        response_url: standin.responseUrl('socket', { channel: 'CMESH', user: 'UREQUESTER' }),
        trigger_id: '1.2.3',
      });
      await eventually(() => standin.socketMessages.some((m) => m.envelope_id === envelopeId), 'the ack of the envelope');
      await eventually(() => standin.ephemerals.some((e) => e.responseUrlId === 'socket'), 'the answer');
      expect(standin.ephemerals.find((e) => e.responseUrlId === 'socket')?.text).toContain('Started mesh setup of `socket-a` ↔ `socket-b`');
      await expect(client.workflow.getHandle(workflowIdFor('setup', 'socket-a', 'socket-b')).describe()).resolves.toMatchObject({ type: 'meshSetup' });
    } finally {
      await app.stop();
      await connection.close();
      await standin.close();
    }
  });
});
