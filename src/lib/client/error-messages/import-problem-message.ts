/**
 * An import's error or skip reason in the reader's language (src/lib/shared/import-problem.ts), or the English text
 * the job item keeps when it carries no problem this version knows (a job from before, or a damaged item).
 */
import type { Dictionary } from "@/lib/shared/i18n/en";
import { readImportProblem } from "@/lib/shared/import-problem";

export function importProblemMessage(t: Dictionary, problem: unknown, english: string): string {
  const known = readImportProblem(problem);
  if (!known) return english;
  try {
    return t.importProblem(known);
  } catch {
    // Parameters missing from a stored problem: the English text still says it.
    return english;
  }
}
