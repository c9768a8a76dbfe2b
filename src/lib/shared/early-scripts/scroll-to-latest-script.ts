/**
 * Runs as soon as the thread page's HTML is in the document, before React hydrates it (which can take seconds on a
 * busy machine): keeps the pane at the newest turn, as the hydrated view will (use-thread-window.ts). Late layout
 * (tables, images) grows the page, so this follows the bottom a frame at a time for about three seconds, and stops at
 * the reader's first wheel, touch, key or click. That input marks the document (READER_MOVED_ATTRIBUTE), so the view,
 * once hydrated, leaves the reader where they went instead of pulling them back down. A `#step-…` link is left to
 * the browser and the view.
 * A long thread's page is streamed behind a Suspense boundary (the `[threadId]` layout): this script then runs inside
 * React's hidden copy, and React moves the page into the pane in an animation frame of its own. A frame loop alone
 * would scroll one frame late (the first frame would show the window's top), so a MutationObserver scrolls in the
 * same task that moved it in, before that frame is painted, and stops observing.
 * Tiny and self-contained (no imports), like theme-script.ts.
 */
export const READER_MOVED_ATTRIBUTE = "data-reader-moved";

/** The id of the page's last element (this script's): what a long thread's layout holds the first paint for. */
export const THREAD_PAGE_END_ID = "thread-page-end";

export const SCROLL_TO_LATEST_SCRIPT = `(function(){if(location.hash.indexOf("#step-")===0)return;var n=0,stop=false,mo=null,ev=["wheel","touchstart","keydown","pointerdown"];function end(e){stop=true;if(mo)mo.disconnect();if(e)document.documentElement.setAttribute("data-reader-moved","");ev.forEach(function(e){removeEventListener(e,end,true)})}ev.forEach(function(e){addEventListener(e,end,true)});function down(){var p=document.querySelector(".main-pane");if(!p||!p.querySelector("article.thread-view"))return p;p.scrollTop=p.scrollHeight;if(mo){mo.disconnect();mo=null}}function f(){if(stop)return;down();if(++n<180)requestAnimationFrame(f);else end()}var p=down();if(p&&window.MutationObserver){mo=new MutationObserver(function(){if(!stop)down()});mo.observe(p,{childList:true,subtree:true})}f()})();`;
