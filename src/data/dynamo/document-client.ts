/** The layer's document client: the SDK's, with the marshalling policy of dynamo/codec.ts, on the direct sender when the client has one. */
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { wrapNumber } from "./codec";
import { routeThroughDirectSender } from "./direct-commands";
import { directSenderOf } from "./dynamo-direct";

/**
 * `removeUndefinedValues`: optional fields left undefined are not written (null is written as NULL, as Chainlit
 * does for None). `convertClassInstanceToMap`: app code may put class instances in metadata; they are stored as maps
 * rather than failing the write.
 */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
    unmarshallOptions: { wrapNumbers: wrapNumber },
  });
  // A client made by createDynamoClient carries the direct sender: the common commands skip the SDK's stack.
  const direct = directSenderOf(client);
  if (direct) routeThroughDirectSender(doc, direct);
  return doc;
}

