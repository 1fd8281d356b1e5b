import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import type { ListenerOptions } from './options';
import { registerViews } from './views';

export type { ListenerOptions } from './options';

export function registerListeners(app: App, deps: BotDeps, opts: ListenerOptions = {}): void {
  registerCommands(app, deps, opts);
  registerActions(app, deps, opts);
  registerViews(app, deps, opts);
}
