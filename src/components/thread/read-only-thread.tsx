"use client";

import { createContext, useContext, type ReactNode } from "react";

/**
 * The thread components drawn read-only (the share page, docs/sharing.md): no feedback buttons, and download links
 * re-signed through the share (share.elementUrl) instead of the owner's elements.getUrl. The owner's view provides
 * nothing, so it is unchanged.
 */
export interface ReadOnlyThread {
  /** A fresh signed link for an element of the shared snapshot. */
  resign(elementId: string): Promise<{ url: string; expiresAt: string }>;
  /** A link to an image's preview, made first if needed (share.elementPreview); null when there can be none. */
  preview(elementId: string): Promise<{ url: string; expiresAt: string } | null>;
}

const ReadOnlyThreadContext = createContext<ReadOnlyThread | null>(null);

export function ReadOnlyThreadProvider({ value, children }: { value: ReadOnlyThread; children: ReactNode }) {
  return <ReadOnlyThreadContext.Provider value={value}>{children}</ReadOnlyThreadContext.Provider>;
}

/** Null in the owner's own view. */
export const useReadOnlyThread = () => useContext(ReadOnlyThreadContext);
