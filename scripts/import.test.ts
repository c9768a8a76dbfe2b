import { describe, expect, it } from "vitest";
import { parseImportArgs, progressLine, summaryLines } from "./import";
import { CliError } from "./user";

describe("npm run import", () => {
  it("needs --user and one file", () => {
    expect(parseImportArgs(["--user", "alice@example.com", "export.zip"])).toMatchObject({ user: "alice@example.com", file: expect.stringMatching(/export\.zip$/) });
    for (const argv of [[], ["export.zip"], ["--user", "a"], ["--user", "a", "x", "y"], ["--nope"]]) expect(() => parseImportArgs(argv)).toThrow(CliError);
  });

  it("draws a progress bar with done/total and the current title", () => {
    expect(progressLine({ total: 10, done: 5, current: "Trip to Kyoto" })).toBe("[###############...............]  5/10  Trip to Kyoto");
    expect(progressLine({ total: null, done: 0 })).toBe("[..............................] 0/0");
  });

  it("ends with a summary that names every kept skip reason", () => {
    expect(summaryLines({ status: "done", imported: 2, existing: 1, attachments: 1, skippedCount: 1, skipped: [{ title: "Nothing", reason: "empty conversation" }] })).toEqual([
      "Imported 2 conversation(s); 1 already there (left as they were); 1 attachment(s).",
      "Skipped 1:",
      "  Nothing: empty conversation",
    ]);
    const skipped = [{ title: "Nothing", reason: "empty conversation" }, { title: "Kyoto", reason: "attachment “map.png”: over the limit" }];
    expect(summaryLines({ status: "done", imported: 1, existing: 0, attachments: 0, skippedCount: 2, skippedAttachments: 1, skipped })).toEqual([
      "Imported 1 conversation(s); 0 already there (left as they were); 0 attachment(s).",
      "Skipped 2 (1 conversation(s), 1 attachment(s) of imported ones):",
      "  Nothing: empty conversation",
      "  Kyoto: attachment “map.png”: over the limit",
    ]);
  });
});
