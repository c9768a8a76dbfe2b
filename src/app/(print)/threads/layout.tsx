import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { currentUser } from "@/server/auth";

/** The owner's print view is signed in all the same: without a session it goes to sign-in, as the thread page does ((threads)/layout.tsx). */
export default async function OwnerPrintLayout({ children }: { children: ReactNode }) {
  if (!(await currentUser())) redirect("/sign-in");
  return children;
}
