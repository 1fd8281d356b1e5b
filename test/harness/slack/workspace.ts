import type { ConversationType } from './scopes';

/**
 * The conversations of the stand-in's workspace, set up by tests as a real workspace would be:
 * public and private channels and DMs, each with its members. Membership decides what the bot may
 * do, as Slack documents it:
 * - a public channel the bot is not in: posting is `not_in_channel` unless the token has
 *   `chat:write.public`; history and replies are `not_in_channel`; conversations.info answers
 *   with `is_member: false`;
 * - a private channel or a DM the bot is not in does not exist for it: `channel_not_found`.
 */

export interface StandinChannel {
  id: string;
  name?: string;
  type: ConversationType;
  members: Set<string>;
  /** A DM: the other person (the DM's `user`). */
  user?: string;
  archived: boolean;
}

export interface ChannelSetup {
  id: string;
  /** Default: `public`. */
  type?: ConversationType;
  name?: string;
  /** User ids in the channel; the bot only if listed (or invited later). */
  members?: string[];
  archived?: boolean;
}

export type Access = { ok: true; channel: StandinChannel } | { ok: false; error: 'channel_not_found' | 'not_in_channel' | 'is_archived' };

export class StandinWorkspace {
  readonly channels = new Map<string, StandinChannel>();

  constructor(readonly botUserId: string) {}

  /** Creates (or replaces) a conversation. A DM's members are its two people. */
  add(setup: ChannelSetup): StandinChannel {
    const type = setup.type ?? 'public';
    const members = new Set(setup.members ?? []);
    const channel: StandinChannel = { id: setup.id, name: setup.name ?? (type === 'im' ? undefined : setup.id.toLowerCase()), type, members, archived: setup.archived ?? false };
    if (type === 'im') channel.user = [...members].find((m) => m !== this.botUserId);
    this.channels.set(setup.id, channel);
    return channel;
  }

  invite(channelId: string, ...users: string[]): void {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`the stand-in has no channel ${channelId}`);
    if (channel.type === 'im') throw new Error(`${channelId} is a DM: its members are fixed`);
    for (const user of users) channel.members.add(user);
  }

  kick(channelId: string, user: string): void {
    this.channels.get(channelId)?.members.delete(user);
  }

  isMember(channel: StandinChannel, user = this.botUserId): boolean {
    return channel.members.has(user);
  }

  /** Whether the bot may see the conversation at all: a private channel or DM it is not in is invisible. */
  visible(channelId: string | undefined): StandinChannel | undefined {
    const channel = channelId ? this.channels.get(channelId) : undefined;
    if (!channel) return undefined;
    return channel.type === 'public' || this.isMember(channel) ? channel : undefined;
  }

  /** May the bot post here (chat.postMessage, chat.update, chat.postEphemeral)? */
  canPost(channelId: string | undefined, scopes: string[]): Access {
    const channel = this.visible(channelId);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (channel.archived) return { ok: false, error: 'is_archived' };
    if (!this.isMember(channel) && !scopes.includes('chat:write.public')) return { ok: false, error: 'not_in_channel' };
    return { ok: true, channel };
  }

  /** May the bot read history or replies here? `chat:write.public` does not help: it only posts. */
  canRead(channelId: string | undefined): Access {
    const channel = this.visible(channelId);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (!this.isMember(channel)) return { ok: false, error: 'not_in_channel' };
    return { ok: true, channel };
  }

  /** The conversation object conversations.info returns. */
  info(channel: StandinChannel): Record<string, unknown> {
    const isChannel = channel.type !== 'im';
    return {
      id: channel.id,
      ...(channel.name ? { name: channel.name } : {}),
      is_channel: isChannel,
      is_group: false,
      is_im: channel.type === 'im',
      is_mpim: false,
      is_private: channel.type !== 'public',
      is_archived: channel.archived,
      is_general: false,
      is_member: this.isMember(channel),
      ...(channel.type === 'im' ? { user: channel.user } : { num_members: channel.members.size }),
    };
  }
}
