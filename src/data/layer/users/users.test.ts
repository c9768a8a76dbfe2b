import { beforeAll, describe, expect, it } from "vitest";
import { isDataError } from "../../errors";
import { directSenderOf } from "../../dynamo/dynamo-direct";
import { chainlitCreateUser, countOf, testTable, uid, type TestTable } from "../../../../test/data-fixtures";

let table: TestTable;
beforeAll(async () => {
  table = await testTable();
});

/** Counts waits: a request sent while none is in flight starts a round trip (requests side by side share one). */
function roundTrips() {
  let trips = 0;
  let inFlight = 0;
  const stop = directSenderOf(table.client)!.intercept(async (_attempt, next) => {
    if (inFlight++ === 0) trips++;
    try {
      return await next();
    } finally {
      inFlight--;
    }
  });
  return { stop: () => (stop(), trips) };
}

class ProcessStopped extends Error {}

/**
 * Runs `loser`'s createUser as if its process stopped at `stopAt`: its alias PutItem never sent (once the USER and AUTH
 * PutItems beside it have landed), or its cleanup never sent. `beforeAlias` runs just before the alias PutItem goes
 * out, to let a case twin in first.
 */
async function createUserThatStops(loser: string, stopAt: "alias" | "cleanup", beforeAlias: () => Promise<unknown> = async () => {}) {
  const aliasPk = `USERALIAS#${loser.toLowerCase()}`;
  const itemsLanding: Promise<unknown>[] = [];
  let bothSent = () => {};
  const sent = new Promise<void>((resolve) => (bothSent = resolve));
  const stopIntercepting = directSenderOf(table.client)!.intercept(async ({ operation, input }, next) => {
    const item = (input as { Item?: Record<string, { S?: string }> }).Item;
    const key = (input as { Key?: Record<string, { S?: string }> }).Key;
    if (operation === "PutItem" && item?.PK?.S === `USER#${loser}`) {
      const landing = next();
      if (itemsLanding.push(landing.catch(() => undefined)) === 2) bothSent();
      return landing;
    }
    if (operation === "PutItem" && item?.PK?.S === aliasPk && item.identifier?.S === loser) {
      if (stopAt === "alias") {
        await sent;
        await Promise.all(itemsLanding);
        throw new ProcessStopped();
      }
      await beforeAlias();
    }
    if (stopAt === "cleanup" && operation === "DeleteItem" && key?.PK?.S === `USER#${loser}`) throw new ProcessStopped();
    return next();
  });
  try {
    await expect(table.layer().createUser({ identifier: loser, displayName: "Loser" })).rejects.toBeInstanceOf(ProcessStopped);
  } finally {
    stopIntercepting();
  }
}

const userItem = (identifier: string) => table.plain(`USER#${identifier}`, "USER");
const authItem = (identifier: string) => table.plain(`USER#${identifier}`, "AUTH");
const aliasItem = (identifier: string) => table.plain(`USERALIAS#${identifier.toLowerCase()}`, "ALIAS");

