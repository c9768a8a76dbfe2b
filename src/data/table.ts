import { CreateTableCommand, DescribeTableCommand, waitUntilTableExists, type CreateTableCommandInput, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import template from "../../infra/dynamodb-table.json" with { type: "json" };

/**
 * The table as `infra/dynamodb-table.json` defines it: the local stack, the tests and real AWS create the same thing
 * from the one template.
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  // TTL is a CloudFormation property, not a CreateTable parameter: on AWS the template enables it (rate counters
  // expire); dynalite has no TTL at all, and the layer compares expiries on read anyway (rate-counters.ts).
  const { TableName: _ignored, TimeToLiveSpecification: _ttl, ...properties } = template.Resources.ChatHistoryTable.Properties;
  return { ...(properties as Omit<CreateTableCommandInput, "TableName">), TableName: tableName };
}

/** Creates the table if it is missing; true if it was created. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
  }
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error) {
    // Another process created it between our describe and create.
    if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1 }, { TableName: tableName });
  return true;
}
