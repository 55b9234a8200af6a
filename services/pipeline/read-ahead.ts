/**
 * Iterates `source` one item ahead: the next item (a listing page, a round trip to Jira) is
 * already being fetched while the caller works on the current one. At most one item waits, so
 * memory stays at two pages. Ending early (break, return, a throw) ends the source too, and the
 * item fetched ahead is dropped — its failure as well, since nobody asked for it.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  let finished = false;
  try {
    for (;;) {
      const current = await next;
      if (current.done) {
        finished = true;
        return;
      }
      next = iterator.next();
      yield current.value;
    }
  } finally {
    if (!finished) {
      // Nobody will read the item fetched ahead; an async generator runs `return` once it is done.
      next.catch(() => {});
      await iterator.return?.();
    }
  }
}
