/**
 * A browser's storage for unit tests of lib/client code that keeps things in it: its keys are its own enumerable
 * properties, as `Object.keys(localStorage)` lists them.
 */
export function fakeStorage(): Storage {
  const storage = {} as Record<string, string>;
  const method = (value: unknown) => ({ value, enumerable: false });
  Object.defineProperties(storage, {
    getItem: method((key: string) => (Object.hasOwn(storage, key) ? storage[key] : null)),
    setItem: method((key: string, value: string) => (storage[key] = String(value))),
    removeItem: method((key: string) => delete storage[key]),
  });
  return storage as unknown as Storage;
}

/** A fresh page's window, over the browser's storage (kept across pages). */
export function fakeBrowser(): { localStorage: Storage; sessionStorage: Storage } {
  return { localStorage: fakeStorage(), sessionStorage: fakeStorage() };
}
