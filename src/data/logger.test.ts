/**
 * The loggers' format and levels are the process's, whichever copy of logger.ts set them (process-wide.ts): a built
 * server holds this module once per Next bundle and once in its HTTP entry.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { getLogger, setLogFormat, setLogLevel } from "./logger";

afterEach(() => {
  setLogFormat("text");
  setLogLevel("info");
  vi.restoreAllMocks();
});

describe("loggers across copies of the module", () => {
  it("hostile: a logger of another copy writes JSON once LOG_FORMAT=json is set in this one, at the level set here", async () => {
    // The services set the format and the data layer's levels in the startup hook's copy (src/server/services.ts);
    // the routes log through their own copy, whose lines stayed text. A fresh module registry is such a copy.
    vi.resetModules();
    const other = await import("./logger");
    expect(other.setLogFormat).not.toBe(setLogFormat);
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));

    setLogFormat("json");
    getLogger("CopiesTest").level = "error";
    other.getLogger("CopiesTest").info("not at this level");
    other.getLogger("CopiesTest").error("refused", { code: "invalid_cursor" });
    other.getLogger("CopiesTestToo").info("a logger the other copy made first");

    expect(lines.map((line) => JSON.parse(line) as object)).toEqual([
      expect.objectContaining({ level: "error", logger: "CopiesTest", msg: "refused", code: "invalid_cursor" }),
      expect.objectContaining({ level: "info", logger: "CopiesTestToo", msg: "a logger the other copy made first" }),
    ]);
  });

  it("LOG_LEVEL is the level of every logger without one of its own, made before it was read or by another copy", async () => {
    // The app's loggers are made as their modules load (`const log = getLogger("API")`), before the services read
    // LOG_LEVEL; they stayed at info whatever it said.
    vi.resetModules();
    const other = await import("./logger");
    const lines: string[] = [];
    for (const method of ["log", "warn", "error"] as const) vi.spyOn(console, method).mockImplementation((line: string) => void lines.push(line));
    const early = other.getLogger("CopiesEarly");
    const own = getLogger("CopiesOwn", "debug");

    setLogLevel("warn");
    early.info("below LOG_LEVEL");
    early.warn("at LOG_LEVEL");
    own.debug("its own level");
    other.getLogger("CopiesLate").info("below LOG_LEVEL too");
    setLogLevel("debug");
    early.debug("LOG_LEVEL lowered");

    expect(lines.map((line) => line.replace(/^\S+ /, ""))).toEqual(["WARN [CopiesEarly] at LOG_LEVEL", "DEBUG [CopiesOwn] its own level", "DEBUG [CopiesEarly] LOG_LEVEL lowered"]);
  });
});
