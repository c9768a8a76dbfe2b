"use client";

import { useRouter } from "next/navigation";
import { useI18n } from "@/lib/client/i18n-provider";
import { useShell } from "./shell-context";
import { NewChatIcon } from "@/components/ui/icons";
import { requestNewChat } from "@/components/composer/new-chat-state";

/** Top of the sidebar: an empty chat at /threads, its box focused, from anywhere (also from /threads itself). */
export function NewChatButton() {
  const { t } = useI18n();
  const router = useRouter();
  const { closeDrawer } = useShell();
  return (
    <button
      type="button"
      className="new-chat-btn"
      aria-keyshortcuts="Control+Shift+O Meta+Shift+O"
      onClick={() => {
        requestNewChat();
        closeDrawer();
        router.push("/threads");
      }}
    >
      <NewChatIcon size={16} />
      <span>{t.newChat}</span>
    </button>
  );
}
