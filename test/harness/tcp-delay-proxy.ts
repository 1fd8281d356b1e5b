import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface DelayProxy {
  /** host:port to give a client instead of the target. */
  address: string;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of `target` (host:port) that holds every chunk, both ways, for `delayMs`
 * before passing it on, in order: a server that is up but slow (gRPC's handshake and every call
 * take at least that long). Used to slow down the Temporal frontend.
 */
export async function startDelayProxy(target: string, delayMs: number): Promise<DelayProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      const timer = setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delayMs);
      timer.unref();
    });
    from.on('close', () => setTimeout(() => to.destroy(), delayMs).unref());
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = createConnection({ host, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
