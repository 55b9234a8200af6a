import { setFlagsFromString } from 'node:v8';

/*
 * How far V8 lets a worker's old generation grow past what survived its last full collection.
 *
 * V8 picks that factor itself, up to 4×, and picks high for a process that allocates fast and
 * collects fast: a worker is such a process. Each evaluation lives only across a few Redis and
 * Jira round trips, but with 50 of them in flight many outlive two scavenges and are promoted,
 * so the old generation fills with garbage that V8 had no reason to collect early. Measured on
 * a 20,000-user dry run: 175 MiB of old space holding about 70 MiB that was still live, and a
 * peak RSS of 377 MiB. Allowing twice what is live keeps the heap following what the worker
 * holds: a 100,000-user dry run with one worker peaked at 276 MiB of RSS instead of 453 MiB,
 * for 7 % more worker CPU per user (505 against 472 µs). Tighter settings save little more
 * (50 %: 263–271 MiB) and cost much more CPU (50 %: 548–621 µs), as full collections come
 * more often. BENCHMARKS.md, "Worker memory".
 *
 * `--heap-growing-percent` cannot be given in NODE_OPTIONS, so `reclaim worker` (and `reclaim
 * start`, which runs the same workers) sets it on itself as it starts; V8 reads it whenever it
 * sizes the heap after a full collection.
 */
export const WORKER_HEAP_GROWING_PERCENT = 100;

/** Applies the worker's heap growth (`percent`, after each full collection) to this process. */
export function limitHeapGrowth(percent: number = WORKER_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
