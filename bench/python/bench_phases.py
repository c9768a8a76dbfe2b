"""
The Python half of `npm run bench -- --python` (scripts/bench/python.ts starts it; bench/README.md says how to read
the table). It runs the same workload as the TypeScript bench, phase by phase, through `chainlit_requests.py`, against
the dynalite the TypeScript bench started, so the two alternate in one session on one emulator.

Protocol: one JSON object per line on stdin, `{"phase": NAME}`; one per line on stdout in answer, with the phase's
latencies (nearest-rank percentiles, as the TypeScript bench), throughput, DynamoDB requests per call (counted by a
botocore `before-send` hook: one per HTTP attempt, retries included) and this process's CPU per request. The
process keeps what earlier phases wrote (users, threads, steps) for the later ones, under its own `py-` keys.

Usage: python3 bench/python/bench_phases.py ENDPOINT TABLE
"""
from __future__ import annotations

import json
import math
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from chainlit_requests import ChainlitRequests, make_client

LOREM = "The quarterly figures show steady growth across regions, with the strongest gains where the team invested in onboarding. "
TYPES = ["user_message", "run", "llm", "assistant_message"]


def step(thread_id: str, i: int) -> dict:
    """The TypeScript bench's step, as Chainlit's Step.to_dict() shapes it (19 keys, ≈0.8 KB)."""
    kind = TYPES[i % 4]
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    return {
        "id": str(uuid.uuid4()), "threadId": thread_id, "name": "alice" if kind == "user_message" else "Assistant", "type": kind,
        "parentId": None, "streaming": False, "metadata": {}, "tags": None,
        "input": LOREM[:55] if kind in ("run", "llm") else "", "isError": False,
        "output": LOREM[:55] if kind == "user_message" else (LOREM * 4)[:440],
        "createdAt": now, "start": now, "end": now, "language": None, "defaultOpen": False, "autoCollapse": False,
        "showInput": "json", "generation": None,
    }


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[max(1, math.ceil(p / 100 * len(sorted_values))) - 1]


def round_rate(per_second: float) -> float:
    """As the TypeScript bench: whole numbers, one decimal below 100 per second."""
    return round(per_second, 1) if per_second < 100 else round(per_second)


class Counter:
    def __init__(self, client):
        self.requests = 0
        self._lock = threading.Lock()
        client.meta.events.register("before-send.dynamodb", self._count)

    def _count(self, **_):
        with self._lock:
            self.requests += 1


