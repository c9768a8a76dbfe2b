/**
 * State that belongs to the process, whichever copy of a module asks for it (docs/architecture.md, "One process,
 * several copies of a module"). A built server holds most modules several times: Next bundles the startup hook
 * (src/instrumentation.ts), the proxy, the route handlers and the pages apart, each with its own copy of every module
 * it imports, and Threadbook's HTTP entry (server.js) is bundled apart from all of them. A module-level `let` or
 * `new Map()` is then one per copy: a registry the shutdown does not see, a log format set in one copy only, a clock
 * whose sequence two copies count separately. What must be one per process lives on globalThis under a registered
 * symbol, which is the same in every copy: made by the first copy that asks, found by every other.
 */
const store = globalThis as unknown as Record<symbol, unknown>;

const keyOf = (name: string) => Symbol.for(`threadbook.${name}`);

/** The process's one `name`, made by `create` the first time any copy asks. */
export function processWide<T>(name: string, create: () => T): T {
  const key = keyOf(name);
  if (!(key in store)) store[key] = create();
  return store[key] as T;
}

/** Back to a fresh process's state for `name`: for tests, which share one process between many "servers". */
export function forgetProcessWide(name: string): void {
  delete store[keyOf(name)];
}