describe("users", () => {
  it("createUser writes Chainlit's user item, Threadbook's AUTH item and the alias, and never resets them", async () => {
    let now = new Date("2026-01-01T00:00:00.000Z");
    const layer = table.layer({ clock: () => now });
    const identifier = uid("Ada-");
    const trips = roundTrips();
    const first = await countOf(table, () => layer.createUser({ identifier, displayName: "Ada", metadata: { role: "admin" } }));
    // The read, then the alias, USER and AUTH items side by side: three conditional PutItems in one round trip.
    expect(first.byOperation).toEqual({ BatchGetItemCommand: 1, PutItemCommand: 3 });
    expect(trips.stop()).toBe(2);
    expect(first.result).toEqual({ id: identifier, identifier, displayName: "Ada", createdAt: "2026-01-01T00:00:00.000000Z", metadata: { role: "admin" } });

    now = new Date("2026-02-01T00:00:00.000Z");
    const again = await countOf(table, () => layer.createUser({ identifier, displayName: "Other", metadata: { role: "user" } }));
    expect(again.byOperation).toEqual({ BatchGetItemCommand: 1 });
    expect(again.result).toEqual(first.result);

    // The user item is exactly Chainlit's shape: nothing of Threadbook's on it.
    expect(await table.raw(`USER#${identifier}`, "USER")).toEqual({
      PK: { S: `USER#${identifier}` },
      SK: { S: "USER" },
      id: { S: identifier },
      identifier: { S: identifier },
      createdAt: { S: "2026-01-01T00:00:00.000000Z" },
      metadata: { M: { role: { S: "admin" } } },
    });
    // aliasBound: this user exists only while the alias names them (see the case-twin tests below).
    expect(await authItem(identifier)).toEqual({
      PK: `USER#${identifier}`,
      SK: "AUTH",
      identifier,
      displayName: "Ada",
      sessionVersion: expect.any(String),
      aliasBound: "2026-01-01T00:00:00.000000Z",
    });
    expect(await aliasItem(identifier)).toEqual({ PK: `USERALIAS#${identifier.toLowerCase()}`, SK: "ALIAS", identifier });
  });

  it("Chainlit's create_user (a PutItem of the whole user item) leaves the password and display name alone", async () => {
    const layer = table.layer();
    const identifier = uid("wipe-");
    await layer.createUser({ identifier, displayName: "Grace Hopper" });
    await layer.setUserPassword(identifier, "scrypt$kept");
    const version = await layer.getSessionVersion(identifier);

    await chainlitCreateUser(table, identifier, { provider: { S: "credentials" } });

    expect(await layer.getUserAuth(identifier)).toEqual({ identifier, passwordHash: "scrypt$kept", displayName: "Grace Hopper", sessionVersion: version });
    expect(await layer.getUser(identifier)).toEqual({
      id: identifier,
      identifier,
      displayName: "Grace Hopper",
      createdAt: "2025-05-06T07:08:09.123456Z",
      metadata: { provider: "credentials" },
    });
  });

  it("createUser on a user Chainlit made keeps Chainlit's item as it was and adds only Threadbook's items", async () => {
    const layer = table.layer();
    const identifier = uid("Chainlit.User-");
    await chainlitCreateUser(table, identifier, { provider: { S: "github" }, image: { S: "https://avatars.example/u.png" } });
    const before = await table.raw(`USER#${identifier}`, "USER");

    const user = await layer.createUser({ identifier, displayName: "From OAuth", metadata: { provider: "oidc" } });
    expect(user).toEqual({
      id: identifier,
      identifier,
      displayName: "From OAuth",
      createdAt: "2025-05-06T07:08:09.123456Z",
      metadata: { provider: "github", image: "https://avatars.example/u.png" },
    });
    expect(await table.raw(`USER#${identifier}`, "USER")).toEqual(before);
    expect(await aliasItem(identifier)).toMatchObject({ identifier });
  });

  it("a Chainlit create_user landing between createUser's read and its write keeps Chainlit's item", async () => {
    const layer = table.layer();
    const identifier = uid("Race-");
    // Chainlit's PutItem of the whole user item arrives just before Threadbook's conditional PutItem of it.
    let raced = false;
    const stopIntercepting = directSenderOf(table.client)!.intercept(async ({ input }, next) => {
      const item = (input as { Item?: Record<string, { S?: string }> }).Item;
      if (!raced && item?.PK?.S === `USER#${identifier}` && item.SK?.S === "USER") {
        raced = true;
        await chainlitCreateUser(table, identifier, { provider: { S: "github" } });
      }
      return next();
    });
    try {
      const made = await countOf(table, () => layer.createUser({ identifier, displayName: "Late", metadata: { provider: "oidc" } }));
      expect(made.result).toEqual({ id: identifier, identifier, displayName: "Late", createdAt: "2025-05-06T07:08:09.123456Z", metadata: { provider: "github" } });
    } finally {
      stopIntercepting();
    }
    expect(await userItem(identifier)).toEqual({ PK: `USER#${identifier}`, SK: "USER", id: identifier, identifier, createdAt: "2025-05-06T07:08:09.123456Z", metadata: { provider: "github" } });
  });

  it("getUser finds a Chainlit user by exact identifier and gives it its AUTH item and alias the first time", async () => {
    const layer = table.layer();
    expect(await layer.getUser(uid("nobody-"))).toBeNull();
    const identifier = uid("Erin.Walsh-");
    await chainlitCreateUser(table, identifier, { provider: { S: "github" } }, "2025-01-01T10:00:00.000000Z");
    // Before Threadbook has seen her, only the exact identifier finds her.
    expect(await layer.findUser(identifier.toLowerCase())).toBeNull();

    const first = await countOf(table, () => layer.getUser(identifier));
    expect(first.result).toEqual({ id: identifier, identifier, createdAt: "2025-01-01T10:00:00.000000Z", metadata: { provider: "github" } });
    expect(first.byOperation).toEqual({ BatchGetItemCommand: 1, PutItemCommand: 2 });
    const again = await countOf(table, () => layer.getUser(identifier));
    expect(again.count).toBe(1);
    expect(again.result).toEqual(first.result);

    expect((await layer.findUser(identifier.toUpperCase()))?.identifier).toBe(identifier);
    expect((await layer.getUserAuth(identifier.toLowerCase()))?.identifier).toBe(identifier);
  });

  it("keeps identifiers as given and finds them in any case; a case variant never becomes a second user", async () => {
    const layer = table.layer();
    const identifier = `Erin.Walsh-${uid()}@Contoso.com`;
    await layer.createUser({ identifier, displayName: "Erin" });
    for (const typed of [identifier, identifier.toLowerCase(), identifier.toUpperCase()]) {
      expect((await layer.findUser(typed))?.identifier, typed).toBe(identifier);
      const read = await countOf(table, () => layer.getUserAuth(typed));
      expect(read.result?.identifier).toBe(identifier);
      expect(read.count, typed).toBe(typed === identifier ? 1 : 2);
    }
    const variant = await layer.createUser({ identifier: identifier.toLowerCase(), displayName: "Impostor" });
    expect(variant).toMatchObject({ identifier, displayName: "Erin" });
    expect(await userItem(identifier.toLowerCase())).toBeUndefined();
    expect(await authItem(identifier.toLowerCase())).toBeUndefined();
    // getUser is Chainlit's exact lookup.
    expect(await layer.getUser(identifier.toLowerCase())).toBeNull();
  });

  it("concurrent creates of one identifier in different cases make exactly one user", async () => {
    const layer = table.layer();
    const base = `dana-${uid()}@example.com`;
    const variants = [base, base.toUpperCase(), `Dana-${base.slice(5)}`, base, `DANA-${base.slice(5)}`, base.toUpperCase()];
    const results = await Promise.all(variants.map((identifier, i) => layer.createUser({ identifier, displayName: `Name ${i}` })));
    const winner = results[0]!.identifier;
    expect(results.every((user) => user.identifier === winner && user.createdAt === results[0]!.createdAt)).toBe(true);
    const distinct = [...new Set(variants)];
    const stored = await Promise.all(distinct.map(async (identifier) => ((await userItem(identifier)) ? identifier : null)));
    expect(stored.filter(Boolean)).toEqual([winner]);
    const auths = await Promise.all(distinct.map(async (identifier) => ((await authItem(identifier)) ? identifier : null)));
    expect(auths.filter(Boolean)).toEqual([winner]);
    expect(await aliasItem(base)).toMatchObject({ identifier: winner });
  });

  it("a case twin that lost the alias and stopped before cleaning up is no user: every read removes it (hostile)", async () => {
    const layer = table.layer();
    const winner = `dana-${uid()}@example.com`;
    const loser = `Dana-${winner.slice(5)}`;
    // The loser's USER and AUTH land, the winner's createUser completes, then the loser's alias put is refused and its
    // process stops before removing what it wrote.
    await createUserThatStops(loser, "cleanup", () => layer.createUser({ identifier: winner, displayName: "Winner" }));
    expect(await authItem(loser)).toMatchObject({ aliasBound: expect.any(String) });
    expect(await userItem(loser)).toMatchObject({ identifier: loser });

    // Sign-in as the loser's exact identifier signs in as the winner; Chainlit's exact lookup finds nobody.
    expect((await layer.getUserAuth(loser))?.identifier).toBe(winner);
    expect(await userItem(loser)).toBeUndefined();
    expect(await authItem(loser)).toBeUndefined();
    expect(await layer.getUser(loser)).toBeNull();
    expect(await layer.createUser({ identifier: loser })).toMatchObject({ identifier: winner, displayName: "Winner" });
    await expect(layer.setUserPassword(loser, "scrypt$x")).rejects.toSatisfy((e) => isDataError(e, "not_found"));
    expect(await userItem(loser)).toBeUndefined();
    expect(await authItem(loser)).toBeUndefined();
  });

  it("a new user whose alias put never landed: a case twin created meanwhile wins, the stranded items go (hostile)", async () => {
    const layer = table.layer();
    const stranded = `Erin-${uid()}@example.com`;
    await createUserThatStops(stranded, "alias");
    expect(await aliasItem(stranded)).toBeUndefined();
    expect(await authItem(stranded)).toMatchObject({ aliasBound: expect.any(String) });

    const twin = stranded.toLowerCase();
    expect(await layer.createUser({ identifier: twin })).toMatchObject({ identifier: twin });
    for (const read of [() => layer.getUserAuth(stranded), () => layer.findUser(stranded)]) expect((await read())?.identifier).toBe(twin);
    expect(await layer.getUser(stranded)).toBeNull();
    expect(await userItem(stranded)).toBeUndefined();
    expect(await authItem(stranded)).toBeUndefined();
  });

  it("a new user whose alias put never landed, with no twin: the next read claims the alias and the user stands", async () => {
    const layer = table.layer();
    const stranded = `Finn-${uid()}@example.com`;
    await createUserThatStops(stranded, "alias");
    const version = (await authItem(stranded))?.sessionVersion;
    expect(await layer.getUserAuth(stranded.toUpperCase())).toBeNull(); // no alias yet: only the exact identifier finds them
    expect(await layer.getUserAuth(stranded)).toMatchObject({ identifier: stranded, displayName: "Loser", sessionVersion: version });
    expect(await aliasItem(stranded)).toMatchObject({ identifier: stranded });
    expect((await layer.getUserAuth(stranded.toUpperCase()))?.identifier).toBe(stranded);
    expect(await layer.createUser({ identifier: stranded.toLowerCase() })).toMatchObject({ identifier: stranded });
  });

  it("Chainlit's create_user over a stranded loser's USER item keeps Chainlit's user; only the loser's AUTH goes", async () => {
    const layer = table.layer();
    const winner = `gus-${uid()}@example.com`;
    const loser = `Gus-${winner.slice(4)}`;
    await createUserThatStops(loser, "cleanup", () => layer.createUser({ identifier: winner }));
    const strandedVersion = (await authItem(loser))?.sessionVersion;
    // A Chainlit login of exactly that identifier: its PutItem of the whole USER item, as Chainlit's create_user writes it.
    await chainlitCreateUser(table, loser, { provider: { S: "github" } });
    const chainlitUser = await table.raw(`USER#${loser}`, "USER");

    // Chainlit made that user, so it is a case twin Chainlit made: kept, as docs/data-layer.md "Users" says of those.
    expect(await layer.getUser(loser)).toMatchObject({ identifier: loser, createdAt: "2025-05-06T07:08:09.123456Z", metadata: { provider: "github" } });
    expect(await table.raw(`USER#${loser}`, "USER")).toEqual(chainlitUser);
    const auth = await authItem(loser);
    expect(auth?.sessionVersion).not.toBe(strandedVersion);
    expect(auth).not.toHaveProperty("aliasBound");
    expect(auth).not.toHaveProperty("displayName");
    expect(await aliasItem(loser)).toMatchObject({ identifier: winner });
  });

  it("Chainlit's create_user over a user Threadbook created keeps them signed in (the alias still names them)", async () => {
    const layer = table.layer();
    const identifier = `Hal-${uid()}@example.com`;
    await layer.createUser({ identifier, displayName: "Hal" });
    const version = await layer.getSessionVersion(identifier);
    await chainlitCreateUser(table, identifier, { provider: { S: "credentials" } });
    for (const typed of [identifier, identifier.toLowerCase()]) {
      expect(await layer.getUserAuth(typed)).toMatchObject({ identifier, displayName: "Hal", sessionVersion: version });
    }
    expect(await layer.getUser(identifier)).toMatchObject({ identifier, metadata: { provider: "credentials" } });
  });

  it("moves what older versions kept on the user item into AUTH on first read, once, under concurrent readers", async () => {
    const layer = table.layer();
    const identifier = uid("legacy-");
    await table.putRaw({
      PK: { S: `USER#${identifier}` },
      SK: { S: "USER" },
      id: { S: identifier },
      identifier: { S: identifier },
      createdAt: { S: "2025-01-01T00:00:00.000Z" },
      metadata: { M: {} },
      displayName: { S: "Legacy Name" },
      passwordHash: { S: "scrypt$legacy" },
    });
    // Not yet seen, so found by its exact identifier only (no alias yet).
    const reads = await Promise.all([...Array(6)].map(() => layer.getUserAuth(identifier)));
    expect(new Set(reads.map((auth) => auth?.sessionVersion)).size).toBe(1);
    expect(reads.every((auth) => auth?.passwordHash === "scrypt$legacy" && auth.displayName === "Legacy Name" && auth.identifier === identifier)).toBe(true);
    expect(await authItem(identifier)).toMatchObject({ passwordHash: "scrypt$legacy", displayName: "Legacy Name" });
    const user = await userItem(identifier);
    expect(user).not.toHaveProperty("passwordHash");
    expect(user).not.toHaveProperty("displayName");
    expect(await layer.getUser(identifier)).toMatchObject({ displayName: "Legacy Name" });
    expect(await layer.ensureUserAuth(identifier)).toEqual({ auth: "present", alias: "present" });
  });

  it("ensureUserAuth (for the doctor) creates or migrates what is missing and says so", async () => {
    const layer = table.layer();
    expect(await layer.ensureUserAuth(uid("nobody-"))).toBeNull();
    const plain = uid("Plain-");
    await chainlitCreateUser(table, plain);
    expect(await layer.ensureUserAuth(plain)).toEqual({ auth: "created", alias: "created" });
    expect(await layer.ensureUserAuth(plain)).toEqual({ auth: "present", alias: "present" });

    const legacy = uid("old-");
    await chainlitCreateUser(table, legacy);
    await table.putRaw({ ...(await table.raw(`USER#${legacy}`, "USER"))!, passwordHash: { S: "scrypt$x" } });
    expect(await layer.ensureUserAuth(legacy)).toEqual({ auth: "migrated", alias: "created" });

    // Two users Chainlit made that differ only in case: each keeps their own items; the alias names the first seen.
    const twin = plain.toUpperCase();
    await chainlitCreateUser(table, twin);
    expect(await layer.ensureUserAuth(twin)).toEqual({ auth: "created", alias: "other" });
    expect((await layer.findUser(twin))?.identifier).toBe(twin);
    expect((await layer.findUser(plain.toLowerCase()))?.identifier).toBe(plain);
  });

  it("a password change and a revocation each give a new session version; removal leaves none", async () => {
    const layer = table.layer();
    const identifier = uid("Sv-");
    await expect(layer.setUserPassword(identifier, "hash")).rejects.toSatisfy((e) => isDataError(e, "not_found"));
    expect(await layer.revokeUserSessions(identifier)).toBe(false);
    expect(await userItem(identifier)).toBeUndefined();
    expect(await authItem(identifier)).toBeUndefined();
    expect(await layer.getUserAuth(identifier)).toBeNull();

    await layer.createUser({ identifier });
    const created = await layer.getSessionVersion(identifier);
    expect(created).toMatch(/^[\w-]{16}$/);
    await layer.setUserPassword(identifier, "scrypt$abc");
    const afterPassword = await layer.getSessionVersion(identifier);
    expect(afterPassword).not.toBe(created);
    expect(await layer.revokeUserSessions(identifier)).toBe(true);
    const afterRevoke = await layer.getSessionVersion(identifier);
    expect(afterRevoke).not.toBe(afterPassword);
    expect((await layer.getUserAuth(identifier))?.passwordHash).toBe("scrypt$abc");

    const read = await countOf(table, () => layer.getSessionVersion(identifier));
    expect(read.count).toBe(1);

    expect(await layer.deleteUser(identifier)).toBe(true);
    expect(await layer.deleteUser(identifier)).toBe(false);
    expect(await layer.getSessionVersion(identifier)).toBeNull();
    expect(await layer.getUser(identifier)).toBeNull();
    expect(await layer.findUser(identifier.toLowerCase())).toBeNull();
    expect(await aliasItem(identifier)).toBeUndefined();

    // Added again, the user gets a version no old token carries.
    await layer.createUser({ identifier });
    expect([created, afterPassword, afterRevoke]).not.toContain(await layer.getSessionVersion(identifier));
  });

  it("deleteUser leaves a case twin's alias alone", async () => {
    const layer = table.layer();
    const first = uid("Twin-");
    await layer.createUser({ identifier: first });
    const twin = first.toUpperCase();
    await chainlitCreateUser(table, twin);
    expect(await layer.deleteUser(twin)).toBe(true);
    expect(await aliasItem(first)).toMatchObject({ identifier: first });
    expect((await layer.findUser(first.toLowerCase()))?.identifier).toBe(first);
  });

  it("never returns the password hash from user reads", async () => {
    const layer = table.layer();
    const identifier = uid("pw-");
    await layer.createUser({ identifier });
    await layer.setUserPassword(identifier, "scrypt$abc");
    expect(await layer.getUser(identifier)).not.toHaveProperty("passwordHash");
    expect(await layer.findUser(identifier)).not.toHaveProperty("passwordHash");
    expect(await layer.createUser({ identifier })).not.toHaveProperty("passwordHash");
    expect((await layer.listUsers()).find((u) => u.identifier === identifier)).not.toHaveProperty("passwordHash");
  });

  it("listUsers returns users only, with their display names; deleteUser says whether one existed", async () => {
    const layer = table.layer();
    const a = uid("list-a-");
    const b = uid("list-b-");
    await layer.createUser({ identifier: a, displayName: "Alpha" });
    await layer.createUser({ identifier: b });
    await layer.updateThread(uid("t-"), { userId: a, name: "not a user" });
    const listed = await layer.listUsers();
    expect(listed.map((u) => u.identifier)).toEqual(expect.arrayContaining([a, b]));
    expect(listed.find((u) => u.identifier === a)?.displayName).toBe("Alpha");
    expect(listed.every((u) => typeof u.createdAt === "string" && !("name" in u))).toBe(true);
    expect(await layer.deleteUser(a)).toBe(true);
    expect(await layer.deleteUser(a)).toBe(false);
    expect(await layer.getUser(a)).toBeNull();
    expect((await layer.listUsers()).map((u) => u.identifier)).not.toContain(a);
  });

  it("rejects an invalid identifier as a validation error", async () => {
    await expect(table.layer().createUser({ identifier: "has#FEEDBACK#1" })).rejects.toSatisfy((e) => isDataError(e, "validation"));
  });
});

