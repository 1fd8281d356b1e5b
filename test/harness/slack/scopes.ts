import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * OAuth scopes as Slack checks them, for the Slack stand-in. Each method's required bot scope(s)
 * are those its api.slack.com / docs.slack.dev reference page lists. Methods that read or write a
 * conversation need the scope of that conversation's type (public channel, private channel, DM).
 */

export type ConversationType = 'public' | 'private' | 'im';

/** A scope for each conversation type (`channels:history`, `groups:history`, `im:history`). */
export type ScopeByType = Record<ConversationType, string>;

const HISTORY: ScopeByType = { public: 'channels:history', private: 'groups:history', im: 'im:history' };
const READ: ScopeByType = { public: 'channels:read', private: 'groups:read', im: 'im:read' };

/** Method → the scope it needs: one scope, one per conversation type, or none (`null`). */
export const METHOD_SCOPES: Record<string, string | ScopeByType | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.getPermalink': null,
  'conversations.history': HISTORY,
  'conversations.replies': HISTORY,
  'conversations.info': READ,
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  'views.open': null,
  // app-level token (xapp-…), not the bot token
  'apps.connections.open': 'connections:write',
};

/** The bot scopes `manifest.yml` (the app's manifest) asks for: `oauth_config.scopes.bot`. */
export function manifestBotScopes(manifestPath = join(__dirname, '..', '..', '..', 'manifest.yml')): string[] {
  const manifest = parse(readFileSync(manifestPath, 'utf8')) as { oauth_config?: { scopes?: { bot?: string[] } } };
  return [...(manifest.oauth_config?.scopes?.bot ?? [])];
}

/** Slack's answer when a token lacks the scope: `needed` names it, `provided` lists what the token has. */
export function missingScope(needed: string, provided: string[]): Record<string, unknown> {
  return { ok: false, error: 'missing_scope', needed, provided: provided.join(',') };
}

/**
 * Checks the method-level scope (before the conversation is known). For a method whose scope
 * depends on the conversation type, a token holding none of them is refused here, naming them all.
 */
export function checkMethodScope(method: string, scopes: string[]): Record<string, unknown> | undefined {
  const need = METHOD_SCOPES[method];
  if (!need) return undefined;
  if (typeof need === 'string') return scopes.includes(need) ? undefined : missingScope(need, scopes);
  const any = Object.values(need);
  return any.some((s) => scopes.includes(s)) ? undefined : missingScope(any.join(','), scopes);
}

/** Checks the scope a conversation's type needs for `method`, once the conversation is known. */
export function checkConversationScope(method: string, type: ConversationType, scopes: string[]): Record<string, unknown> | undefined {
  const need = METHOD_SCOPES[method];
  if (!need || typeof need === 'string') return undefined;
  return scopes.includes(need[type]) ? undefined : missingScope(need[type], scopes);
}
