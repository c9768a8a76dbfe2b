/** `npm run build`: the production build and its standalone artifact in .next/standalone (docs/deploy.md). */
import { buildProduction } from "./next-build";

buildProduction().then(
  () => console.log("Standalone server ready in .next/standalone (node server.js)."),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
