import type { Logger } from './logger';
import type { MeshOps } from './mesh-ops';
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
}
