import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DeletionProgress } from "@/components/account/deletion-progress";
import { PinButton } from "./pin-button";
import { ThreadList } from "./thread-list";

/*
 * The sidebar's list, the header's Pin button and the deletion progress are read by the browser, so a page's server
 * render can only draw them waiting. It draws that without their tRPC queries and mutations (rendered here with no
 * tRPC provider at all: running them would throw), and the same markup as before they were skipped, so the page
 * looks the same and hydrates without a mismatch (e2e: thread-detail, long-thread, keyboard).
 */
describe("the sidebar list and the Pin button in a page's server render", () => {
  it("the list draws its loading state, exactly as the page drew it with its queries running", () => {
    const html = renderToString(createElement(ThreadList, { search: "", feedback: undefined, pending: false }));
    // Taken from a thread page's HTML of the build before the change.
    expect(html).toBe(`<nav class="thread-nav" aria-label="Thread history"><div class="thread-scroll" data-testid="thread-list" aria-busy="true"><div class="thread-group" role="status" aria-label="Loading…"><div class="thread-group-title"><span class="skeleton skeleton-heading"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:55%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:92%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:89%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:86%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:83%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:80%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:77%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:74%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:71%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:68%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:65%"></span></div><div class="thread-row-skeleton" aria-hidden="true"><span class="skeleton skeleton-line" style="width:62%"></span></div></div><div class="thread-sentinel" aria-hidden="true"></div></div></nav>`);
  });

  it("the Pin button waits for the pins, disabled, as before", () => {
    const html = renderToString(createElement(PinButton, { thread: { id: "t1", name: "A thread", createdAt: "2026-12-01T00:00:00.000Z", updatedAt: "2026-12-01T00:00:00.000Z" } }));
    expect(html).toMatch(/^<button type="button" class="btn btn-sm" aria-disabled="true" data-testid="pin-button"><svg [^]*<span class="btn-label">Pin<\/span><\/button>$/);
  });

  it("the deletion progress draws nothing", () => {
    expect(renderToString(createElement(DeletionProgress))).toBe("");
  });
});
