import { createHash } from 'node:crypto';
import { command, holdNetworkNamespace, type HeldNamespace } from '../netns';

/**
 * A pod sandbox's network, for a pod whose container the agent runs as a process: a network
 * namespace of its own holding the pod IP and a loopback, joined to the cluster's network by a veth
 * and a /32 route to the pod IP. So the process binds `:15017` as in a pod (pod IP and its own
 * localhost), the API server and the stand-ins reach it at the pod IP, and a request from the
 * pod's localhost (`kubectl exec … curl localhost:8080`) is local to it alone.
 */
export async function createPodNetwork(uid: string, podIP: string, logFile: string): Promise<HeldNamespace> {
  const pod = await holdNetworkNamespace(`network of pod ${podIP}`, logFile);
  const veth = `pod${createHash('sha256').update(uid).digest('hex').slice(0, 8)}`;
  try {
    await command(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pod.pid)], `create the veth of pod ${podIP}`);
    await command(['ip', 'link', 'set', veth, 'up'], `bring up the veth of pod ${podIP}`);
    await command(['ip', 'route', 'add', `${podIP}/32`, 'dev', veth], `route pod ${podIP}`);
    const inside = (args: string[], what: string) => command([...pod.enter, 'ip', ...args], `${what} in the network of pod ${podIP}`);
    await inside(['link', 'set', 'lo', 'up'], 'bring loopback up');
    await inside(['addr', 'add', `${podIP}/32`, 'dev', 'eth0'], 'add the pod IP');
    await inside(['link', 'set', 'eth0', 'up'], 'bring the veth up');
    await inside(['route', 'add', 'default', 'dev', 'eth0'], 'route to the cluster');
    return pod;
  } catch (err) {
    await pod.holder.stop();
    throw err;
  }
}
