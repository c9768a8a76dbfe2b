/** Frames (about three seconds) a linked step is held in view while what is drawn around it settles. */
const HOLD_FRAMES = 180;
const READER_INPUT = ["wheel", "touchstart", "keydown", "pointerdown"] as const;

/**
 * A scroll to a linked step aims where the step is when the scroll starts. What the browser draws above it afterwards
 * (Markdown and tables drawn in the browser, images, older turns going in) can push it out of view, during a smooth
 * scroll or after it (the thread pane turns the browser's scroll anchoring off: threads.css). For about three seconds,
 * until the reader's first wheel, touch, key or click, a target that has stopped moving wholly out of view is jumped
 * to again. Returns the function that stops holding.
 */
export function holdInView(target: Element, block: ScrollLogicalPosition): () => void {
  let frames = 0;
  let lastTop = Number.NaN;
  let raf = 0;
  const stop = () => {
    cancelAnimationFrame(raf);
    for (const type of READER_INPUT) window.removeEventListener(type, stop, true);
  };
  const frame = () => {
    if (++frames > HOLD_FRAMES || !target.isConnected) return stop();
    const { top, bottom } = target.getBoundingClientRect();
    // Moving since the last frame: a smooth scroll on its way (or layout still shifting): judge where it stops.
    const still = top === lastTop;
    lastTop = top;
    if (still && (bottom <= 0 || top >= window.innerHeight)) target.scrollIntoView({ block, behavior: "auto" });
    raf = requestAnimationFrame(frame);
  };
  for (const type of READER_INPUT) window.addEventListener(type, stop, { capture: true, passive: true });
  raf = requestAnimationFrame(frame);
  return stop;
}
