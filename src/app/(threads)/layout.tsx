import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { currentUser, signOut } from "@/server/auth";

export default async function ThreadsLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  async function signOutAction() {
    "use server";
    await signOut({ redirectTo: "/sign-in" });
  }
  return (
    <div className="app-shell">
      <header className="app-header">
        <strong>Threadbook</strong>
        <span className="app-header-user">
          <span data-testid="current-user">{user.identifier}</span>
          <form action={signOutAction}>
            <button type="submit" className="btn">
              Sign out
            </button>
          </form>
        </span>
      </header>
      {children}
    </div>
  );
}
