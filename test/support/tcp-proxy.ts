import { createConnection, createServer, type Socket } from 'node:net';

/*
 * A loopback TCP proxy in front of a server, to act at an exact point of a conversation: once
 * armed, it calls `onBytes` when the server has sent that many bytes on one connection — e.g.
 * to kill the server in the middle of the first page of a listing.
 */
export interface TcpProxy {
  port: number;
  /** Calls `action` once a connection has carried `bytes` bytes from the server. */
  armAfter(bytes: number, action: () => void): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let armed: { bytes: number; action: () => void } | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    let fromServer = 0;
    upstream.on('data', (chunk: Buffer) => {
      fromServer += chunk.length;
      client.write(chunk);
      if (armed && fromServer >= armed.bytes) {
        const { action } = armed;
        armed = undefined;
        action();
      }
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    armAfter(bytes, action) {
      armed = { bytes, action };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
