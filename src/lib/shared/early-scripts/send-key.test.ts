import { describe, expect, it } from "vitest";
import { BOX_READY_ATTRIBUTE, EARLY_SEND_ATTRIBUTE, EARLY_SEND_SCRIPT, SEND_PENDING_ATTRIBUTE, sendsMessage } from "./send-key";

/** A textarea as far as the early script looks at one: its attributes. */
class FakeTextArea {
  readonly attributes = new Map<string, string>();
  constructor(...names: string[]) {
    for (const name of names) this.attributes.set(name, "");
  }
  hasAttribute(name: string) {
    return this.attributes.has(name);
  }
  setAttribute(name: string, value: string) {
    this.attributes.set(name, value);
  }
}

interface Key {
  key: string;
  shiftKey?: boolean;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  isComposing?: boolean;
  keyCode?: number;
}

/** A browser with a fine or a coarse pointer (a touch keyboard). */
const browser = (coarse = false) => ({ matchMedia: (query: string) => ({ matches: coarse && query === "(pointer: coarse)" }) });

/** The early script run as the page's <head> runs it (its source text alone), and a keydown dispatched to `target`. */
function pressBeforeHydration(target: unknown, key: Key, coarse = false) {
  const listeners: Array<(event: unknown) => void> = [];
  const document = { addEventListener: (type: string, listener: (event: unknown) => void, capture: boolean) => type === "keydown" && capture && listeners.push(listener) };
  new Function("document", "window", "HTMLTextAreaElement", EARLY_SEND_SCRIPT)(document, browser(coarse), FakeTextArea);
  let prevented = false;
  const event = { target, ...key, preventDefault: () => (prevented = true) };
  for (const listener of listeners) listener(event);
  return prevented;
}

const keydown = (key: Key, coarse = false) => {
  const original = globalThis.window;
  globalThis.window = browser(coarse) as unknown as typeof globalThis.window;
  try {
    return sendsMessage({ shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, isComposing: false, keyCode: 13, ...key } as KeyboardEvent);
  } finally {
    globalThis.window = original;
  }
};

describe("Enter in the message box", () => {
  it("sends on Enter, not on Shift/Alt+Enter, mid-composition, nor a touch keyboard's plain Enter", () => {
    expect(keydown({ key: "Enter" })).toBe(true);
    expect(keydown({ key: "a" })).toBe(false);
    expect(keydown({ key: "Enter", shiftKey: true })).toBe(false);
    expect(keydown({ key: "Enter", altKey: true })).toBe(false);
    expect(keydown({ key: "Enter", isComposing: true })).toBe(false);
    expect(keydown({ key: "Enter", keyCode: 229 })).toBe(false);
    expect(keydown({ key: "Enter" }, true)).toBe(false);
    expect(keydown({ key: "Enter", ctrlKey: true }, true)).toBe(true);
  });

  it("before hydration: the early script keeps an Enter that sends for the composer, and takes nothing else", () => {
    const box = new FakeTextArea(EARLY_SEND_ATTRIBUTE);
    expect(pressBeforeHydration(box, { key: "Enter", shiftKey: true })).toBe(false);
    expect(pressBeforeHydration(box, { key: "Enter" }, true)).toBe(false);
    expect(box.hasAttribute(SEND_PENDING_ATTRIBUTE)).toBe(false);
    expect(pressBeforeHydration(box, { key: "Enter" })).toBe(true);
    expect(box.hasAttribute(SEND_PENDING_ATTRIBUTE)).toBe(true);
  });

  it("leaves a box the composer already handles, and any other textarea, alone", () => {
    const ready = new FakeTextArea(EARLY_SEND_ATTRIBUTE, BOX_READY_ATTRIBUTE);
    const other = new FakeTextArea();
    for (const box of [ready, other, { notATextarea: true }]) expect(pressBeforeHydration(box, { key: "Enter" })).toBe(false);
    expect([ready, other].some((box) => box.hasAttribute(SEND_PENDING_ATTRIBUTE))).toBe(false);
  });
});
