import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@temporalio/client';
import type { MeshOps } from './mesh-ops';

/**
 * Deadlines for every Temporal call the bot makes while answering Slack. Each call gets at most
 * `callMs`; inside withRequestDeadline() all calls of one request also share that request's
 * deadline (whichever is earlier), so e.g. cancel's status + cancel together stay inside the
 * budget. A call past its deadline fails locally with gRPC DEADLINE_EXCEEDED: the request may
 * still have reached the server, which describeError says truthfully.
 */
const requestDeadline = new AsyncLocalStorage<number>();

/** Runs `fn` with every Temporal call in it ending by `budgetMs` from now. */
export function withRequestDeadline<R>(budgetMs: number | undefined, fn: () => Promise<R>): Promise<R> {
  if (budgetMs === undefined) return fn();
  const outer = requestDeadline.getStore();
  const deadline = Math.min(Date.now() + budgetMs, outer ?? Infinity);
  return requestDeadline.run(deadline, fn);
}

/** The deadline of the current request, if one is set (epoch ms). */
export function currentRequestDeadline(): number | undefined {
  return requestDeadline.getStore();
}

/** MeshOps whose every call runs under a gRPC deadline (Client.withDeadline) of at most `callMs`. */
export function meshOpsWithDeadlines(mesh: MeshOps, client: Pick<Client, 'withDeadline'>, callMs: number): MeshOps {
  const bounded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const deadline = Math.min(Date.now() + callMs, requestDeadline.getStore() ?? Infinity);
      return client.withDeadline(deadline, () => fn.apply(mesh, args));
    };
  return {
    startSetup: bounded(mesh.startSetup),
    teardown: bounded(mesh.teardown),
    verify: bounded(mesh.verify),
    approve: bounded(mesh.approve),
    status: bounded(mesh.status),
    cancel: bounded(mesh.cancel),
    listRuns: bounded(mesh.listRuns),
  };
}
