import { Socket } from 'node:net';

/** Sockets of this process still connected to the given Redis. */
export function openRedisSockets(redisUrl: string): Socket[] {
  const port = Number(new URL(redisUrl).port || 6379);
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h): h is Socket => h instanceof Socket && !h.destroyed && h.remotePort === port);
}
