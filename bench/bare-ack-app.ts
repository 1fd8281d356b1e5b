/** The baseline of the ack benchmark: a Bolt app on the same HTTPReceiver whose /mesh only acks. */
import { App, HTTPReceiver } from '@slack/bolt';

async function run(): Promise<void> {
  const port = Number(process.env.PORT);
  const app = new App({
    receiver: new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET! }),
    token: process.env.SLACK_BOT_TOKEN,
    botId: 'BBENCH',
    botUserId: 'UBENCH',
    clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  });
  app.command('/mesh', async ({ ack }) => {
    await ack();
  });
  await app.start({ port, host: '127.0.0.1' });
  console.log('meshops bot listening'); // the same readiness line bot/main.ts logs
  process.once('SIGTERM', () => void app.stop().then(() => process.exit(0)));
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
