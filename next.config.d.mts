// Types of next.config.mjs for the code that imports its names (scripts/standalone.ts, src/server/http/server.ts).
import type { NextConfig } from "next";

export declare const EMBEDDED_ONLY_PACKAGES: string[];
export declare const HTTP_ENTRY_MARKER: string;
export declare const SERVER_EXTERNAL_PACKAGES: string[];
declare function config(phase: string): NextConfig;
export default config;
