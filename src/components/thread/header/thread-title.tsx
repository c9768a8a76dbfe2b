import type { ReactNode } from "react";

/**
 * A thread's name as the page's heading (the article is labelled by it), with a line of facts under it: the owner's
 * thread header and a shared snapshot draw the same block, each with its own facts (`after`: the owner's tags).
 */
export function ThreadTitle({ name, children, after }: { name: string; children: ReactNode; after?: ReactNode }) {
  return (
    <div className="thread-title-block">
      <h1 id="thread-title" className="thread-title" title={name}>
        {name}
      </h1>
      <p className="thread-meta">{children}</p>
      {after}
    </div>
  );
}
