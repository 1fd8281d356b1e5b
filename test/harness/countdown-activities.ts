import { appendFileSync } from 'node:fs';
import { Context } from '@temporalio/activity';

/**
 * Every execution appends `start n` and `end n` lines to a journal file the test reads, so it
 * can count executions across worker processes. Tick `slowTick` takes long enough to be killed in.
 */
export function createCountdownActivities(journal: string, slowTick: number, slowMs: number) {
  return {
    async tick(n: number): Promise<number> {
      appendFileSync(journal, `start ${n}\n`);
      if (n === slowTick) {
        const until = Date.now() + slowMs;
        while (Date.now() < until) {
          Context.current().heartbeat(n);
          await Context.current().sleep(200);
        }
      }
      appendFileSync(journal, `end ${n}\n`);
      return n;
    },
  };
}
export type CountdownActivities = ReturnType<typeof createCountdownActivities>;
