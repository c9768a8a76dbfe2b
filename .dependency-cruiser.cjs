/**
 * The layers and the absence of import cycles, checked by `npm run lint` (docs/architecture.md, "Layers").
 * Imports run one way: app → components → trpc → server → data. Tests may reach test/ and scripts/ tooling; the code
 * they test may not.
 */
const TESTS = "\\.test\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes the order modules load in matter and hides which one depends on which.",
      from: { path: "^(src|scripts|test|e2e)/" },
      to: { circular: true },
    },
    {
      name: "data-stands-alone",
      severity: "error",
      comment: "src/data is the data package: it imports only itself and its SDKs, so it works without Next, tRPC or the server.",
      from: { path: "^src/data/", pathNot: TESTS },
      to: { path: "^(src/(?!data/)|scripts/|test/|e2e/)" },
    },
    {
      name: "data-knows-no-framework",
      severity: "error",
      from: { path: "^src/data/" },
      to: { dependencyTypes: ["npm", "npm-dev"], path: "node_modules/(next|react|react-dom|@trpc/[^/]+|next-auth|@tanstack/[^/]+)/" },
    },
    {
      name: "server-below-the-ui",
      severity: "error",
      comment: "The server (services, auth, routers, chat) never reaches up into pages, components, the tRPC client or browser code.",
      from: { path: "^src/server/" },
      to: { path: "^src/(app|components|trpc|lib/client|lib/server)/" },
    },
    {
      name: "trpc-below-the-ui",
      severity: "error",
      from: { path: "^src/trpc/" },
      to: { path: "^src/(app|components|lib/server)/" },
    },
    {
      name: "components-through-trpc",
      severity: "error",
      comment: "Components reach the server through tRPC (and its router-derived types in src/trpc), never by importing it.",
      from: { path: "^src/components/", pathNot: TESTS },
      to: { path: "^src/(server|app|lib/server)/" },
    },
    {
      name: "browser-code-builds-no-schemas",
      severity: "error",
      comment:
        "zod 4 probes `new Function` when it builds an object schema; the pages' CSP has no 'unsafe-eval', so each page load would report a violation. Browser code takes the entities' limits from src/data/entities/limits.ts, never a schema module.",
      from: { path: "^src/(components|lib/client|lib/shared|trpc/(react|query-client))", pathNot: TESTS },
      to: { path: "^src/data/(entities/(?!limits\\.ts$)|index\\.ts$|layer/|storage/|dynamo/)", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "shared-lib-is-pure",
      severity: "error",
      comment: "src/lib/shared runs on the server and in the browser alike: it imports neither side.",
      from: { path: "^src/lib/shared/", pathNot: TESTS },
      to: { path: "^src/(?!lib/shared/|data/)" },
    },
    {
      name: "client-lib-stays-in-the-browser",
      severity: "error",
      from: { path: "^src/lib/client/", pathNot: TESTS },
      to: { path: "^src/(server|app|components|trpc|lib/server)/" },
    },
    {
      name: "server-lib-stays-on-the-server",
      severity: "error",
      from: { path: "^src/lib/server/" },
      to: { path: "^src/(components|trpc|lib/client|app)/" },
    },
    {
      name: "app-code-not-test-tooling",
      severity: "error",
      comment: "Only tests import the test harness and the dev scripts.",
      from: { path: "^src/", pathNot: TESTS },
      to: { path: "^(test|e2e)/" },
    },
    {
      name: "scripts-not-the-ui",
      severity: "error",
      from: { path: "^scripts/" },
      to: { path: "^src/(app|components|trpc|lib/client)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".tsx", ".mjs", ".js", ".json"] },
    exclude: { path: "^(node_modules|\\.next|\\.data|bench/\\.tmp)" },
  },
};
