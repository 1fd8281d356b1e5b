import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { findClusterBinaries } from './binaries';
import { startClusters } from './index';

/** A process that is gone, or a zombie waiting for its parent (it holds no port, memory or files). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

/** Live processes whose command line names the harness dir (every component's flags do) or that run in it (the agents' pod processes). */
function processesUsing(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const inDir = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir) || readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
        return inDir && !gone(pid);
      } catch {
        return false;
      }
    });
}

describe('test-cluster lifecycle (a pair of its own, besides the shared one)', () => {
  it('starts local and remote with one kubeconfig, and stop() leaves no process and no etcd data', async () => {
    const clusters = await startClusters();
    const pids = clusters.pids();
    const kubeconfig = parse(readFileSync(clusters.kubeconfigPath, 'utf8'));
    expect(kubeconfig.contexts.map((c: { name: string }) => c.name)).toEqual(['local', 'remote']);
    expect(pids.length).toBeGreaterThanOrEqual(10);

    await clusters.stop();
    expect(pids.filter((pid) => !gone(pid))).toEqual([]);
    expect(clusters.pids()).toEqual([]);
    expect(processesUsing(clusters.dir)).toEqual([]);
    expect(existsSync(join(clusters.dir, 'local', 'etcd'))).toBe(false);
    // the network namespace went with its holder, and the veth with it
    expect(execFileSync('ip', ['-o', 'link', 'show']).toString()).not.toContain(`${clusters.network.veth}@`);
    expect(existsSync(join(clusters.logDir, 'remote-kube-apiserver.log'))).toBe(true);
  });

  it('fails a start whose API server exits, naming the process and its log, and leaves nothing running', async () => {
    const binaries = { ...findClusterBinaries(), 'kube-apiserver': '/bin/false' };
    const failed = startClusters({ binaries });
    await expect(failed).rejects.toThrow(/local kube-apiserver exited \(code 1\) during start; see its log .*local-kube-apiserver\.log/);
    const message = await failed.then(
      () => '',
      (err: Error) => err.message,
    );
    const logDir = /Logs of every process: (\S+)$/.exec(message)![1];
    const harnessLog = readFileSync(join(logDir, 'harness.log'), 'utf8');
    expect(harnessLog).toMatch(/start failed/);
    expect(harnessLog).toMatch(/stopped/);
    // Both etcds had started (their logs are there) and have been stopped with the rest.
    expect(['local', 'remote'].every((c) => existsSync(join(logDir, `${c}-etcd.log`)))).toBe(true);
    expect(processesUsing(dirname(logDir))).toEqual([]);
  });
});
