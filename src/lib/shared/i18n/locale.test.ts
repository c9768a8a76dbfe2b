import { describe, expect, it } from "vitest";
import { localeFromAcceptLanguage, pickLocale } from "./locale";

describe("pickLocale", () => {
  it("prefers the cookie when it names a supported locale", () => {
    expect(pickLocale({ cookie: "zh-CN", acceptLanguage: "en-US" })).toBe("zh-CN");
    expect(pickLocale({ cookie: "en", acceptLanguage: "zh-CN" })).toBe("en");
    expect(pickLocale({ cookie: "fr", acceptLanguage: "zh-CN" })).toBe("zh-CN");
  });

  it("falls back to English", () => {
    expect(pickLocale({})).toBe("en");
    expect(pickLocale({ acceptLanguage: "fr-FR,de;q=0.5" })).toBe("en");
  });
});

describe("localeFromAcceptLanguage", () => {
  it.each([
    ["zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"],
    ["en-US,en;q=0.9", "en"],
    ["fr-FR,zh-Hans;q=0.7,en;q=0.5", "zh-CN"],
    ["en;q=0.3,zh-TW;q=0.8", "zh-CN"],
    ["zh;q=0,en", "en"],
    ["de", null],
    ["", null],
  ])("%s → %s", (header, expected) => expect(localeFromAcceptLanguage(header)).toBe(expected));
});
