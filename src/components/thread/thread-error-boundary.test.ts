import { createElement, isValidElement, type ReactElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "@/lib/client/i18n-provider";
import { ThreadErrorBoundary, ThreadErrorFallback } from "./thread-error-boundary";
import { ThreadError } from "./thread-states";

/**
 * The thread page's error boundary (rendered by the [threadId] layout). Catching and clearing are Next's catchError;
 * what is Threadbook's is the fallback: the error state in the reader's language, its Retry wired to the boundary's
 * retry (a refresh of the page's server data and a new render), and nothing of the error itself on the page.
 */
describe("the thread page's error boundary", () => {
  const retry = () => undefined;
  const fallback = (error: unknown) => ThreadErrorFallback({}, { retry, ...({ error } as object) }) as ReactElement<{ onRetry: () => void }>;

  it("is a catchError boundary whose fallback is the error state with the boundary's retry", () => {
    expect(typeof ThreadErrorBoundary).toBe("function");
    const element = fallback(new Error("boom"));
    expect(isValidElement(element)).toBe(true);
    expect(element.type).toBe(ThreadError);
    expect(element.props.onRetry).toBe(retry);
  });

  it("shows an alert with Retry in the reader's language, never the error's message or stack", () => {
    const secret = new Error("DynamoDB said: table threadbook-prod, key USER#alice@example.com");
    const html = (locale: "en" | "zh-CN") => renderToString(createElement(I18nProvider, { initialLocale: locale, children: fallback(secret) }));
    expect(html("en")).toContain('role="alert"');
    expect(html("en")).toContain("Something went wrong");
    expect(html("en")).toMatch(/<button[^>]*>Retry<\/button>/);
    expect(html("zh-CN")).toContain("出错了");
    for (const locale of ["en", "zh-CN"] as const) {
      expect(html(locale)).not.toContain("DynamoDB");
      expect(html(locale)).not.toContain("alice@example.com");
    }
  });
});
