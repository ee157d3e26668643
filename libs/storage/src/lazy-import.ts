/**
 * `load` run once, on the first call, its promise shared by every later call; a load that failed
 * is tried again by the next call. For the libraries only some requests need (the UnixFS importer
 * and exporter, the CAR writer): in the bundle each `import()` is a chunk of its own, read from
 * disk and evaluated on first use, so a node that is never asked for one never pays its memory.
 */
export function lazyImport<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}
