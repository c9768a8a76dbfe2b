import { describe, expect, it } from "vitest";
import { classifyImage } from "./image-source";

describe("classifyImage (images in stored text)", () => {
  it("draws data: and blob: images, which fetch nothing", () => {
    expect(classifyImage("data:image/png;base64,AAAA")).toMatchObject({ kind: "local" });
    expect(classifyImage("blob:http://localhost:3000/1234")).toMatchObject({ kind: "local" });
  });

  it("never fetches a path of the app itself, which would carry the reader's session (hostile: /api/export as an image)", () => {
    for (const own of ["/api/export", "api/export", "/threads/abc?1", "/share/abc", "?x", "/logo.png", "./logo.png", "../api/export"]) {
      expect(classifyImage(own)).toEqual({ kind: "invalid" });
    }
    // An absolute link to the app is a placeholder like any host's, on the server and in the browser alike.
    expect(classifyImage("http://localhost:3000/api/export")).toMatchObject({ kind: "remote", host: "localhost:3000" });
  });

  it("never draws another origin's image, naming its host instead", () => {
    expect(classifyImage("https://attacker.example/p.png?q=secret")).toEqual({
      kind: "remote",
      href: "https://attacker.example/p.png?q=secret",
      host: "attacker.example",
    });
    // Same host, other port or scheme: another origin.
    expect(classifyImage("http://localhost:4444/p.png")).toMatchObject({ kind: "remote", host: "localhost:4444" });
    expect(classifyImage("https://localhost:3000/p.png")).toMatchObject({ kind: "remote" });
    // Protocol-relative and backslash tricks resolve to the other host.
    expect(classifyImage("//attacker.example/p.png")).toMatchObject({ kind: "remote", host: "attacker.example" });
    expect(classifyImage("/\\attacker.example/p.png")).toMatchObject({ kind: "remote", host: "attacker.example" });
    expect(classifyImage("  https://attacker.example/p.png")).toMatchObject({ kind: "remote" });
  });

  it("refuses what is not an http(s) image", () => {
    expect(classifyImage("javascript:alert(1)")).toEqual({ kind: "invalid" });
    expect(classifyImage("data:text/html,<script>")).toEqual({ kind: "invalid" });
    expect(classifyImage("ftp://files.example/a.png")).toEqual({ kind: "invalid" });
    expect(classifyImage("http://[::1")).toEqual({ kind: "invalid" });
  });
});
