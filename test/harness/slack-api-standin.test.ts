import { newTriggerId } from './slack-requests';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { WebClient, WebClientEvent, type WebAPICallResult } from '@slack/web-api';
import { createSlackNotifier } from '../../activities/slack/notifier';
import { setupStatus } from '../activities/slack/status-fixture';
import { manifestBotScopes, SlackApiStandin } from './slack-api-standin';

/**
 * The Slack stand-in behaves as Slack's API reference says Slack does: each rule driven with the
 * real @slack/web-api WebClient (as the product calls Slack) and, for response_url, plain fetch.
 */

const BOT = 'UBOTMESH';
const TOKEN = 'xoxb-standin-test';
const ALICE = 'UALICE';
const BOB = 'UBOB';

/** The Slack error a call was refused with (WebClient throws WebAPIPlatformError with Slack's body as `data`). */
async function refusal(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as { code?: string; data?: Record<string, unknown> },
  );
  if (!err) throw new Error('Slack accepted the call');
  if (err.code !== 'slack_webapi_platform_error') throw err as Error;
  return err.data!;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (action_id: string, text = 'Approve', value = 'v') => ({ type: 'button', action_id, text: { type: 'plain_text', text }, value });

describe('the Slack Web API stand-in', () => {
  let standin: SlackApiStandin;
  let web: WebClient;
  const client = (token: string | undefined, opts: ConstructorParameters<typeof WebClient>[1] = {}) => new WebClient(token, { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 }, ...opts });

  beforeEach(async () => {
    standin = await SlackApiStandin.start({
      botToken: TOKEN,
      usergroups: [{ id: 'SONCALL', handle: 'oncall', users: [BOB] }],
      channels: [
        { id: 'CMEMBER', name: 'mesh', type: 'public', members: [BOT, ALICE, BOB] },
        { id: 'CPUBLIC', name: 'random', type: 'public', members: [ALICE] },
        { id: 'CPRIVATE', name: 'secret', type: 'private', members: [ALICE, BOB] },
        { id: 'CPRIVBOT', name: 'ops', type: 'private', members: [BOT, ALICE] },
        { id: 'DALICEBOB', type: 'im', members: [ALICE, BOB] },
        { id: 'DALICEBOT', type: 'im', members: [ALICE, BOT] },
      ],
    });
    web = client(TOKEN);
  });
  afterEach(() => standin.close());

  describe('tokens and scopes', () => {
    it('answers a call without a token not_authed, and one with a token it does not know invalid_auth', async () => {
      expect(await refusal(client(undefined).chat.postMessage({ channel: 'CMEMBER', text: 'hi' }))).toMatchObject({ ok: false, error: 'not_authed' });
      expect(await refusal(client('xoxb-revoked').chat.postMessage({ channel: 'CMEMBER', text: 'hi' }))).toMatchObject({ ok: false, error: 'invalid_auth' });
      expect(standin.messages.size).toBe(0);
    });

    it("gives the bot token exactly manifest.yml's oauth_config.scopes.bot and reports them in X-OAuth-Scopes", async () => {
      const manifest = readFileSync(join(__dirname, '../../manifest.yml'), 'utf8');
      const declared = [...manifest.matchAll(/^ {6}- ([a-z:.]+)/gm)].map((m) => m[1]);
      expect(standin.botScopes).toEqual(declared);
      const res: WebAPICallResult = await web.auth.test();
      expect(res.response_metadata?.scopes).toEqual(declared);
    });

    it('refuses a method whose scope the token lacks with missing_scope, needed and provided', async () => {
      const scopes = manifestBotScopes().filter((s) => s !== 'usergroups:read');
      standin.addToken('xoxb-no-groups', { kind: 'bot', scopes });
      expect(await refusal(client('xoxb-no-groups').usergroups.list({ include_users: true }))).toMatchObject({
        ok: false,
        error: 'missing_scope',
        needed: 'usergroups:read',
        provided: scopes.join(','),
        response_metadata: { scopes, acceptedScopes: ['usergroups:read'] },
      });
      await expect(web.usergroups.list({ include_users: true })).resolves.toMatchObject({ ok: true });
    });

    it('reads the bot scopes from the manifest file, so dropping chat:write from it breaks posting', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'standin-manifest-'));
      const manifest = join(dir, 'manifest.yml');
      writeFileSync(manifest, readFileSync(join(__dirname, '../../manifest.yml'), 'utf8').replace(/^ {6}- chat:write +#.*\n/m, ''));
      const scopes = manifestBotScopes(manifest);
      expect(scopes).not.toContain('chat:write');
      await standin.close();
      standin = await SlackApiStandin.start({ botToken: TOKEN, botScopes: scopes, channels: [{ id: 'CMEMBER', members: [BOT] }] });
      expect(await refusal(client(TOKEN).chat.postMessage({ channel: 'CMEMBER', text: 'hi' }))).toMatchObject({ error: 'missing_scope', needed: 'chat:write' });
    });

    it('asks for the scope of the conversation type: history of a private channel needs groups:history, of a DM im:history', async () => {
      standin.addToken('xoxb-public-only', { kind: 'bot', scopes: ['chat:write', 'channels:history'] });
      const publicOnly = client('xoxb-public-only');
      await expect(publicOnly.conversations.history({ channel: 'CMEMBER' })).resolves.toMatchObject({ ok: true });
      expect(await refusal(publicOnly.conversations.history({ channel: 'CPRIVBOT' }))).toMatchObject({ error: 'missing_scope', needed: 'groups:history', provided: 'chat:write,channels:history' });
      expect(await refusal(publicOnly.conversations.replies({ channel: 'DALICEBOT', ts: '1.1' }))).toMatchObject({ error: 'missing_scope', needed: 'im:history' });
      // a token with no history scope at all is refused before the channel is looked at, naming every one
      standin.addToken('xoxb-write-only', { kind: 'bot', scopes: ['chat:write'] });
      expect(await refusal(client('xoxb-write-only').conversations.history({ channel: 'CMEMBER' }))).toMatchObject({ error: 'missing_scope', needed: 'channels:history,groups:history,im:history' });
    });

    it('needs channels:read / groups:read / im:read for conversations.info, by the conversation type', async () => {
      standin.addToken('xoxb-no-read', { kind: 'bot', scopes: ['chat:write'] });
      expect(await refusal(client('xoxb-no-read').conversations.info({ channel: 'CMEMBER' }))).toMatchObject({ error: 'missing_scope', needed: 'channels:read,groups:read,im:read' });
      standin.addToken('xoxb-read', { kind: 'bot', scopes: ['channels:read'] });
      await expect(client('xoxb-read').conversations.info({ channel: 'CMEMBER' })).resolves.toMatchObject({ ok: true });
      expect(await refusal(client('xoxb-read').conversations.info({ channel: 'CPRIVBOT' }))).toMatchObject({ error: 'missing_scope', needed: 'groups:read' });
    });

    it('takes an app-level token only for apps.connections.open, and a bot token for everything else', async () => {
      await expect(client('xapp-1-A0MESHOPS-1-standin').apps.connections.open()).resolves.toMatchObject({ ok: true });
      expect(await refusal(web.apps.connections.open())).toMatchObject({ error: 'not_allowed_token_type' });
      expect(await refusal(client('xapp-1-A0MESHOPS-1-standin').chat.postMessage({ channel: 'CMEMBER', text: 'hi' }))).toMatchObject({ error: 'not_allowed_token_type' });
    });
  });

  describe('channels and membership', () => {
    it('posts, reads history and replies in a channel the bot is a member of', async () => {
      const parent = await web.chat.postMessage({ channel: 'CMEMBER', text: 'run', metadata: { event_type: 'meshops_run', event_payload: { key: 'parent' } } });
      await web.chat.postMessage({ channel: 'CMEMBER', text: 'detail', thread_ts: parent.ts });
      const history = await web.conversations.history({ channel: 'CMEMBER', include_all_metadata: true });
      expect(history.messages?.map((m) => m.text)).toEqual(['run']);
      expect(history.messages?.[0].metadata).toEqual({ event_type: 'meshops_run', event_payload: { key: 'parent' } });
      // Slack returns message metadata only when asked for it
      expect((await web.conversations.history({ channel: 'CMEMBER' })).messages?.[0].metadata).toBeUndefined();
      expect((await web.conversations.replies({ channel: 'CMEMBER', ts: parent.ts! })).messages?.map((m) => m.text)).toEqual(['run', 'detail']);
      expect(await refusal(web.conversations.replies({ channel: 'CMEMBER', ts: '1.000001' }))).toMatchObject({ error: 'thread_not_found' });
    });

    it('lets chat:write.public post in a public channel the bot is not in, but not read its history (not_in_channel)', async () => {
      // manifest.yml no longer asks for chat:write.public (the bot runs only where it is a member); an app that does:
      standin.addToken('xoxb-public', { kind: 'bot', scopes: [...manifestBotScopes(), 'chat:write.public'] });
      const pub = client('xoxb-public');
      const posted = await pub.chat.postMessage({ channel: 'CPUBLIC', text: 'hello' });
      expect(standin.message('CPUBLIC', posted.ts!)?.text).toBe('hello');
      expect(await refusal(pub.conversations.history({ channel: 'CPUBLIC' }))).toMatchObject({ error: 'not_in_channel' });
      expect(await refusal(pub.conversations.replies({ channel: 'CPUBLIC', ts: posted.ts! }))).toMatchObject({ error: 'not_in_channel' });
    });

    it('answers not_in_channel for posting in a public channel the bot is not in when the token lacks chat:write.public', async () => {
      standin.addToken('xoxb-no-public', { kind: 'bot', scopes: manifestBotScopes().filter((s) => s !== 'chat:write.public') });
      expect(await refusal(client('xoxb-no-public').chat.postMessage({ channel: 'CPUBLIC', text: 'hello' }))).toMatchObject({ error: 'not_in_channel' });
      standin.invite('CPUBLIC', BOT);
      await expect(client('xoxb-no-public').chat.postMessage({ channel: 'CPUBLIC', text: 'hello' })).resolves.toMatchObject({ ok: true, channel: 'CPUBLIC' });
    });

    it('answers channel_not_found for a private channel or a DM the bot is not in, for every method, chat:write.public or not', async () => {
      standin.addToken('xoxb-all-read', { kind: 'bot', scopes: [...manifestBotScopes(), 'channels:read', 'groups:read', 'im:read', 'im:history'] });
      const all = client('xoxb-all-read');
      for (const channel of ['CPRIVATE', 'DALICEBOB', 'CNOSUCH']) {
        expect(await refusal(all.chat.postMessage({ channel, text: 'hi' }))).toMatchObject({ error: 'channel_not_found' });
        expect(await refusal(all.chat.postEphemeral({ channel, user: ALICE, text: 'hi' }))).toMatchObject({ error: 'channel_not_found' });
        expect(await refusal(all.conversations.history({ channel }))).toMatchObject({ error: 'channel_not_found' });
        expect(await refusal(all.conversations.replies({ channel, ts: '1.1' }))).toMatchObject({ error: 'channel_not_found' });
        expect(await refusal(all.conversations.info({ channel }))).toMatchObject({ error: 'channel_not_found' });
      }
      // once invited, the private channel works; the DM with the bot always did
      standin.invite('CPRIVATE', BOT);
      await expect(all.chat.postMessage({ channel: 'CPRIVATE', text: 'hi' })).resolves.toMatchObject({ ok: true });
      await expect(all.conversations.history({ channel: 'DALICEBOT' })).resolves.toMatchObject({ ok: true });
      expect(standin.calls.filter((c) => c.error).every((c) => ['channel_not_found'].includes(c.error!))).toBe(true);
    });

    it('describes conversations in conversations.info with is_channel, is_private, is_im and is_member as Slack does', async () => {
      standin.addToken('xoxb-info', { kind: 'bot', scopes: ['channels:read', 'groups:read', 'im:read'] });
      const info = async (channel: string) => (await client('xoxb-info').conversations.info({ channel })).channel;
      expect(await info('CMEMBER')).toMatchObject({ id: 'CMEMBER', name: 'mesh', is_channel: true, is_private: false, is_im: false, is_member: true });
      expect(await info('CPUBLIC')).toMatchObject({ is_channel: true, is_private: false, is_im: false, is_member: false });
      expect(await info('CPRIVBOT')).toMatchObject({ is_channel: true, is_private: true, is_im: false, is_member: true });
      expect(await info('DALICEBOT')).toMatchObject({ is_channel: false, is_im: true, is_member: true, user: ALICE });
    });

    it('sends an ephemeral message only to a member of the channel, in the thread it names', async () => {
      const parent = await web.chat.postMessage({ channel: 'CMEMBER', text: 'run' });
      await web.chat.postEphemeral({ channel: 'CMEMBER', user: BOB, text: 'only bob', thread_ts: parent.ts });
      expect(standin.ephemerals).toEqual([expect.objectContaining({ channel: 'CMEMBER', user: BOB, text: 'only bob', thread_ts: parent.ts, via: 'chat.postEphemeral' })]);
      expect(await refusal(web.chat.postEphemeral({ channel: 'CMEMBER', user: 'USTRANGER', text: 'x' }))).toMatchObject({ error: 'user_not_in_channel' });
    });
  });

  describe('Block Kit and text limits', () => {
    const post = (blocks: unknown[], text = 'fallback') => web.chat.postMessage({ channel: 'CMEMBER', text, blocks: blocks as never });
    const refusedBlocks = async (blocks: unknown[]) => {
      const data = await refusal(post(blocks));
      expect(data.error).toBe('invalid_blocks');
      return data.errors as string[];
    };

    it('accepts every limit exactly: 50 blocks, section 3000, header 150, button text 75 and value 2000, 40,000 characters of text', async () => {
      const blocks = [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
        section('s'.repeat(3000)),
        { type: 'actions', elements: [button('a', 'b'.repeat(75), 'v'.repeat(2000)), button('b')] },
        ...Array.from({ length: 47 }, (_, i) => section(`row ${i}`)),
      ];
      expect(blocks).toHaveLength(50);
      await expect(post(blocks, 't'.repeat(40_000))).resolves.toMatchObject({ ok: true });
    });

    it('refuses more than 50 blocks with invalid_blocks', async () => {
      expect(await refusedBlocks(Array.from({ length: 51 }, (_, i) => section(`row ${i}`)))).toEqual(['no more than 50 items allowed [json-pointer:/blocks]']);
    });

    it('refuses a section text over 3000, a header over 150, a button text over 75 and a button value over 2000 characters', async () => {
      expect(await refusedBlocks([section('s'.repeat(3001))])).toEqual(['must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
      expect(await refusedBlocks([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])).toEqual(['must be less than 151 characters [json-pointer:/blocks/0/text/text]']);
      expect(await refusedBlocks([{ type: 'actions', elements: [button('a', 'b'.repeat(76))] }])).toEqual(['must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]']);
      expect(await refusedBlocks([{ type: 'actions', elements: [button('a', 'Approve', 'v'.repeat(2001))] }])).toEqual(['must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]']);
      expect(standin.messages.size).toBe(0);
    });

    it('refuses an action_id used twice in one block; the same action_id in two blocks is allowed (unique "in the containing block")', async () => {
      expect(await refusedBlocks([{ type: 'actions', elements: [button('approve'), button('approve', 'Reject')] }])).toEqual(['action_id must be unique within the block [json-pointer:/blocks/0/elements/1/action_id]']);
      await expect(post([{ type: 'actions', elements: [button('approve')] }, { type: 'actions', elements: [button('approve')] }])).resolves.toMatchObject({ ok: true });
    });

    it('refuses text over 40,000 characters with msg_too_long, and a message with neither text nor blocks with no_text', async () => {
      expect(await refusal(web.chat.postMessage({ channel: 'CMEMBER', text: 't'.repeat(40_001) }))).toMatchObject({ error: 'msg_too_long' });
      expect(await refusal(web.chat.postMessage({ channel: 'CMEMBER', text: '' }))).toMatchObject({ error: 'no_text' });
    });

    it('applies the same limits to chat.update, leaving the message as it was', async () => {
      const posted = await post([section('before')]);
      expect(await refusal(web.chat.update({ channel: 'CMEMBER', ts: posted.ts!, text: 'x', blocks: [section('s'.repeat(3001))] as never }))).toMatchObject({ error: 'invalid_blocks' });
      expect(standin.message('CMEMBER', posted.ts!)).toMatchObject({ blocks: [section('before')], updates: 0 });
    });
  });

  describe('rate limits', () => {
    it('answers HTTP 429 with Retry-After and ratelimited, and WebClient waits and retries the call', async () => {
      standin.rateLimit('chat.postMessage', { times: 1, retryAfter: 1 });
      const retrying = client(TOKEN, { retryConfig: { retries: 1, factor: 1, minTimeout: 0, maxTimeout: 0 } });
      const rateLimited: number[] = [];
      retrying.on(WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));
      await expect(retrying.chat.postMessage({ channel: 'CMEMBER', text: 'after the limit' })).resolves.toMatchObject({ ok: true });
      expect(rateLimited).toEqual([1]);
      expect(standin.callsTo('chat.postMessage').map((c) => c.error)).toEqual(['ratelimited', undefined]);
      expect(standin.parents('CMEMBER').map((m) => m.text)).toEqual(['after the limit']);
    });

    it('says so in the HTTP answer itself: status 429, Retry-After, {ok:false, error:"ratelimited"}', async () => {
      standin.rateLimit('usergroups.list', { times: 2, retryAfter: 7 });
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${standin.apiUrl}usergroups.list`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
        expect(res.status).toBe(429);
        expect(res.headers.get('retry-after')).toBe('7');
        expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
      }
      await expect(web.usergroups.list()).resolves.toMatchObject({ ok: true });
    });

    it("hands Slack's Retry-After to the caller that rejects rate-limited calls; the notifier turns it into Temporal's next retry delay", async () => {
      standin.rateLimit('chat.postMessage', { times: 2, retryAfter: 30 });
      const rejecting = client(TOKEN, { rejectRateLimitedCalls: true });
      const err = await rejecting.chat.postMessage({ channel: 'CMEMBER', text: 'x' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });

      const status = setupStatus({ requester: { id: ALICE, groups: [], via: 'slack', channel: 'CMEMBER' } });
      const failure = await createSlackNotifier({ client: rejecting, namespace: 'default', attempt: () => 1 })
        .notify({ type: 'started', status })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'SlackRateLimited', nonRetryable: false });
      expect((failure as ApplicationFailure).nextRetryDelay).toBe('30s');
      expect(standin.parents('CMEMBER')).toEqual([]);
    });
  });

  describe('slow answers', () => {
    it('answers a slowed-down method late but unchanged: a client with a shorter timeout gives up, the next call is on time', async () => {
      standin.slowDown('usergroups.list', 1_500);
      const impatient = client(TOKEN, { timeout: 200 });
      const err = await impatient.usergroups.list({ include_users: true }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'slack_webapi_request_error' });
      expect(standin.callsTo('usergroups.list')).toHaveLength(1);
      await expect(impatient.usergroups.list({ include_users: true })).resolves.toMatchObject({ ok: true, usergroups: [{ id: 'SONCALL', users: [BOB] }] });
    });
  });

  describe('response_url', () => {
    const respond = (url: string, body: Record<string, unknown>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('takes 5 answers and refuses the 6th with HTTP 404 used_url; each command gets its own URL', async () => {
      const url = standin.responseUrl('cmd-alice', { channel: 'CMEMBER', user: ALICE });
      for (let i = 1; i <= 5; i++) {
        const res = await respond(url, { text: `answer ${i}` });
        expect([res.status, await res.text()]).toEqual([200, 'ok']);
      }
      const sixth = await respond(url, { text: 'answer 6' });
      expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
      expect(standin.ephemerals.map((e) => e.text)).toEqual(['answer 1', 'answer 2', 'answer 3', 'answer 4', 'answer 5']);
      const next = standin.responseUrl('cmd-alice', { channel: 'CMEMBER', user: ALICE });
      expect(next).not.toBe(url);
      expect((await respond(next, { text: 'next command' })).status).toBe(200);
    });

    it('refuses a use more than 30 minutes after the command (by the stand-in clock) with HTTP 404 expired_url', async () => {
      const url = standin.responseUrl('cmd-alice', { channel: 'CMEMBER', user: ALICE });
      standin.advanceClock(29 * 60 * 1000);
      expect((await respond(url, { text: 'in time' })).status).toBe(200);
      standin.advanceClock(60 * 1000 + 1);
      const late = await respond(url, { text: 'too late' });
      expect([late.status, await late.text()]).toEqual([404, 'expired_url']);
      expect(standin.ephemerals.map((e) => e.text)).toEqual(['in time']);
    });

    it('shows an ephemeral answer only to who typed the command, at the channel level unless it names a thread', async () => {
      const parent = await web.chat.postMessage({ channel: 'CMEMBER', text: 'run' });
      const url = standin.responseUrl('cmd-alice', { channel: 'CMEMBER', user: ALICE });
      await respond(url, { text: 'just you', response_type: 'ephemeral' });
      await respond(url, { text: 'just you, in the thread', thread_ts: parent.ts });
      expect(standin.ephemerals).toEqual([
        expect.objectContaining({ channel: 'CMEMBER', user: ALICE, text: 'just you', response_type: 'ephemeral', thread_ts: undefined, via: 'response_url', responseUrlId: 'cmd-alice' }),
        expect.objectContaining({ channel: 'CMEMBER', user: ALICE, text: 'just you, in the thread', response_type: 'ephemeral', thread_ts: parent.ts }),
      ]);
      expect(standin.responses.map((r) => r.landed)).toEqual(['ephemeral', 'ephemeral']);
      expect(standin.parents('CMEMBER')).toHaveLength(1);
    });

    it('posts an in_channel answer as a message everyone sees, in the thread when it names one', async () => {
      const parent = await web.chat.postMessage({ channel: 'CMEMBER', text: 'run' });
      const url = standin.responseUrl('cmd-alice', { channel: 'CMEMBER', user: ALICE });
      await respond(url, { text: 'for everyone', response_type: 'in_channel' });
      await respond(url, { text: 'for everyone, in the thread', response_type: 'in_channel', thread_ts: parent.ts });
      expect(standin.ephemerals).toEqual([]);
      expect(standin.parents('CMEMBER').map((m) => m.text)).toEqual(['run', 'for everyone']);
      expect(standin.thread('CMEMBER', parent.ts!).map((m) => m.text)).toEqual(['for everyone, in the thread']);
      expect(standin.responses.map((r) => [r.landed, r.thread_ts])).toEqual([
        ['channel', undefined],
        ['channel', parent.ts],
      ]);
    });

    it("replaces the clicked message with replace_original, deletes it with delete_original, and leaves it with replace_original false", async () => {
      const parent = await web.chat.postMessage({ channel: 'CMEMBER', text: 'run' });
      const asked = await web.chat.postMessage({ channel: 'CMEMBER', thread_ts: parent.ts, text: 'approve?', blocks: [{ type: 'actions', elements: [button('approve')] }] as never });
      const click = () => standin.responseUrl('click-bob', { channel: 'CMEMBER', user: BOB, messageTs: asked.ts });

      await respond(click(), { text: 'You approved', response_type: 'ephemeral', replace_original: false, thread_ts: parent.ts });
      expect(standin.message('CMEMBER', asked.ts!)).toMatchObject({ text: 'approve?', updates: 0 });
      expect(standin.ephemerals.at(-1)).toMatchObject({ user: BOB, text: 'You approved', thread_ts: parent.ts });

      await respond(click(), { text: 'Approved by bob', replace_original: true });
      expect(standin.message('CMEMBER', asked.ts!)).toMatchObject({ text: 'Approved by bob', thread_ts: parent.ts, updates: 1 });

      await respond(click(), { delete_original: true });
      expect(standin.message('CMEMBER', asked.ts!)).toBeUndefined();
      expect(standin.responses.map((r) => r.landed)).toEqual(['ephemeral', 'replaced', 'deleted']);
    });

    it('refuses an answer Slack would refuse: blocks over the limits (HTTP 400 invalid_blocks), and counts no use for it', async () => {
      const url = standin.responseUrl('cmd-alice', { channel: 'CMEMBER', user: ALICE });
      const res = await respond(url, { text: 'x', blocks: [section('s'.repeat(3001))] });
      expect([res.status, await res.text()]).toEqual([400, 'invalid_blocks']);
      expect(standin.ephemerals).toEqual([]);
    });
  });

  describe('chat.getPermalink', () => {
    it('links a message with no scope needed, a thread reply with its thread, and refuses an unknown message or an invisible channel', async () => {
      standin.addToken('xoxb-no-scopes', { kind: 'bot', scopes: [] });
      const bare = client('xoxb-no-scopes');
      const parent = await web.chat.postMessage({ channel: 'CMEMBER', text: 'run' });
      const reply = await web.chat.postMessage({ channel: 'CMEMBER', text: 'detail', thread_ts: parent.ts });
      await expect(bare.chat.getPermalink({ channel: 'CMEMBER', message_ts: parent.ts! })).resolves.toMatchObject({
        ok: true,
        channel: 'CMEMBER',
        permalink: `https://meshops.example.slack.com/archives/CMEMBER/p${parent.ts!.replace('.', '')}`,
      });
      await expect(bare.chat.getPermalink({ channel: 'CMEMBER', message_ts: reply.ts! })).resolves.toMatchObject({
        permalink: `https://meshops.example.slack.com/archives/CMEMBER/p${reply.ts!.replace('.', '')}?thread_ts=${parent.ts}&cid=CMEMBER`,
      });
      expect(await refusal(bare.chat.getPermalink({ channel: 'CMEMBER', message_ts: '1.000001' }))).toMatchObject({ error: 'message_not_found' });
      expect(await refusal(bare.chat.getPermalink({ channel: 'CPRIVATE', message_ts: parent.ts! }))).toMatchObject({ error: 'channel_not_found' });
    });
  });

  describe('views.open', () => {
    it('opens a modal for a trigger_id and refuses one without a trigger_id or with a title over 24 characters', async () => {
      const view = { type: 'modal', title: { type: 'plain_text', text: 'Reject install-remote' }, blocks: [section('Why?')] };
      const trigger = newTriggerId();
      await expect(web.views.open({ trigger_id: trigger, view: view as never })).resolves.toMatchObject({ ok: true, view: { type: 'modal' } });
      expect(standin.views).toEqual([expect.objectContaining({ trigger_id: trigger, view })]);
      expect(await refusal(web.views.open({ trigger_id: '', view: view as never }))).toMatchObject({ error: 'invalid_arguments' });
      expect(await refusal(web.views.open({ trigger_id: newTriggerId(), view: { ...view, title: { type: 'plain_text', text: 't'.repeat(25) } } as never }))).toMatchObject({ error: 'invalid_arguments' });
    });

    it('takes a trigger_id once, within 3 s of its payload, and refuses one Slack never issued', async () => {
      const view = { type: 'modal', title: { type: 'plain_text', text: 'Reason' }, blocks: [section('Why?')] };
      const trigger = newTriggerId();
      await expect(web.views.open({ trigger_id: trigger, view: view as never })).resolves.toMatchObject({ ok: true });
      expect(await refusal(web.views.open({ trigger_id: trigger, view: view as never }))).toMatchObject({ error: 'exchanged_trigger_id' });
      const late = newTriggerId();
      standin.advanceClock(3_001);
      expect(await refusal(web.views.open({ trigger_id: late, view: view as never }))).toMatchObject({ error: 'expired_trigger_id' });
      expect(await refusal(web.views.open({ trigger_id: '1.2.3', view: view as never }))).toMatchObject({ error: 'invalid_trigger_id' });
    });
  });
});
