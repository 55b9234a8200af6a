import { createConnection, type Socket } from 'node:net';

/*
 * Redis' MONITOR over a plain socket: every command the server runs, as it runs it, for a test
 * that acts at an exact point of a conversation (e.g. in the middle of an addBulk pipeline).
 */
export interface RedisMonitor {
  close(): void;
}

/** Calls `onText` with each chunk of the monitor feed (one line per command the server ran). */
export async function monitorRedis(port: number, onText: (text: string) => void): Promise<RedisMonitor> {
  const socket: Socket = createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => onText(chunk.toString('latin1')));
  socket.write('MONITOR\r\n');
  return { close: () => socket.destroy() };
}
