/**
 * `npx tsx scripts/bench-client-cpu.ts`: the client's CPU per DynamoDB request, the app's client (createDynamoClient,
 * with its own HTTP handler) against the SDK's default one, measured in one process in alternating blocks so both
 * see the same machine load (bench/README.md, "Per-request cost"). dynalite runs in its own process, so its CPU is
 * not counted. Prints the minimum and the median over the blocks, per request.
 */
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ensureTable } from "../src/data";
import { createDynamoClient, dynamoSettings } from "../src/data";
import { startBenchDynamo } from "./bench-dynamo-server";
import { LOCAL_AWS_CREDENTIALS } from "./local-services";

const BLOCK = 400;
const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 8);
const TableName = "client-cpu";

function operations(client: DynamoDBClient): Record<string, () => Promise<unknown>> {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
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
  const clients = {
    "SDK handler": new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS }),
    "app's handler": createDynamoClient(
      dynamoSettings({
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      }),
    ),
  };
  await ensureTable(clients["SDK handler"], TableName);
  const ops = Object.fromEntries(Object.entries(clients).map(([name, client]) => [name, operations(client)]));
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
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
