/*
 * Serialises publications to one policy file within this backend process, so that two requests
 * for the same file started together do not both open a pull request: the second waits, then
 * finds the first's pull request and joins it. Across replicas the publishers' rebase-on-conflict
 * still keeps every rule (a second pull request may then be opened).
 */
const tails = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier call with the same key has settled. */
export async function withFileLock<T>(
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(fn);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
