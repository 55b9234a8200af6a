import { setFlagsFromString } from 'node:v8';

/*
 * How far V8 lets a worker's old generation grow past what survived its last full collection.
 *
 * V8 picks that factor itself, up to 4×, and picks high for a process that allocates fast and
 * collects fast: a worker is such a process. Each evaluation lives only across a few Redis and
 * Jira round trips, but with 50 of them in flight many outlive two scavenges and are promoted,
 * so the old generation fills with garbage that V8 had no reason to collect early. Measured on
 * a 20,000-user dry run: 175 MB of old space holding about 70 MB that was still live, and a
 * peak RSS of 377 MB. With a growth of 20 % the heap of a 100,000-user dry run stayed at
 * 90–110 MB (55–70 MB live) and the peak RSS at 251 MB instead of 452 MB, for more frequent
 * (and shorter) full collections. BENCHMARKS.md, "Worker memory".
 *
 * `--heap-growing-percent` cannot be given in NODE_OPTIONS, so `reclaim worker` (and `reclaim
 * start`, which runs the same workers) sets it on itself as it starts; V8 reads it whenever it
 * sizes the heap after a full collection.
 */
export const WORKER_HEAP_GROWING_PERCENT = 20;

/** Applies the worker's heap growth (`percent`, after each full collection) to this process. */
export function limitHeapGrowth(percent: number = WORKER_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
