/**
 * Runs as soon as the thread page's HTML is in the document, before React hydrates it (which can take seconds on a
 * busy machine): keeps the pane at the newest turn, as the hydrated view will (use-thread-window.ts). The page's
 * content streams in behind the loading skeleton and is moved into place by Next's own script, and late layout
 * (fonts, tables) grows it, so this follows the bottom a frame at a time for about three seconds, and stops at the
 * reader's first wheel, touch, key or click. That input marks the document (READER_MOVED_ATTRIBUTE), so the view,
 * once hydrated, leaves the reader where they went instead of pulling them back down. A `#step-…` link is left to
 * the browser and the view.
 * Tiny and self-contained (no imports), like theme-script.ts.
 */
export const READER_MOVED_ATTRIBUTE = "data-reader-moved";

export const SCROLL_TO_LATEST_SCRIPT = `(function(){if(location.hash.indexOf("#step-")===0)return;var n=0,stop=false,ev=["wheel","touchstart","keydown","pointerdown"];function end(e){stop=true;if(e)document.documentElement.setAttribute("data-reader-moved","");ev.forEach(function(e){removeEventListener(e,end,true)})}ev.forEach(function(e){addEventListener(e,end,true)});function f(){if(stop)return;var p=document.querySelector(".main-pane");if(p&&p.querySelector(".thread-view"))p.scrollTop=p.scrollHeight;if(++n<180)requestAnimationFrame(f);else end()}f()})();`;
