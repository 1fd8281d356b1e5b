import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerActions } from './actions';
import { registerCommands } from './commands';

export function registerListeners(app: App, deps: BotDeps): void {
  registerCommands(app, deps);
  registerActions(app, deps);
}
