/**
 * A probe built on its first call. Its module, and the client library behind it (Azure's SDKs,
 * @kubernetes/client-node, ssh2), is imported only when a check first asks that kind of probe something:
 * a self-check on the VM never loads the Kubernetes client, `--only ex1` never loads Azure's.
 */

/** The members of P that are async methods: what a lazy probe forwards. */
export type AsyncMethod<P> = { [K in keyof P]: P[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof P];

/**
 * `make` once, on the first call; every caller shares its answer. A failure is not kept: the next call
 * makes it again (a later polling round may succeed), as a probe's own failures are not kept.
 */
export function onFirstCall<T>(make: () => Promise<T>): { (): Promise<T>; made(): Promise<T> | undefined } {
  let made: Promise<T> | undefined;
  const get = () =>
    (made ??= make().catch((err: unknown) => {
      made = undefined;
      throw err;
    }));
  return Object.assign(get, { made: () => made });
}

/**
 * `methods` forward to the probe `build` makes on the first of them; `fields` (its description, ids)
 * answer without building it. `close()` closes the probe only if it was built.
 */
export function lazyProbe<P extends object>(build: () => Promise<P>, methods: readonly AsyncMethod<P>[], fields: Omit<P, AsyncMethod<P>>): P & { close(): Promise<void> } {
  const probe = onFirstCall(build);
  const forwarded = Object.fromEntries(
    methods.map((name) => [
      name,
      async (...args: unknown[]) => {
        const p = await probe();
        return (p[name] as (...a: unknown[]) => Promise<unknown>).apply(p, args);
      },
    ]),
  );
  const close = async () => {
    const p = await probe.made()?.catch(() => undefined);
    await (p as { close?: () => Promise<void> } | undefined)?.close?.();
  };
  return { ...fields, ...forwarded, close } as P & { close(): Promise<void> };
}
