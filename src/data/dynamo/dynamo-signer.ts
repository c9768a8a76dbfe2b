/**
 * AWS Signature Version 4 for DynamoDB's JSON protocol, as the direct sender needs it: every request is a POST to
 * "/" with the same four headers, so the canonical request is a template with three blanks (date, target, body
 * hash). The signing key (four chained HMACs) changes once a day per secret and region: it is derived once and kept,
 * where the SDK's signer re-derives or looks it up through its own cache and builds the canonical request generically
 * (header sorting, URI escaping, query parsing) on every call.
 */
import { createHash, createHmac } from "node:crypto";
import type { AwsCredentialIdentity } from "@smithy/types";

const ALGORITHM = "AWS4-HMAC-SHA256";
const SERVICE = "dynamodb";
const CONTENT_TYPE = "application/x-amz-json-1.0";

export interface SignedHeaders {
  [header: string]: string;
}

/** `20261130T121212Z` and `20261130` for a time in milliseconds. */
export function amzDates(ms: number): { amzDate: string; day: string } {
  const iso = new Date(ms).toISOString(); // 2026-11-30T12:12:12.345Z
  const day = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
  return { amzDate: `${day}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`, day };
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

export class DynamoSigner {
  /** One key per (secret, day): a region is fixed per signer. A new day or rotated secret replaces it. */
  private cachedKey: { secret: string; day: string; key: Buffer } | undefined;

  constructor(
    private readonly region: string,
    /** `host` or `host:port`, exactly as the Host header is sent. */
    private readonly host: string,
  ) {}

  /** The headers of one request: the body's target operation, signed with these credentials at this time. */
  sign(operation: string, body: string, credentials: AwsCredentialIdentity, nowMs: number): SignedHeaders {
    const { amzDate, day } = amzDates(nowMs);
    const target = `DynamoDB_20120810.${operation}`;
    const token = credentials.sessionToken;
    const signedNames = token ? "content-type;host;x-amz-date;x-amz-security-token;x-amz-target" : "content-type;host;x-amz-date;x-amz-target";
    const canonical =
      `POST\n/\n\ncontent-type:${CONTENT_TYPE}\nhost:${this.host}\nx-amz-date:${amzDate}\n` +
      (token ? `x-amz-security-token:${token}\n` : "") +
      `x-amz-target:${target}\n\n${signedNames}\n${sha256Hex(body)}`;
    const scope = `${day}/${this.region}/${SERVICE}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
    const signature = createHmac("sha256", this.signingKey(credentials.secretAccessKey, day)).update(stringToSign).digest("hex");
    const headers: SignedHeaders = {
      host: this.host,
      "content-type": CONTENT_TYPE,
      "content-length": String(Buffer.byteLength(body)),
      "x-amz-date": amzDate,
      "x-amz-target": target,
      authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`,
    };
    if (token) headers["x-amz-security-token"] = token;
    return headers;
  }

  private signingKey(secret: string, day: string): Buffer {
    const cached = this.cachedKey;
    if (cached && cached.day === day && cached.secret === secret) return cached.key;
    const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.region), SERVICE), "aws4_request");
    this.cachedKey = { secret, day, key };
    return key;
  }
}
