import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { groupMembers, ManagedProcess } from './process';
import { sleep } from './wait';

const run = promisify(execFile);

/**
 * The network the test clusters live in: a network namespace of their own, joined to the host by
 * one veth pair. Inside it the Service, load-balancer and node ranges are local routes (the
 * stand-ins listen there), and each pod the agent runs a real process for has a network namespace
 * of its own with its pod IP, routed from here (agent/pod-network.ts); so the API servers' webhook
 * calls, istiod and the stand-ins reach each other there and nothing leaves the machine. From the
 * host only the cluster addresses on the veth are reachable (API servers, etcds, schedulers).
 *
 * The namespace is held by one `sleep` process: when it ends (stop, or the harness dying and its
 * watchdog ending it) the kernel removes the namespace and the veth pair with it; nothing is left
 * in /var/run/netns or in the host's links.
 */
export interface NetworkNamespace {
  /** The host's end of the veth, e.g. 198.18.3.1 on link `meshops3`. */
  hostAddress: string;
  veth: string;
  /** One address per cluster inside the namespace, reachable from the host, e.g. 198.18.3.2. */
  clusterAddresses: string[];
  /** argv prefix that runs a program inside the namespace. */
  enter: string[];
  /** The process holding the namespace open. */
  holder: ManagedProcess;
  stop(): Promise<void>;
}

export interface NetworkNamespaceSpec {
  logDir: string;
  /** How many cluster addresses to put on the namespace's end of the veth (at most 5). */
  clusters: number;
  /** CIDRs routed as local inside the namespace (pod, Service, load-balancer, node ranges). */
  localRanges: string[];
}

/** Runs a command, failing with its stderr and what it was for. */
export async function command(argv: string[], what: string): Promise<void> {
  try {
    await run(argv[0], argv.slice(1));
  } catch (err) {
    const stderr = ((err as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`${argv.join(' ')} failed to ${what}: ${stderr || (err as Error).message}`, { cause: err });
  }
}

function requireRoot(): void {
  if (process.getuid?.() === 0) return;
  throw new Error(
    'The test clusters run in a network namespace of their own, and making one (unshare, veth, routes) needs root. ' +
      'Run the tests as root, e.g. in a VM or a container started with --privileged.',
  );
}

/** A network namespace held open by a `sleep` process; `enter` runs a program inside it. */
export interface HeldNamespace {
  holder: ManagedProcess;
  pid: number;
  enter: string[];
}

/**
 * Starts the holder of a new network namespace (created from the caller's own namespace) and
 * finds its pid: the member of its process group that lives in another network namespace.
 */
export async function holdNetworkNamespace(name: string, logFile: string): Promise<HeldNamespace> {
  requireRoot();
  const holder = new ManagedProcess({ name, command: 'unshare', args: ['--net', 'sleep', 'infinity'], logFile });
  const ours = readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 100; i++) {
    for (const pid of groupMembers(holder.pid)) {
      try {
        if (readlinkSync(`/proc/${pid}/ns/net`) !== ours) return { holder, pid, enter: ['nsenter', `--net=/proc/${pid}/ns/net`, '--'] };
      } catch {
        // exited meanwhile
      }
    }
    if (!holder.running) break;
    await sleep(50);
  }
  await holder.stop();
  throw new Error(`the ${name} did not start (log: ${logFile})`);
}

/**
 * Creates the namespace and the veth. The first free `198.18.<n>.0/29` (RFC 2544's benchmarking
 * range, which no real network uses) is claimed by creating the veth `meshops<n>`: link names are
 * unique on a host, so two harnesses starting at once never share one.
 */
export async function createNetworkNamespace(spec: NetworkNamespaceSpec): Promise<NetworkNamespace> {
  if (spec.clusters > 5) throw new Error('a /29 holds the host and at most 5 cluster addresses');
  const { holder, pid, enter } = await holdNetworkNamespace('network namespace', join(spec.logDir, 'netns.log'));
  try {
    const inside = (args: string[], what: string) => command([...enter, 'ip', ...args], `${what} in the test network namespace`);
    const n = await claimVeth(pid);
    const prefix = `198.18.${n}`;
    const hostAddress = `${prefix}.1`;
    const clusterAddresses = Array.from({ length: spec.clusters }, (_, i) => `${prefix}.${i + 2}`);
    await command(['ip', 'addr', 'add', `${hostAddress}/29`, 'dev', `meshops${n}`], 'address the host end of the veth');
    await command(['ip', 'link', 'set', `meshops${n}`, 'up'], 'bring the host end of the veth up');
    await inside(['link', 'set', 'lo', 'up'], 'bring loopback up');
    for (const address of clusterAddresses) await inside(['addr', 'add', `${address}/29`, 'dev', 'eth0'], `add the cluster address ${address}`);
    await inside(['link', 'set', 'eth0', 'up'], 'bring the veth up');
    for (const range of spec.localRanges) await inside(['route', 'add', 'local', range, 'dev', 'lo'], `route ${range} locally`);
    return { hostAddress, veth: `meshops${n}`, clusterAddresses, enter, holder, stop: () => holder.stop() };
  } catch (err) {
    await holder.stop();
    throw err;
  }
}

/** Creates the veth pair `meshops<n>` (host) / `eth0` (in the namespace) for the first free n. */
async function claimVeth(pid: number): Promise<number> {
  for (let n = 0; n < 256; n++) {
    try {
      await run('ip', ['link', 'add', `meshops${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pid)]);
      return n;
    } catch (err) {
      if (!/File exists/.test((err as { stderr?: string }).stderr ?? '')) {
        throw new Error(`creating the veth meshops${n} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
      }
    }
  }
  throw new Error('no free veth name meshops0..meshops255: stale test networks? (ip link show | grep meshops)');
}
