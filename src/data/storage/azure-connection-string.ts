/**
 * Reads `AccountName=…;AccountKey=…;BlobEndpoint=…` (or DefaultEndpointsProtocol + EndpointSuffix). Read URLs are SAS
 * tokens signed here with the account key, so a SAS-only connection string (no AccountKey) is refused up front.
 * Error messages never repeat the string: it holds the key.
 */
export interface AzureAccount {
  accountName: string;
  accountKey: string;
  /** e.g. `https://acct.blob.core.windows.net` or azurite's `http://127.0.0.1:10000/devstoreaccount1`; no trailing slash. */
  blobEndpoint: string;
}

/**
 * `UseDevelopmentStorage=true` means azurite on its default port with the emulator's well-known account. These are public
 * constants from Microsoft's azurite documentation, the same for every installation: not secrets.
 */
const DEVELOPMENT_STORAGE: AzureAccount = {
  accountName: "devstoreaccount1",
  accountKey: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
  blobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
};

export function defaultBlobEndpoint(accountName: string, protocol = "https", suffix = "core.windows.net"): string {
  return `${protocol}://${accountName}.blob.${suffix}`;
}

export function parseAzureConnectionString(connectionString: string): AzureAccount {
  // Split on the first "=" only: base64 account keys end in "=" padding.
  const fields = new Map<string, string>();
  for (const part of connectionString.split(";")) {
    const at = part.indexOf("=");
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const get = (name: string) => fields.get(name.toLowerCase()) || undefined;
  if (get("UseDevelopmentStorage")?.toLowerCase() === "true") return DEVELOPMENT_STORAGE;
  const accountName = get("AccountName");
  const accountKey = get("AccountKey");
  if (!accountName || !accountKey) {
    const missing = [!accountName && "AccountName", !accountKey && "AccountKey"].filter(Boolean).join(" and ");
    throw new Error(`the connection string has no ${missing} (read URLs are signed with the account key)`);
  }
  const blobEndpoint = get("BlobEndpoint") ?? defaultBlobEndpoint(accountName, get("DefaultEndpointsProtocol"), get("EndpointSuffix"));
  if (!/^https?:\/\/[^/]/.test(blobEndpoint)) throw new Error("the connection string's BlobEndpoint is not an http(s) URL");
  return { accountName, accountKey, blobEndpoint: blobEndpoint.replace(/\/+$/, "") };
}
