/**
 * `npm run checks`: the type check and the lint (ESLint, then the dependency rules) side by side. Each is one
 * single-threaded process, so on a machine of two cores or more the pair takes as long as the slower one, not their sum
 * (about 35 s of each CI run). Each one's output is printed whole when it ends, so the two never interleave; the exit
 * status is the first failure's.
 */
import { runAllCaptured } from "./run-captured";

const status = await runAllCaptured([
  { name: "typecheck", command: "npm", args: ["run", "typecheck"] },
  { name: "lint", command: "npm", args: ["run", "lint"] },
]);
process.exit(status);
