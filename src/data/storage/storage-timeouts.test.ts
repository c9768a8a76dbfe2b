/** A storage service that stops answering fails the call with a clear storage error once the timeouts run out. */
import { afterAll, describe, expect, inject, it } from "vitest";
import { azuriteConnectionString, LOCAL_AWS_CREDENTIALS } from "../../../scripts/local-services";
import { startFreezableProxy, type FreezableProxy } from "../../../test/freezable-proxy";
import { REGION } from "../../../test/harness";
import { getLogger } from "../logger";
import { createAzureStorage } from "./azure-storage";
import { createS3Storage } from "./s3-storage";
import { BACKENDS, freshStorage } from "../../../test/storage-backends";

getLogger("Storage").level = "silent";
const TIMEOUTS = { connectTimeoutMs: 500, requestTimeoutMs: 800, maxAttempts: 1 };
const proxies: FreezableProxy[] = [];
afterAll(() => Promise.all(proxies.map((p) => p.stop())));

describe.each(BACKENDS)("%s frozen", (backend) => {
  it("fails a read with an 'unreachable' storage error naming the container, and reads again once it answers", async () => {
    const direct = await freshStorage(backend);
    const name = "bucket" in direct ? direct.bucket : direct.container.containerName;
    await direct.uploadFile({ objectKey: "t/e/a.txt", data: "hello", mime: "text/plain" });
    const target = inject(backend === "s3" ? "s3Endpoint" : "azuriteEndpoint");
    const proxy = await startFreezableProxy(target);
    proxies.push(proxy);
    const viaProxy =
      backend === "s3"
        ? createS3Storage({ bucket: name, endpoint: proxy.endpoint, region: REGION, forcePathStyle: true, credentials: LOCAL_AWS_CREDENTIALS, timeouts: TIMEOUTS })
        : createAzureStorage({ containerName: name, connectionString: azuriteConnectionString(`${proxy.endpoint}${new URL(target).pathname}`), timeouts: TIMEOUTS });

    proxy.freeze();
    const error = await viaProxy.read("t/e/a.txt", { maxBytes: 100 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "storage", failure: "unreachable", message: expect.stringContaining(`"${name}" is unreachable`) });
    proxy.thaw();
    expect(Buffer.from(await viaProxy.read("t/e/a.txt", { maxBytes: 100 })).toString()).toBe("hello");
    await Promise.all([viaProxy.close(), direct.close()]);
  });
});
