import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { handleMeshCommand } from '../handle-command';
import type { BotDeps } from '../deps';
import { withRequestDeadline } from '../temporal-deadline';
import type { ListenerOptions } from './options';
import { answerOf } from './reply';

/**
 * `/mesh`: ack first (Slack's 3 s), then the work, then the answer through response_url; or, on
 * Lambda (answerInAck), the work under the request's deadline and the answer as the ack itself.
 */
export function meshCommand(deps: BotDeps, opts: ListenerOptions = {}) {
  return async ({ ack, command, respond }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> => {
    if (!opts.answerInAck) await ack();
    const log = deps.logger.child({ user: command.user_id, channel: command.channel_id });
    const reply = await answerOf(
      () => withRequestDeadline(opts.requestBudgetMs, () => handleMeshCommand(deps, { text: command.text, userId: command.user_id, userName: command.user_name, channelId: command.channel_id })),
      'run your /mesh command',
      log,
    );
    if (opts.answerInAck) await ack(reply);
    else await respond(reply);
  };
}

export function registerCommands(app: App, deps: BotDeps, opts: ListenerOptions = {}): void {
  app.command('/mesh', meshCommand(deps, opts));
}
