// Types of next.config.mjs for the scripts that import its lists (scripts/standalone.ts).
import type { NextConfig } from "next";

export declare const EMBEDDED_ONLY_PACKAGES: string[];
declare const nextConfig: NextConfig;
export default nextConfig;
