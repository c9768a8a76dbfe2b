"""
The DynamoDB requests Chainlit's Python `DynamoDBDataLayer` sends, one function per operation, re-created with boto3.

This is NOT Chainlit's module (Chainlit cannot be installed on the bench machine): it is a re-creation of the request
pattern its layer issues, written for the side-by-side bench (bench/README.md, "Side by side with a boto3
re-creation of Chainlit's requests"). What is kept from Chainlit's layer, because it decides the cost per call:

- one synchronous boto3 DynamoDB client, default configuration (legacy retries, pool of 10), as Chainlit builds it;
- the same operations and the same number of requests per call: create_user is one unconditional PutItem of the
  whole USER item, update_thread and upsert_feedback one UpdateItem of `SET #k = :k` clauses, get_thread one Query
  per 1 MB page of the partition, delete_thread that read then 25-item BatchWriteItems one after another and the
  THREAD DeleteItem last;
- the same client-side work on every item: floats converted to Decimal before boto3's TypeSerializer on writes, and
  on reads boto3's TypeDeserializer then every Decimal turned back into a float (feedback values into ints), which
  is where Chainlit's get_thread spends much of its client CPU.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

USER_THREAD_LIMIT = 10  # Chainlit's default page size; the caller's `first` is not used
BATCH_SIZE = 25  # BatchWriteItem's limit


def make_client(endpoint: str):
    """The client as Chainlit makes it: boto3 defaults, only the endpoint and dummy keys for the local emulator."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _now() -> str:
    # Chainlit stamps its own items with the server's clock and a literal "Z"; the bench machine runs in UTC.
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat() + "Z"


def _to_decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_decimals(v) for v in value]
    return value


def _to_floats(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _to_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_floats(v) for v in value]
    return value


