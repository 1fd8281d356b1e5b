import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { handleMeshCommand } from '../handle-command';
import type { BotDeps } from '../deps';

/** `/mesh`: ack first (Slack's 3 s), then the work, then the answer through response_url. */
export function meshCommand(deps: BotDeps) {
  return async ({ ack, command, respond }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> => {
    await ack();
    const reply = await handleMeshCommand(deps, { text: command.text, userId: command.user_id, userName: command.user_name, channelId: command.channel_id });
    await respond(reply);
  };
}

export function registerCommands(app: App, deps: BotDeps): void {
  app.command('/mesh', meshCommand(deps));
}
