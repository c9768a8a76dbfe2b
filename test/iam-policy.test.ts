/**
 * infra/iam-policy.json (the app's role) and infra/iam-policy-operator.json (`npm run doctor`, `npm run user list`)
 * against the AWS commands the code constructs: a command the policies lack fails here before it fails in production
 * with AccessDenied, and an action nothing sends any more fails too (the policies stay exact).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** The IAM actions each command needs (lib-dynamodb's document commands and the low-level ones alike). */
const ACTIONS: Record<string, string[]> = {
  GetCommand: ["dynamodb:GetItem"],
  GetItemCommand: ["dynamodb:GetItem"],
  PutCommand: ["dynamodb:PutItem"],
  PutItemCommand: ["dynamodb:PutItem"],
  UpdateCommand: ["dynamodb:UpdateItem"],
  UpdateItemCommand: ["dynamodb:UpdateItem"],
  DeleteCommand: ["dynamodb:DeleteItem"],
  DeleteItemCommand: ["dynamodb:DeleteItem"],
  QueryCommand: ["dynamodb:Query"],
  ScanCommand: ["dynamodb:Scan"],
  BatchGetCommand: ["dynamodb:BatchGetItem"],
  BatchGetItemCommand: ["dynamodb:BatchGetItem"],
  BatchWriteCommand: ["dynamodb:BatchWriteItem"],
  BatchWriteItemCommand: ["dynamodb:BatchWriteItem"],
  DescribeTableCommand: ["dynamodb:DescribeTable"],
  CreateTableCommand: ["dynamodb:CreateTable"],
  GetObjectCommand: ["s3:GetObject"],
  HeadObjectCommand: ["s3:GetObject"],
  PutObjectCommand: ["s3:PutObject"],
  DeleteObjectCommand: ["s3:DeleteObject"],
  // A server-side copy reads the source and writes the target (share links: "Continue in my history").
  CopyObjectCommand: ["s3:GetObject", "s3:PutObject"],
  HeadBucketCommand: ["s3:ListBucket"],
  // The orphan sweep's page of previews and share copies (src/data/layer/orphans/orphan-sweep.ts).
  ListObjectsCommand: ["s3:ListBucket"],
  CreateBucketCommand: ["s3:CreateBucket"],
  PutBucketCorsCommand: ["s3:PutBucketCORS"],
  // lib-storage: PutObject, or CreateMultipartUpload/UploadPart/CompleteMultipartUpload (s3:PutObject) and, on failure, AbortMultipartUpload.
  Upload: ["s3:PutObject", "s3:AbortMultipartUpload"],
};

/**
 * Commands only the embedded stack sends (`npm start` creates its table, bucket and CORS rule), never a deployment,
 * and the files that construct them.
 */
const EMBEDDED_ONLY: Record<string, string[]> = {
  CreateTableCommand: ["src/data/table.ts"],
  DescribeTableCommand: ["src/data/table.ts"],
  CreateBucketCommand: ["src/data/storage/s3-storage.ts"],
  PutBucketCorsCommand: ["src/data/storage/s3-storage.ts"],
};
/** Commands only the admin tools send, in these files (full scans: never on a request path). */
const OPERATOR_ONLY: Record<string, string[]> = {
  ScanCommand: ["src/data/layer/doctor.ts", "src/data/layer/users/users.ts"],
};

const TEST_ONLY = /\.test\.ts$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(entry.name) && !TEST_ONLY.test(entry.name) ? [file] : [];
  });
}

/** Every `new XxxCommand(` / `new Upload(` in the app's sources, with the files that construct it. */
function commandsInCode(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const file of sourceFiles("src")) {
    for (const [, name] of readFileSync(file, "utf8").matchAll(/\bnew\s+(\w+Command|Upload)\s*\(/g)) {
      if (!found.has(name!)) found.set(name!, new Set());
      found.get(name!)!.add(file);
    }
  }
  return found;
}

function policyActions(file: string): Set<string> {
  const policy = JSON.parse(readFileSync(file, "utf8")) as { Statement: { Effect: string; Action: string | string[] }[] };
  return new Set(policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

describe("IAM policies match the commands the code sends", () => {
  const code = commandsInCode();
  const app = policyActions("infra/iam-policy.json");
  const operator = policyActions("infra/iam-policy-operator.json");

  it("finds the commands (the scan itself works)", () => {
    expect(code.has("GetCommand")).toBe(true);
    expect(code.has("Upload")).toBe(true);
  });

  it("knows the IAM actions of every command in the code", () => {
    const unknown = [...code.keys()].filter((name) => !ACTIONS[name]);
    expect(unknown, "map each new command to its IAM actions in ACTIONS, then add them to infra/iam-policy.json").toEqual([]);
  });

  it("allows the app every action its commands need, and nothing else", () => {
    const runtime = [...code.keys()].filter((name) => !EMBEDDED_ONLY[name] && !OPERATOR_ONLY[name]);
    const needed = new Set(runtime.flatMap((name) => ACTIONS[name] ?? []));
    expect([...needed].filter((action) => !app.has(action)), "actions missing from infra/iam-policy.json").toEqual([]);
    expect([...app].filter((action) => !needed.has(action)), "actions in infra/iam-policy.json that no command needs").toEqual([]);
  });

  it("gives the admin tools' scans their own policy, and keeps them out of the app's", () => {
    const needed = new Set(Object.keys(OPERATOR_ONLY).filter((name) => code.has(name)).flatMap((name) => ACTIONS[name]!));
    expect([...operator].sort()).toEqual([...needed].sort());
    for (const action of operator) expect(app.has(action)).toBe(false);
  });

  it("sends the embedded-only and operator-only commands from their own files only", () => {
    for (const [name, files] of Object.entries({ ...EMBEDDED_ONLY, ...OPERATOR_ONLY })) {
      expect([...(code.get(name) ?? [])].filter((file) => !files.includes(file)), `${name} constructed elsewhere`).toEqual([]);
    }
  });
});
