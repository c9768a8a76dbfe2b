/** Which field of which step a pre-rendered node stands for (prerender-steps.tsx on the server, lazy-markdown.tsx in the browser). */
export const prerenderedKey = (stepId: string, field: "input" | "output") => `${stepId}:${field}`;