describe("identifiers and Threadbook's own partitions", () => {
  it("accepts an Entra guest UPN, with its '#EXT#', as a user and a thread owner", async () => {
    const layer = table.layer();
    const upn = `${uid("alice_contoso.com-")}#EXT#@fabrikam.onmicrosoft.com`;
    expect(await layer.createUser({ identifier: upn })).toMatchObject({ id: upn, identifier: upn });
    const threadId = uid("t-");
    await layer.updateThread(threadId, { userId: upn, name: "guest thread" });
    expect((await layer.listThreads({ first: 10 }, { userId: upn })).data.map((t) => t.id)).toEqual([threadId]);
  });

  it("refuses an identifier that would alias another user's feedback partition (hostile)", async () => {
    const layer = table.layer();
    const victim = uid("victim-");
    const threadId = uid("t-");
    await layer.updateThread(threadId, { userId: victim, name: "victim's secret" });
    const stepId = uid("s-");
    await layer.createStep({ id: stepId, threadId, type: "run", output: "answer" });
    await layer.upsertFeedback({ forId: stepId, threadId, value: 1 }, { threadUserId: victim });
    expect((await layer.listThreads({ first: 10 }, { userId: victim, feedback: 1 })).data.map((t) => t.id)).toEqual([threadId]);

    for (const alias of [`${victim}#FEEDBACK#1`, `${victim}#feedback#0`]) {
      await expect(layer.createUser({ identifier: alias })).rejects.toSatisfy((e) => isDataError(e, "validation"));
      expect(await table.raw(`USER#${alias}`, "USER")).toBeUndefined();
      // Even a session that somehow carried such an id reads nothing of the victim's.
      await expect(layer.listThreads({ first: 10 }, { userId: alias })).rejects.toSatisfy((e) => isDataError(e, "validation"));
      await expect(layer.updateThread(uid("t-"), { userId: alias, name: "x" })).rejects.toSatisfy((e) => isDataError(e, "validation"));
    }
  });
});
