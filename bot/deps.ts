import type { ChannelCheck } from './channel-check';
import type { Logger } from './logger';
import type { MeshOps } from './mesh-ops';
import type { RunPermalinks } from './permalink';
import type { AuthorizationPolicy } from './policy';
import type { UserGroupResolver } from './user-groups';

/** What the bot's plain functions need; built once by main.ts (or a test) and handed to the listeners. */
export interface BotDeps {
  mesh: MeshOps;
  policy: AuthorizationPolicy;
  groups: UserGroupResolver;
  logger: Logger;
  /** For links to runs; unset url: no links. */
  temporalUi: { url?: string; namespace: string };
  /**
   * May a run started from a channel be posted and followed there (conversations.info, cached)?
   * Checked before every start; connect.ts always sets it. Unset (unit tests of other parts): not checked.
   */
  channels?: ChannelCheck;
  /** Links a start reply to the run's parent message (bot/permalink.ts). Unset: the reply has no link. */
  permalinks?: RunPermalinks;
}
