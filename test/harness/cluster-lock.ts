import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A lock across jest worker processes for state the shared test clusters hold once, like the
 * `istio-system` namespace: test files that install Istio take it for their whole run.
 * mkdir is atomic; a lock whose holder died is taken over.
 */
export async function acquireClusterLock(name: string, timeoutMs = 15 * 60_000): Promise<() => void> {
  const dir = join(tmpdir(), `meshops-test-lock-${name}-${process.env.MESHOPS_TEST_KUBECONFIG?.replace(/\W+/g, '_') ?? 'none'}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (holderDied(dir)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`test cluster lock ${name} (${dir}) still held after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function holderDied(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    return false; // being written right now
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
