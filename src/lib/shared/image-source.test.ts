import { describe, expect, it } from "vitest";
import { classifyImage } from "./image-source";

const PAGE = "http://localhost:3000";

describe("classifyImage (images in stored text)", () => {
  it("draws the app's own images and data:/blob: ones", () => {
    expect(classifyImage("/logo.png", PAGE)).toEqual({ kind: "local", src: "/logo.png" });
    expect(classifyImage("logo.png", null)).toEqual({ kind: "local", src: "logo.png" });
    expect(classifyImage("http://localhost:3000/a.png", PAGE)).toMatchObject({ kind: "local" });
    expect(classifyImage("data:image/png;base64,AAAA", PAGE)).toMatchObject({ kind: "local" });
    expect(classifyImage("blob:http://localhost:3000/1234", PAGE)).toMatchObject({ kind: "local" });
  });

  it("never draws another origin's image, naming its host instead", () => {
    expect(classifyImage("https://attacker.example/p.png?q=secret", PAGE)).toEqual({
      kind: "remote",
      href: "https://attacker.example/p.png?q=secret",
      host: "attacker.example",
    });
    // Same host, other port or scheme: another origin.
    expect(classifyImage("http://localhost:4444/p.png", PAGE)).toMatchObject({ kind: "remote", host: "localhost:4444" });
    expect(classifyImage("https://localhost:3000/p.png", PAGE)).toMatchObject({ kind: "remote" });
    // Protocol-relative and backslash tricks resolve to the other host.
    expect(classifyImage("//attacker.example/p.png", PAGE)).toMatchObject({ kind: "remote", host: "attacker.example" });
    expect(classifyImage("/\\attacker.example/p.png", PAGE)).toMatchObject({ kind: "remote", host: "attacker.example" });
    expect(classifyImage("  https://attacker.example/p.png", PAGE)).toMatchObject({ kind: "remote" });
  });

  it("counts an absolute URL to the app as remote while the origin is unknown (server rendering)", () => {
    expect(classifyImage("http://localhost:3000/a.png", null)).toMatchObject({ kind: "remote", host: "localhost:3000" });
  });

  it("refuses what is not an http(s) image", () => {
    expect(classifyImage("javascript:alert(1)", PAGE)).toEqual({ kind: "invalid" });
    expect(classifyImage("data:text/html,<script>", PAGE)).toEqual({ kind: "invalid" });
    expect(classifyImage("ftp://files.example/a.png", PAGE)).toEqual({ kind: "invalid" });
    expect(classifyImage("http://[::1", PAGE)).toEqual({ kind: "invalid" });
  });
});
