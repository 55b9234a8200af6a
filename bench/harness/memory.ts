import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/*
 * Memory figures of a bench run: a process's peak resident set (the kernel's high-water mark,
 * VmHWM, so no sample can miss the peak) and Redis's used_memory, sampled while a contender
 * runs (INFO's own used_memory_peak spans the server's life, the other contenders' too).
 */

/** Peak RSS of a live process in bytes; undefined when it is gone or /proc has no such field. */
export function peakRss(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function redisUsedMemory(redis: Redis): Promise<number> {
  const match = /^used_memory:(\d+)/m.exec(await redis.info('memory'));
  return match ? Number(match[1]) : 0;
}

export async function redisPid(redis: Redis): Promise<number> {
  const match = /^process_id:(\d+)/m.exec(await redis.info('server'));
  return match ? Number(match[1]) : 0;
}

/** Samples used_memory every `everyMs` until stopped; resolves to the largest sample. */
export function sampleRedisMemory(redis: Redis, everyMs = 250): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await redisUsedMemory(redis).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Math.max(peak, await redisUsedMemory(redis).catch(() => 0));
    },
  };
}
