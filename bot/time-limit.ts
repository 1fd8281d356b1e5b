/** Thrown by withTimeout when the call has not settled in time. */
export class TimedOut extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimedOut';
  }
}

/** Rejects with TimedOut after `ms` (the call itself goes on; its result or error is dropped). */
export function withTimeout<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(ms)), ms).unref();
  });
  call.catch(() => undefined); // a late failure after the timeout is not unhandled
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/** `work`, or `late()` if it has not settled within `ms` (no limit when `ms` is unset). */
export async function answerBy<T>(ms: number | undefined, work: Promise<T>, late: () => T): Promise<T> {
  if (ms === undefined) return work;
  try {
    return await withTimeout(work, ms);
  } catch (err) {
    if (err instanceof TimedOut) return late();
    throw err;
  }
}
