import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { requestLocale } from "@/lib/server/request-locale";
import { EARLY_SEND_SCRIPT } from "@/lib/shared/early-scripts/send-key";
import { THEME_INIT_SCRIPT } from "@/lib/shared/early-scripts/theme-script";
import { NONCE_HEADER } from "@/server/security/security-headers";
import { TRPCReactProvider } from "@/trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Threadbook", template: "%s · Threadbook" },
  description: "Keep, read and continue your AI chat history.",
  // Files in public/: the SVG for browsers that take one, the .ico for the rest, the manifest for "install app".
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "32x32" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: "/apple-touch-icon.png",
  },
  manifest: "/manifest.webmanifest",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#1c1917" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The language from the tb-locale cookie, else Accept-Language; the theme before the first paint.
  // The nonce Threadbook's HTTP entry put in this page's CSP (page-security.ts): our inline scripts run with it (the
  // theme's, and the message box's Enter before hydration: send-key.ts).
  const [locale, nonce] = await Promise.all([requestLocale(), headers().then((h) => h.get(NONCE_HEADER) ?? undefined)]);
  return (
    <html lang={locale} suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: EARLY_SEND_SCRIPT }} />
      </head>
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
