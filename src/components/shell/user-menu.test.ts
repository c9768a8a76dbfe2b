import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { OnceOpened } from "@/components/ui/once-opened";
import { UserMenu } from "./user-menu";

describe("the account menu's dialogs in a page's server render", () => {
  it("run nothing while closed: no query or mutation hook, no content (rendered here with no tRPC provider at all)", () => {
    // A closed import or shared-links dialog that still ran its hooks would need the tRPC client here and throw.
    const html = renderToString(createElement(UserMenu, { user: { identifier: "ada@example.com", name: "Ada", storageOwner: "tag" }, signOutEverywhereAction: async () => {}, signOutAction: async () => {}, signInAgainAction: async () => {} }));
    expect(html).toContain("ada@example.com");
    expect(html).not.toContain("import-dialog");
    expect(html).not.toContain("shared-links-dialog");
    expect(html).not.toContain("delete-account-dialog");
  });

  it("OnceOpened renders nothing of its children until opened", () => {
    let renders = 0;
    const Child = () => {
      renders++;
      return createElement("p", null, "content");
    };
    expect(renderToString(createElement(OnceOpened, { open: false, children: createElement(Child) }))).toBe("");
    expect(renders).toBe(0);
    expect(renderToString(createElement(OnceOpened, { open: true, children: createElement(Child) }))).toContain("content");
    expect(renders).toBe(1);
  });
});
