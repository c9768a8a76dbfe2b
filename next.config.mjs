import process from "node:process";

/**
 * Set in the environment by Threadbook's HTTP entry (src/server/http/server.ts) before Next loads: pages get their
 * nonce and Content-Security-Policy only there, so a server without it (`next start`, `next dev`) is refused below.
 * Not a setting: set by hand, it serves pages without their CSP.
 */
export const HTTP_ENTRY_MARKER = "THREADBOOK_HTTP_ENTRY";

/**
 * Nothing the app does needs these (no camera, microphone, location, payment, devices, screen capture, sensors or
 * interest-based ads); switched off for the app and anything it could ever embed. `()` = allowed to no origin.
 */
const PERMISSIONS_POLICY = [
  "accelerometer",
  "browsing-topics",
  "camera",
  "display-capture",
  "geolocation",
  "gyroscope",
  "hid",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "serial",
  "usb",
]
  .map((feature) => `${feature}=()`)
  .join(", ");

/** Packages only the embedded stack and the scripts use (kept in one list: scripts/standalone-assemble.ts checks it). */
export const EMBEDDED_ONLY_PACKAGES = ["dynalite", "s3rver", "azurite", "tsx", "esbuild", "@esbuild"];

/** Plain Node modules on the server, not bundled: traced into the standalone output, where server.js uses them too. */
export const SERVER_EXTERNAL_PACKAGES = ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/lib-storage", "@aws-sdk/s3-request-presigner", "@azure/storage-blob"];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // `npm run build` also assembles a self-contained server in .next/standalone (scripts/standalone-assemble.ts,
  // docs/deploy.md): only the production modules the server actually loads, traced by Next.
  output: "standalone",
  // The embedded stack (emulators, tsx) is for `npm start` on a laptop: never part of the production artifact, even if
  // a future import made the tracer think otherwise. scripts/standalone-assemble.ts fails the build if one slips in.
  outputFileTracingExcludes: { "*": EMBEDDED_ONLY_PACKAGES.map((name) => `node_modules/${name}/**`) },
  // The SDKs stay plain Node modules on the server instead of being bundled.
  serverExternalPackages: SERVER_EXTERNAL_PACKAGES,
  // `npm test` type-checks the whole tree (`tsc --noEmit`) right before its e2e build: the build's own check of the
  // same files would only repeat it (30 s, minutes on a busy machine). Any other build checks types itself.
  typescript: { ignoreBuildErrors: process.env.THREADBOOK_TYPES_CHECKED === "1" },
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  async headers() {
    return [
      // Every response, pages, API and static files alike. The per-request ones (CSP with its nonce, HSTS when on
      // HTTPS) come from Threadbook's HTTP entry, for pages (src/server/http/page-security.ts).
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          // Thread ids stay in the app: other sites (a link in a reply, the OAuth provider) get no Referer at all.
          { key: "Referrer-Policy", value: "same-origin" },
          // For browsers without CSP frame-ancestors.
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
        ],
      },
      // API answers are data, never documents: if one is opened as a page, nothing in it may load or run.
      {
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" }],
      },
    ];
  },
};

/**
 * `next build` reads this file; a server reads it only when Threadbook's entry runs it from the sources in
 * development (production servers get the configuration saved at build time). A server of Next's own is refused.
 */
export default function config(phase) {
  // Next's PHASE_PRODUCTION_SERVER and PHASE_DEVELOPMENT_SERVER, spelled out: server.ts bundles this file into the
  // standalone server.js, where next/constants is not among the traced files.
  const serving = phase === "phase-production-server" || phase === "phase-development-server";
  if (serving && process.env[HTTP_ENTRY_MARKER] !== "1") {
    throw new Error("Threadbook's pages get their Content-Security-Policy from its own server: run `npm start` / `npm run dev`, or `node server.js` in the standalone build, not `next start` / `next dev`.");
  }
  return nextConfig;
}
