import { performance } from 'node:perf_hooks';

/**
 * Open loop at a fixed rate, alternating two targets: a request leaves every 1/(2·rate) s whatever
 * the answers do, `perTarget` to each. Returns each target's times (ms) as `send` measured them.
 */
export async function openLoopAlternating<K extends string>(targets: readonly [K, K], perTarget: number, rate: number, send: (target: K) => Promise<number>): Promise<Record<K, number[]>> {
  const out = { [targets[0]]: [] as number[], [targets[1]]: [] as number[] } as Record<K, number[]>;
  const interval = 1000 / (2 * rate);
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let k = 0; k < 2 * perTarget; k++) {
    const wait = t0 + k * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const which = targets[k % 2];
    inflight.push(send(which).then((ms) => void out[which].push(ms)));
  }
  await Promise.all(inflight);
  return out;
}
