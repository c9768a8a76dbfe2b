import { describe, expect, it } from "vitest";
import { asciiFallback, attachmentDisposition, encodeRfc5987 } from "./content-disposition";

/** What a browser does with filename*: percent-decode the UTF-8 bytes. */
const decodedName = (header: string) => decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(header)?.[1] ?? "");

describe("attachmentDisposition", () => {
  it("gives an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987)", () => {
    const header = attachmentDisposition("报告 résumé.csv");
    expect(header).toBe(`attachment; filename="__ resume.csv"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20r%C3%A9sum%C3%A9.csv`);
    expect(decodedName(header)).toBe("报告 résumé.csv");
  });

  it("is plain attachment without a name", () => {
    expect(attachmentDisposition()).toBe("attachment");
    expect(attachmentDisposition("  ")).toBe("attachment");
  });

  it("cannot be used for header injection and stays ASCII", () => {
    const header = attachmentDisposition('evil"\r\nSet-Cookie: a=b\\.html');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(/filename="([^"]*)"/.exec(header)?.[1]).toBe("evil_Set-Cookie: a=b_.html");
    // The CR LF is not kept in the saved name either (controls are dropped).
    expect(decodedName(header)).toBe('evil"Set-Cookie: a=b\\.html');
  });

  it("saves a name as it reads: no bidirectional override, zero-width or other invisible character (hostile: invoice\\u202Efdp.exe)", () => {
    // Shown by a file manager as "invoiceexe.pdf", saved as a program.
    expect(decodedName(attachmentDisposition("invoice\u202Efdp.exe"))).toBe("invoicefdp.exe");
    expect(decodedName(attachmentDisposition("report.pdf\u200B\u2060\uFEFF.exe"))).toBe("report.pdf.exe");
    expect(decodedName(attachmentDisposition("a\u2066b\u2069\u200Fc\u2028d\u0085e.txt"))).toBe("abcde.txt");
    expect(attachmentDisposition("\u202E\u200B")).toBe("attachment");
    // What names are made of stays: letters of every script, accents, emoji.
    expect(decodedName(attachmentDisposition("تقرير résumé 报告 😀.pdf"))).toBe("تقرير résumé 报告 😀.pdf");
  });

  it("encodes what RFC 5987 attr-char excludes, including ' ( ) * which encodeURIComponent leaves", () => {
    expect(encodeRfc5987("it's (1)*.txt")).toBe("it%27s%20%281%29%2A.txt");
    expect(encodeRfc5987("a!#$&+-.^_`|~z")).toBe("a!#$&+-.^_`|~z");
  });

  it("survives lone surrogates and bounds very long names", () => {
    expect(encodeRfc5987("\ud800x")).toBe("%EF%BF%BDx");
    expect(asciiFallback("naïve\u0007")).toBe("naive_");
    expect(decodedName(attachmentDisposition("名".repeat(1000))).length).toBe(255);
  });
});
