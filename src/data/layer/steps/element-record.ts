/**
 * Writing down on an element item something made from its file (a share copy, a preview), on the condition that the
 * item still names that very file: an element deleted or re-created meanwhile gets no record, and the maker deletes
 * what it made.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { isConditionalCheckFailed } from "../../errors";
import { elementSk, threadPk } from "../../keys";
import { type LayerContext } from "../context";

/** False when the item no longer names `objectKey` (gone, or another file now). */
export async function recordOnElement(ctx: LayerContext, element: { threadId: string; id: string }, objectKey: string, attribute: string, value: string): Promise<boolean> {
  try {
    await ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { PK: threadPk(element.threadId), SK: elementSk(element.id) },
        UpdateExpression: "SET #attribute = :value",
        ConditionExpression: "#source = :source",
        ExpressionAttributeNames: { "#attribute": attribute, "#source": "objectKey" },
        ExpressionAttributeValues: { ":value": value, ":source": objectKey },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
