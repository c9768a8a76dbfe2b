/**
 * `npx tsx scripts/bench/client-cpu.ts`: the client's CPU per DynamoDB request, three ways, measured in one process
 * in alternating blocks so all see the same machine load (bench/HISTORY.md, "Per-request cost"): the SDK's client on
 * its default handler, the SDK's client on the app's handler (the SDK's middleware stack), and the data layer's
 * document client on createDynamoClient (the direct sender, src/data/dynamo/dynamo-direct.ts). dynalite runs in its own
 * process, so its CPU is not counted. Prints the minimum and the median over the blocks, per request; then the CPU
 * of one SigV4 signature, the SDK's signer against the direct sender's.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ensureTable } from "../../src/data";
import { createDynamoClient, dynamoSettings } from "../../src/data";
import { createDocumentClient } from "../../src/data/dynamo/document-client";
import { DynamoSigner } from "../../src/data/dynamo/dynamo-signer";
import { startBenchDynamo } from "./dynamo-server";
import { LOCAL_AWS_CREDENTIALS } from "../local-services";
import { NodeSha256 } from "../node-sha256";

const BLOCK = 400;
const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 8);
const TableName = "client-cpu";

function operations(client: DynamoDBClient, doc: DynamoDBDocumentClient): Record<string, () => Promise<unknown>> {
  const Key = { PK: "THREAD#t", SK: "STEP#s" };
  return {
    "GetItem (low-level)": () => client.send(new GetItemCommand({ TableName, Key: { PK: { S: Key.PK }, SK: { S: Key.SK } } })),
    "GetItem (document)": () => doc.send(new GetCommand({ TableName, Key })),
    "PutItem (document, a step)": () =>
      doc.send(new PutCommand({ TableName, Item: { ...Key, id: "s", threadId: "t", type: "run", output: "x".repeat(440), metadata: {}, parentId: null } })),
    "UpdateItem (document)": () =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: "SET #o = :o, #e = :e",
          ExpressionAttributeNames: { "#o": "output", "#e": "end" },
          ExpressionAttributeValues: { ":o": "y".repeat(440), ":e": new Date().toISOString() },
        }),
      ),
  };
}

async function main() {
  const dynamo = await startBenchDynamo(0);
  const appClient = () =>
    createDynamoClient(
      dynamoSettings({
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      }),
    );
  const sdkDoc = (client: DynamoDBClient) => DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const clients = {
    "SDK handler": new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS }),
    "app's handler": appClient(),
    "direct sender": appClient(),
  };
  const docs = { "SDK handler": sdkDoc(clients["SDK handler"]), "app's handler": sdkDoc(clients["app's handler"]), "direct sender": createDocumentClient(clients["direct sender"]) };
  await ensureTable(clients["SDK handler"], TableName);
  const ops = Object.fromEntries(Object.entries(clients).map(([name, client]) => [name, operations(client, docs[name as keyof typeof docs])]));
  const samples = new Map<string, number[]>();
  // Round 0 warms every path up and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const op of Object.keys(ops["SDK handler"]!)) {
      for (const which of Object.keys(clients)) {
        const call = ops[which]![op]!;
        const before = process.cpuUsage();
        for (let i = 0; i < BLOCK; i++) await call();
        const used = process.cpuUsage(before);
        const key = `${op} | ${which}`;
        if (round > 0) samples.set(key, [...(samples.get(key) ?? []), (used.user + used.system) / 1000 / BLOCK]);
      }
    }
  }
  console.log("| request | client | min CPU ms/request | median CPU ms/request |\n|---|---|---:|---:|");
  for (const [key, values] of samples) {
    values.sort((a, b) => a - b);
    const [op, which] = key.split(" | ");
    console.log(`| ${op} | ${which} | ${values[0]!.toFixed(3)} | ${values[Math.floor(values.length / 2)]!.toFixed(3)} |`);
  }
  for (const client of Object.values(clients)) client.destroy();
  await dynamo.stop();
  await signingCost();
}

/** CPU of one signature of a GetItem body, each signer warm, in alternating blocks. */
async function signingCost() {
  const body = JSON.stringify({ TableName, Key: { PK: { S: "THREAD#t" }, SK: { S: "STEP#s" } } });
  const host = "dynamodb.us-east-1.amazonaws.com";
  const ours = new DynamoSigner("us-east-1", host);
  const sdk = new SignatureV4({ credentials: LOCAL_AWS_CREDENTIALS, region: "us-east-1", service: "dynamodb", sha256: NodeSha256 });
  const signers: Record<string, () => Promise<unknown>> = {
    "@smithy/signature-v4": () =>
      sdk.sign({ method: "POST", protocol: "https:", hostname: host, path: "/", query: {}, body, headers: { host, "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem" } }),
    "direct sender (node:crypto, key cached)": async () => ours.sign("GetItem", body, LOCAL_AWS_CREDENTIALS, Date.now()),
  };
  const perSign = new Map<string, number[]>();
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, sign] of Object.entries(signers)) {
      const before = process.cpuUsage();
      for (let i = 0; i < 2000; i++) await sign();
      const used = process.cpuUsage(before);
      if (round > 0) perSign.set(name, [...(perSign.get(name) ?? []), (used.user + used.system) / 2000]);
    }
  }
  console.log("\n| signer | min CPU µs/signature | median CPU µs/signature |\n|---|---:|---:|");
  for (const [name, values] of perSign) {
    values.sort((a, b) => a - b);
    console.log(`| ${name} | ${values[0]!.toFixed(1)} | ${values[Math.floor(values.length / 2)]!.toFixed(1)} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
