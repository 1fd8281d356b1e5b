import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { WebClient } from '@slack/web-api';
import { createChannelCheck } from '../../bot/channel-check';
import { createBotLogger } from '../../bot/logger';
import { manifestBotScopes, SlackApiStandin } from '../harness/slack-api-standin';
import { METHOD_SCOPES, type ConversationType } from '../harness/slack/scopes';

/**
 * manifest.yml asks for exactly the bot scopes meshops uses: each Web API method the bot and the
 * notifier call (read from their source) needs the scope of each conversation type it is called
 * for, and a call fails with missing_scope once its scope is removed from a copy of the manifest.
 */
const ROOT = join(__dirname, '..', '..');
const MANIFEST = join(ROOT, 'manifest.yml');
const BOT = 'UBOTMESH';
const TOKEN = 'xoxb-scopes';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** `client.chat.postMessage(`, `web.auth.test(` and the like (also split over lines) in the bot and the Slack notifier. */
function methodsCalled(): string[] {
  const calls = [...sources(join(ROOT, 'bot')), ...sources(join(ROOT, 'activities', 'slack'))].flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\b(?:client|web)\s*\.\s*(auth|chat|conversations|usergroups|users|views)\s*\.\s*([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)?)\s*\(/g)].map((m) => `${m[1]}.${m[2]}`),
  );
  return [...new Set(calls)].sort();
}

/**
 * The conversation types each per-type method is called for: conversations.info on whatever
 * conversation /mesh was typed in (group DMs too: mpim:read, which the stand-in does not model);
 * history and replies only where runs are posted, channels the bot is in (DMs are refused).
 */
const CALLED_FOR: Record<string, ConversationType[]> = {
  'conversations.info': ['public', 'private', 'im'],
  'conversations.history': ['public', 'private'],
  'conversations.replies': ['public', 'private'],
};
const NOT_MODELLED = { 'conversations.info': ['mpim:read'] } as Record<string, string[]>;

describe('manifest.yml scopes', () => {
  it('are exactly those the methods the bot and the notifier call need (and commands for /mesh)', () => {
    const methods = methodsCalled();
    expect(methods).toEqual(expect.arrayContaining(['chat.postMessage', 'chat.update', 'chat.getPermalink', 'conversations.info', 'conversations.history', 'conversations.replies', 'usergroups.list']));
    const needed = new Set(['commands']);
    for (const method of methods) {
      const need = METHOD_SCOPES[method];
      expect(need).not.toBeUndefined(); // a method the stand-in does not know: add it there first
      if (typeof need === 'string') needed.add(need);
      else if (need) for (const type of CALLED_FOR[method]) needed.add(need[type]);
      for (const scope of NOT_MODELLED[method] ?? []) needed.add(scope);
    }
    expect([...manifestBotScopes()].sort()).toEqual([...needed].sort());
    expect(manifestBotScopes()).not.toContain('users:read');
    expect(manifestBotScopes()).not.toContain('chat:write.public');
  });

  it('give each scope a comment saying what it is for', () => {
    const lines = readFileSync(MANIFEST, 'utf8').split('\n').filter((l) => /^ {6}- [a-z:.]+/.test(l));
    expect(lines.length).toBe(manifestBotScopes().length);
    for (const line of lines) expect(line).toMatch(/^ {6}- [a-z:.]+ +# \S/);
  });

  describe('with one scope removed from a copy of the manifest', () => {
    let standin: SlackApiStandin | undefined;
    afterEach(() => standin?.close());

    const start = async (without: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'meshops-manifest-'));
      const copy = join(dir, 'manifest.yml');
      const text = readFileSync(MANIFEST, 'utf8');
      const cut = text.replace(new RegExp(`^ {6}- ${without.replace('.', '\\.')} +#.*\\n`, 'm'), '');
      expect(cut).not.toBe(text);
      writeFileSync(copy, cut);
      standin = await SlackApiStandin.start({
        botToken: TOKEN,
        botScopes: manifestBotScopes(copy),
        usergroups: [{ id: 'SONCALL', handle: 'oncall', users: [BOT] }],
        channels: [
          { id: 'CMESH', type: 'public', members: [BOT] },
          { id: 'GOPS', type: 'private', members: [BOT] },
          { id: 'DBOT', type: 'im', members: ['UALICE', BOT] },
        ],
      });
      return new WebClient(TOKEN, { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });
    };
    const refusal = (call: Promise<unknown>) => call.then(() => undefined, (e: { data?: Record<string, unknown> }) => e.data);

    const CALLS: Record<string, (web: WebClient) => Promise<unknown>> = {
      'chat:write': (web) => web.chat.postMessage({ channel: 'CMESH', text: 'run' }),
      'channels:read': (web) => web.conversations.info({ channel: 'CMESH' }),
      'groups:read': (web) => web.conversations.info({ channel: 'GOPS' }),
      'im:read': (web) => web.conversations.info({ channel: 'DBOT' }),
      'channels:history': (web) => web.conversations.history({ channel: 'CMESH', include_all_metadata: true }),
      'groups:history': (web) => web.conversations.replies({ channel: 'GOPS', ts: '1764000000.000001' }),
      'usergroups:read': (web) => web.usergroups.list({}),
    };

    it.each(Object.keys(CALLS))('%s: the call that needs it fails with missing_scope', async (scope) => {
      const web = await start(scope);
      expect(await refusal(CALLS[scope](web))).toMatchObject({ ok: false, error: 'missing_scope', needed: scope });
    });

    it('channels:read: the channel check then says it could not check the channel (and logs the missing scope), never that the bot may run', async () => {
      const web = await start('channels:read');
      const logs: Record<string, unknown>[] = [];
      const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>), done()) });
      const check = createChannelCheck(web, createBotLogger('info', sink));
      expect(await check('CMESH')).toMatchObject({ ok: false, kind: 'unknown', text: expect.stringContaining('Could not check the channel') });
      expect(logs).toEqual([expect.objectContaining({ msg: 'could not check the channel with conversations.info', needed: 'channels:read' })]);
    });
  });
});
