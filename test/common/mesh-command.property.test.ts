import fc from 'fast-check';
import { Client, Connection } from '@temporalio/client';
import { parseMeshCommand } from '../../common/mesh-command';
import { handleMeshCommand } from '../../bot/handle-command';
import { createBotLogger } from '../../bot/logger';
import { AuthorizationPolicy } from '../../bot/policy';
import { SETUP_KEY_NAMES } from '../../common/setup-keys';
import { VERBS } from '../../common/command-usage';
import { MeshClient } from '../../client';
import { MeshSpec } from '../../common/mesh-spec';
import { workflowIdFor } from '../../common/naming';
import { testTemporalAddress } from '../harness/temporal-server';

/** Words that look like /mesh input: verbs, contexts, key=value with good and bad values, mentions, noise. */
const word = fc.oneof(
  fc.constantFrom(...VERBS, ...VERBS.map((v) => v.toUpperCase()), 'stup', 'rm', '--rollback', '--force', '-h'),
  fc.constantFrom('local', 'remote', 'prod-east', 'kind-a', 'ctx:1', 'a/b', '"q"', "o'k", '', 'mesh/local--remote'),
  fc.tuple(fc.constantFrom(...SETUP_KEY_NAMES, 'Requests', 'requets', 'bogus', ''), fc.oneof(fc.constantFrom('true', 'no', '0', '50', '-1', '1.5', '1e9', 'none', 'install-remote,link-secret', 'network1', '2h', '<@U0AB>', '<!subteam^S0OPS|@ops>', '@ops', ',', ''), fc.string({ maxLength: 12 }))).map(([k, v]) => `${k}=${v}`),
  fc.string({ maxLength: 16 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const context = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.constantFrom('local', 'remote', 'Bad Ctx', '"q"'));
/** Commands that are often valid, so the acceptance side is exercised as much as the rejections. */
const specCommand = fc
  .tuple(fc.constantFrom('setup', 'verify', 'teardown'), context, context, fc.array(word, { maxLength: 3 }))
  .map(([verb, local, remote, rest]) => [verb, local, remote, ...rest].join(' '));
const meshText = fc.oneof(
  fc.array(word, { maxLength: 8 }).map((ws) => ws.join(' ')),
  specCommand,
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

describe('/mesh parser under random input', () => {
  it('never throws; every rejection has a message and the right form; every accepted spec is a valid MeshSpec', () => {
    fc.assert(
      fc.property(meshText, (text) => {
        const result = parseMeshCommand(text);
        if (!result.ok) {
          expect(result.error.trim().length).toBeGreaterThan(10);
          expect(result.usage).toMatch(/^\/mesh /);
          return;
        }
        const { command } = result;
        if (command.verb === 'setup' || command.verb === 'teardown' || command.verb === 'verify') {
          expect(MeshSpec.safeParse(command.spec).success).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('starts a workflow for exactly the valid setup and verify commands, through the real MeshClient', async () => {
    const taskQueue = `bot-property-${Date.now()}`;
    const connection = await Connection.connect({ address: testTemporalAddress() });
    try {
      const client = new Client({ connection });
      const mesh = new MeshClient({ client, taskQueue });
      const policy = AuthorizationPolicy.parse({ admins: { users: ['UADMIN'] }, channels: [{ channel: 'CMESH', contexts: ['*'] }] });
      const deps = { mesh, policy, groups: async () => [], logger: createBotLogger('silent'), temporalUi: { namespace: 'default' } };
      const expected = new Set<string>();
      let invalid = 0;
      // No worker polls this queue: started runs just wait, and no status query is sent (no cancel/status/runs).
      const texts = fc.sample(meshText.filter((t) => !/^\s*(cancel|status|runs)\b/i.test(t)), { numRuns: 400, seed: 6 });
      for (const text of texts) {
        const parsed = parseMeshCommand(text);
        if (parsed.ok && (parsed.command.verb === 'setup' || parsed.command.verb === 'verify')) {
          expected.add(workflowIdFor(parsed.command.verb, parsed.command.spec.local.context, parsed.command.spec.remote.context));
        }
        if (!parsed.ok) invalid++;
        const reply = await handleMeshCommand(deps, { text, userId: 'UREQUESTER', channelId: 'CMESH' });
        expect(reply.text.length).toBeGreaterThan(0);
      }
      expect(invalid).toBeGreaterThan(100); // the sample exercises rejections, not just the happy path
      expect(expected.size).toBeGreaterThan(5);
      // Visibility is eventually consistent: wait until it counts as many runs as expected, then compare ids.
      const query = `TaskQueue = '${taskQueue}'`;
      const deadline = Date.now() + 60_000;
      while ((await client.workflow.count(query)).count < expected.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const started: string[] = [];
      for await (const w of client.workflow.list({ query })) started.push(w.workflowId);
      expect(new Set(started)).toEqual(expected);
    } finally {
      await connection.close();
    }
  });
});
