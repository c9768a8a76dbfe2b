/**
 * Runs as soon as the thread page's HTML is in the document, before React hydrates it (which can take seconds on a
 * busy machine): scrolls the pane to the newest turn, as the hydrated view will (use-thread-window.ts). The page's
 * content streams in behind the loading skeleton and is moved into place by Next's own script, so this waits a frame
 * at a time (for at most ~2 s) until the thread is in the pane. A `#step-…` link is left to the browser and the view.
 * Tiny and self-contained (no imports), like theme-script.ts.
 */
export const SCROLL_TO_LATEST_SCRIPT = `(function(){var n=0;function f(){if(location.hash.indexOf("#step-")===0)return;var p=document.querySelector(".main-pane");var a=p&&p.querySelector(".thread-view");if(!a){if(++n<120)requestAnimationFrame(f);return}p.scrollTop=p.scrollHeight}f()})();`;