class ChainlitRequests:
    """Per operation, the requests of Chainlit's DynamoDB layer against `table`."""

    def __init__(self, client, table: str):
        self.client = client
        self.table = table
        self._ser = TypeSerializer()
        self._de = TypeDeserializer()

    def _marshal(self, item: dict) -> dict:
        return {k: self._ser.serialize(_to_decimals(v)) for k, v in item.items()}

    def _unmarshal(self, item: dict) -> dict:
        return {k: _to_floats(self._de.deserialize(v)) for k, v in item.items()}

    def _update(self, key: dict, fields: dict) -> None:
        """One UpdateItem of `SET #k = :k` per field that is not None (Chainlit's update helper)."""
        fields = {k: v for k, v in fields.items() if v is not None}
        self.client.update_item(
            TableName=self.table,
            Key=self._marshal(key),
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
            ExpressionAttributeNames={f"#{k}": k for k in fields},
            ExpressionAttributeValues={f":{k}": self._ser.serialize(_to_decimals(v)) for k, v in fields.items()},
        )

    # Users -------------------------------------------------------------------------------------------------------

    def create_user(self, identifier: str, metadata: dict) -> dict:
        """1 PutItem, unconditional: every login overwrites createdAt and metadata."""
        item = {"PK": f"USER#{identifier}", "SK": "USER", "id": identifier, "identifier": identifier, "metadata": metadata, "createdAt": _now()}
        self.client.put_item(TableName=self.table, Item=self._marshal(item))
        return {"id": identifier, "identifier": identifier, "metadata": metadata, "createdAt": item["createdAt"]}

    def get_user(self, identifier: str) -> dict | None:
        """1 GetItem (eventually consistent)."""
        out = self.client.get_item(TableName=self.table, Key=self._marshal({"PK": f"USER#{identifier}", "SK": "USER"}))
        return self._unmarshal(out["Item"]) if "Item" in out else None

    # Threads -----------------------------------------------------------------------------------------------------

    def update_thread(self, thread_id: str, name: str | None = None, user_id: str | None = None, metadata: dict | None = None, tags: list | None = None) -> None:
        """1 UpdateItem; moves the thread to the top of its user's index and replaces metadata (`{}` by default)."""
        ts = _now()
        fields = {"id": thread_id, "createdAt": ts, "name": name, "userId": user_id, "userIdentifier": user_id, "tags": tags, "metadata": metadata or {}}
        if user_id:
            fields["UserThreadPK"] = f"USER#{user_id}"
        fields["UserThreadSK"] = f"TS#{ts}"
        self._update({"PK": f"THREAD#{thread_id}", "SK": "THREAD"}, fields)

    def list_threads(self, user_id: str, cursor: str | None = None) -> dict:
        """1 Query of the UserThread index, newest first, always USER_THREAD_LIMIT rows; the cursor is the raw key."""
        query = {
            "TableName": self.table,
            "IndexName": "UserThread",
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": "UserThreadPK"},
            "ExpressionAttributeValues": {":pk": {"S": f"USER#{user_id}"}},
            "ScanIndexForward": False,
            "Limit": USER_THREAD_LIMIT,
        }
        if cursor:
            query["ExclusiveStartKey"] = json.loads(cursor)
        out = self.client.query(**query)
        rows = []
        for raw in out.get("Items", []):
            item = self._unmarshal(raw)
            rows.append({"id": item["PK"][len("THREAD#"):], "createdAt": item["UserThreadSK"][len("TS#"):], "name": item["name"]})
        last = out.get("LastEvaluatedKey")
        return {"data": rows, "hasNextPage": last is not None, "endCursor": json.dumps(last) if last else None}

    def get_thread_author(self, thread_id: str) -> str:
        """1 GetItem projecting userId."""
        out = self.client.get_item(
            TableName=self.table,
            Key=self._marshal({"PK": f"THREAD#{thread_id}", "SK": "THREAD"}),
            ProjectionExpression="userId",
        )
        return self._unmarshal(out["Item"])["userId"]

    def _partition(self, thread_id: str) -> list[dict]:
        """1 Query per 1 MB of the partition (eventually consistent), every item unmarshalled."""
        query = {
            "TableName": self.table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": "PK"},
            "ExpressionAttributeValues": {":pk": {"S": f"THREAD#{thread_id}"}},
        }
        items = []
        while True:
            out = self.client.query(**query)
            items.extend(self._unmarshal(raw) for raw in out.get("Items", []))
            if "LastEvaluatedKey" not in out:
                return items
            query["ExclusiveStartKey"] = out["LastEvaluatedKey"]

    def get_thread(self, thread_id: str) -> dict | None:
        items = self._partition(thread_id)
        thread = next((i for i in items if i["SK"] == "THREAD"), None)
        if thread is None:
            return None
        steps, elements = [], []
        for item in items:
            if item["SK"].startswith("STEP"):
                if "feedback" in item and isinstance(item["feedback"], dict) and "value" in item["feedback"]:
                    item["feedback"]["value"] = int(item["feedback"]["value"])
                steps.append(item)
            elif item["SK"].startswith("ELEMENT"):
                elements.append(item)
        steps.sort(key=lambda s: s.get("createdAt") or "")
        return {**thread, "steps": steps, "elements": elements}

    def delete_thread(self, thread_id: str) -> None:
        """The whole thread read, then its steps and elements 25 to a BatchWriteItem in sequence, THREAD last."""
        thread = self.get_thread(thread_id)
        if thread is None:
            return
        keys = [{"PK": f"THREAD#{thread_id}", "SK": i["SK"]} for i in thread["steps"] + thread["elements"]]
        for start in range(0, len(keys), BATCH_SIZE):
            requests = [{"DeleteRequest": {"Key": self._marshal(k)}} for k in keys[start:start + BATCH_SIZE]]
            pending = {self.table: requests}
            while pending:  # dynalite never returns unprocessed items; Chainlit backs off and retries them
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
        self.client.delete_item(TableName=self.table, Key=self._marshal({"PK": f"THREAD#{thread_id}", "SK": "THREAD"}))

    # Steps and feedback ------------------------------------------------------------------------------------------

    def create_step(self, step: dict) -> None:
        """1 PutItem of the whole step: a re-sent step loses its feedback."""
        item = {**step, "PK": f"THREAD#{step['threadId']}", "SK": f"STEP#{step['id']}"}
        self.client.put_item(TableName=self.table, Item=self._marshal(item))

    def update_step(self, step: dict) -> None:
        """1 UpdateItem SETting every field given."""
        self._update({"PK": f"THREAD#{step['threadId']}", "SK": f"STEP#{step['id']}"}, step)

    def upsert_feedback(self, thread_id: str, for_id: str, value: int, comment: str | None) -> str:
        """1 UpdateItem of the step's feedback map (no ownership check, no index)."""
        feedback_id = f"THREAD#{thread_id}::STEP#{for_id}"
        feedback = {"id": feedback_id, "forId": for_id, "value": value, "threadId": thread_id, "comment": comment}
        self._update({"PK": f"THREAD#{thread_id}", "SK": f"STEP#{for_id}"}, {"feedback": feedback})
        return feedback_id
