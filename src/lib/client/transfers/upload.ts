/**
 * Attachments from the browser: the checks the upload route makes, made first on the client so a refused
 * file costs no upload, and the upload itself over XMLHttpRequest, the one browser API that reports upload progress
 * (fetch cannot yet, without streaming request bodies). Pure except `uploadFile`.
 */

/** What the server allows (the composer settings, what `chat.limits` answers: the same constants the route enforces). */
export interface UploadLimits {
  maxUploadBytes: number;
  allowedExtensions: string[];
  /** MIME → the extensions allowed with it. */
  allowedTypes: Record<string, string[]>;
}

export interface FileLike {
  name: string;
  type: string;
  size: number;
}

export function extensionOf(name: string): string {
  const trimmed = name.trim();
  return trimmed.includes(".") ? trimmed.split(".").pop()!.toLowerCase() : "";
}

/**
 * The Content-Type to send: the browser's own when the route accepts it with this extension, else the allowed MIME
 * for the extension (browsers give "" for .log or .md on some systems, and Windows calls a .csv
 * "application/vnd.ms-excel"). Null when the extension is not allowed at all.
 */
export function mimeFor(file: Pick<FileLike, "name" | "type">, allowedTypes: UploadLimits["allowedTypes"]): string | null {
  const extension = extensionOf(file.name);
  if (!extension) return null;
  const own = file.type.split(";")[0]!.trim().toLowerCase();
  if (allowedTypes[own]?.includes(extension)) return own;
  return Object.entries(allowedTypes).find(([, extensions]) => extensions.includes(extension))?.[0] ?? null;
}

export type FileCheck = { ok: true; mime: string } | { ok: false; reason: "type" } | { ok: false; reason: "size"; maxMb: number };

/** The route's checks (attachments.ts), in the same order: type first, then size. */
export function checkFile(file: FileLike, limits: UploadLimits): FileCheck {
  const mime = mimeFor(file, limits.allowedTypes);
  if (!mime) return { ok: false, reason: "type" };
  if (file.size > limits.maxUploadBytes) return { ok: false, reason: "size", maxMb: Math.round(limits.maxUploadBytes / 1024 / 1024) };
  return { ok: true, mime };
}

/** The file picker's `accept`: extensions, which every browser matches (MIME matching varies by platform). */
export function acceptAttribute(limits: Pick<UploadLimits, "allowedExtensions">): string {
  return limits.allowedExtensions.map((extension) => `.${extension}`).join(",");
}

/**
 * An upload the server refused (status, its `{ error }` message and any `refusal` to word in the reader's language:
 * refusal-message.ts), the network failed (status 0), or it was aborted.
 */
export class UploadError extends Error {
  override readonly name = "UploadError";
  constructor(
    readonly status: number,
    message: string,
    readonly aborted = false,
    readonly refusal: unknown = null,
  ) {
    super(message);
  }
}

/** The error for a finished request that was not the success expected. */
export function refusedUpload(xhr: XMLHttpRequest): UploadError {
  const body = xhr.response as { error?: unknown; refusal?: unknown } | null;
  return new UploadError(xhr.status, typeof body?.error === "string" ? body.error : `HTTP ${xhr.status}`, false, body?.refusal ?? null);
}

export interface UploadRequest {
  threadId: string;
  elementId: string;
  forId: string;
  file: Blob & { name: string };
  mime: string;
  /** 0…1, as the bytes leave the browser. */
  onProgress?: (fraction: number) => void;
}

/** POSTs the raw bytes to the upload route; resolves with the `element` it answers 201 with. */
export function uploadFile<E = unknown>(request: UploadRequest): { promise: Promise<E>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const params = new URLSearchParams({ elementId: request.elementId, forId: request.forId, name: request.file.name });
  const promise = new Promise<E>((resolve, reject) => {
    xhr.open("POST", `/api/threads/${encodeURIComponent(request.threadId)}/elements?${params}`);
    xhr.setRequestHeader("Content-Type", request.mime);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) request.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { element?: E } | null;
      if (xhr.status === 201 && body?.element) resolve(body.element);
      else reject(refusedUpload(xhr));
    };
    xhr.onerror = () => reject(new UploadError(0, "network error"));
    xhr.onabort = () => reject(new UploadError(0, "aborted", true));
    xhr.send(request.file);
  });
  return { promise, abort: () => xhr.abort() };
}

/**
 * A v4 UUID. crypto.randomUUID exists only in secure contexts (https, localhost): an app served over plain http
 * on a LAN address would have none, while getRandomValues works everywhere.
 */
export function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