class Workload:
    """The TypeScript bench's phases, in its order, each a (calls, concurrency, call(i)) triple."""

    def __init__(self, layer: ChainlitRequests):
        self.layer = layer
        self.threads_of_0: list[str] = []
        self.steps_a: list[dict] = []
        self.long = {k: str(uuid.uuid4()) for k in "abc"}

    def warm(self):
        """200 calls of every operation on throwaway keys, as the TypeScript bench warms its own."""
        layer, thread = self.layer, str(uuid.uuid4())
        layer.update_thread(thread, name="warm", user_id="py-warm")
        steps = [step(thread, i) for i in range(200)]
        for i in range(200):
            layer.create_user(f"py-warm-{i}@example.com", {})
            layer.get_user(f"py-warm-{i}@example.com")
            layer.update_thread(f"py-warm-{i}", name="warm", user_id="py-warm")
            layer.create_step(steps[i])
            layer.update_step({"id": steps[i]["id"], "threadId": thread, "end": steps[i]["end"]})
            layer.upsert_feedback(thread, steps[i]["id"], i % 2, None)
            layer.get_thread_author(thread)
            layer.list_threads("py-warm")
            if i % 20 == 0:
                layer.get_thread(thread)
        layer.delete_thread(thread)

    def phase(self, name: str):
        layer = self.layer
        user = lambda i: f"py-user-{i}@example.com"  # noqa: E731
        if name == "createUser" or name == "createUser (returning user)":
            return 1000, 1, lambda i: layer.create_user(user(i), {"team": "bench", "plan": "pro"})
        if name == "getUser":
            return 1000, 1, lambda i: layer.get_user(user(i))
        if name == "updateThread (create)":
            def create(i):
                thread_id = str(uuid.uuid4())
                if i % 10 == 0:
                    self.threads_of_0.append(thread_id)
                layer.update_thread(thread_id, name=f"Thread {i}: {LOREM[:38]}", user_id=user(i % 10))
            return 10_000, 1, create
        if name == "listThreads first page":
            return 1000, 1, lambda i: layer.list_threads(user(0))
        if name == "listThreads traversal (1,000 threads, first=20)":
            def traverse(i):
                cursor = None
                while True:
                    page = layer.list_threads(user(0), cursor)
                    if not page["hasNextPage"]:
                        return
                    cursor = page["endCursor"]
            return 10, 1, traverse
        if name == "createStep sequential":
            for thread_id in self.long.values():
                layer.update_thread(thread_id, name="Long thread", user_id="py-steps@example.com")
            self.steps_a = [step(self.long["a"], i) for i in range(2000)]
            return 2000, 1, lambda i: layer.create_step(self.steps_a[i])
        if name == "createStep 32 concurrent":
            return 2000, 32, lambda i: layer.create_step(step(self.long["b"], i))
        if name == "upsertFeedback":
            a = self.long["a"]
            return 1000, 1, lambda i: layer.upsert_feedback(a, self.steps_a[i]["id"], i % 2, "noted" if i % 3 == 0 else None)
        if name == "updateStep":
            a = self.long["a"]
            return 1000, 1, lambda i: layer.update_step({"id": self.steps_a[i]["id"], "threadId": a, "end": datetime.now(timezone.utc).isoformat()})
        if name == "getThreadAuthor":
            return 1000, 1, lambda i: layer.get_thread_author(self.long["a"])
        if name == "getThread (2,000 steps)":
            return 30, 1, lambda i: layer.get_thread(self.long["a"])
        if name == "deleteThread (2,000 steps)":
            for i in range(2000):
                layer.create_step(step(self.long["c"], i))
            ids = list(self.long.values())
            return 3, 1, lambda i: layer.delete_thread(ids[i])
        raise ValueError(f"unknown phase {name!r}")


def time_calls(count: int, concurrency: int, call) -> tuple[list[float], float]:
    latencies = [0.0] * count

    def one(i: int):
        started = time.perf_counter()
        call(i)
        latencies[i] = (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    if concurrency == 1:
        for i in range(count):
            one(i)
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(count)))
    return latencies, (time.perf_counter() - started) * 1000


def main():
    endpoint, table = sys.argv[1], sys.argv[2]
    client = make_client(endpoint)
    counter = Counter(client)
    workload = Workload(ChainlitRequests(client, table))
    for line in sys.stdin:
        name = json.loads(line)["phase"]
        if name == "warm":
            workload.warm()
            print(json.dumps({"phase": "warm"}), flush=True)
            continue
        count, concurrency, call = workload.phase(name)
        requests_before, cpu_before = counter.requests, time.process_time()
        latencies, wall_ms = time_calls(count, concurrency, call)
        requests = counter.requests - requests_before
        cpu_ms = (time.process_time() - cpu_before) * 1000
        latencies.sort()
        print(json.dumps({
            "phase": name,
            "calls": count,
            "p50Ms": round(percentile(latencies, 50), 3),
            "p95Ms": round(percentile(latencies, 95), 3),
            "p99Ms": round(percentile(latencies, 99), 3),
            "opsPerSec": round_rate(count / wall_ms * 1000),
            "requestsPerCall": round(requests / count, 3),
            "clientCpuMsPerRequest": round(cpu_ms / max(1, requests), 3),
        }), flush=True)


if __name__ == "__main__":
    main()
