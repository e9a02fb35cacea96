// Reads by key coalesced per turn of the event loop: every key asked for before the next
// setImmediate is read with one query (a hot per-request read, such as the conversation of each
// published event, becomes one query per group of requests). A failed read fails its callers.
export function coalescedLookup<K, V>(
  readMany: (keys: K[]) => Promise<Map<K, V>>,
  maxKeys = 500,
): (key: K) => Promise<V | undefined> {
  type Waiter = { resolve(value: V | undefined): void; reject(error: unknown): void };
  let waiting = new Map<K, Waiter[]>();
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const all = waiting;
    waiting = new Map();
    const keys = [...all.keys()];
    for (let i = 0; i < keys.length; i += maxKeys) {
      const chunk = keys.slice(i, i + maxKeys);
      readMany(chunk).then(
        (found) => {
          for (const key of chunk) for (const w of all.get(key) ?? []) w.resolve(found.get(key));
        },
        (error: unknown) => {
          for (const key of chunk) for (const w of all.get(key) ?? []) w.reject(error);
        },
      );
    }
  }

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      const list = waiting.get(key);
      if (list) list.push({ resolve, reject });
      else waiting.set(key, [{ resolve, reject }]);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
