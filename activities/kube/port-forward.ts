import { createServer, type AddressInfo, type Socket } from 'node:net';
import { PortForward } from '@kubernetes/client-node';
import type { ClusterClient } from './cluster-client';

/** A pod's port reachable on 127.0.0.1 of the worker, as `kubectl port-forward` makes it. */
export interface ForwardedPort {
  localPort: number;
  close(): Promise<void>;
}

/**
 * Forwards a local port to the pod's port through the API server (client-node's PortForward over
 * WebSocket, one tunnel per connection), which the kubelet connects to the pod's own localhost.
 * Errors of a tunnel end that connection; a connection's end closes its tunnel; close() ends them all.
 */
export async function forwardPort(client: ClusterClient, namespace: string, pod: string, port: number): Promise<ForwardedPort> {
  const forward = new PortForward(client.kubeConfig, true);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // The tunnel is a WebSocket to the API server that outlives the local socket unless closed with it.
    forward.portForward(namespace, pod, [port], socket, null, socket).then(
      (tunnel) => {
        const close = () => (typeof tunnel === 'function' ? tunnel() : tunnel)?.close();
        if (socket.destroyed) close();
        else socket.once('close', close);
      },
      (err: Error) => socket.destroy(err),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    localPort: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
