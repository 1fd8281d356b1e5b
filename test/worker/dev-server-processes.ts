import { allPids, processRecord } from '../../worker/guarded-process';

/** Live `temporal server start-dev` processes serving gRPC on `port` (not the watchdog shells that carry the same argv). */
export function devServersOn(port: number): number[] {
  return allPids().filter((pid) => {
    const argv = processRecord(pid)?.argv ?? [];
    return !argv[0]?.endsWith('bash') && argv.includes('start-dev') && argv[argv.indexOf('--port') + 1] === String(port);
  });
}

/** Whether `ancestor` is on `pid`'s parent chain. */
export function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p: number | undefined = pid; p && p > 1; p = processRecord(p)?.ppid) if (p === ancestor) return true;
  return false;
}
