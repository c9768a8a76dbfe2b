/**
 * A load balancer in miniature, on loopback: each request goes to the next backend in turn, with the client's address
 * appended to X-Forwarded-For (as an ALB does, so the apps run with TRUSTED_PROXY_HOPS=1). `served` records which
 * backend answered each request, so a test can show that a flow really crossed instances.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  baseUrl: string;
  /** Index of the backend of each request, in order. */
  served: number[];
  stop(): Promise<void>;
}

export async function startRoundRobinProxy(backends: string[]): Promise<RoundRobinProxy> {
  const served: number[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const index = next++ % backends.length;
    served.push(index);
    const target = new URL(req.url ?? "/", backends[index]);
    const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    const upstream = request(target, { method: req.method, headers: { ...req.headers, "x-forwarded-for": forwardedFor } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // localhost, as a browser would browse it: next-auth sets its cookies for that host.
    baseUrl: `http://localhost:${port}`,
    served,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
