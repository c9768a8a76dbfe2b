/**
 * The direct sender: DynamoDB's JSON protocol spoken without the SDK's middleware stack, for the layer's hot
 * single-item and batch calls (dynamo/direct-commands.ts). A profile put most of the client's CPU per request in that stack
 * (endpoint rules, user agent, retry and signing middleware, schema serde), against well under a millisecond of work
 * a request needs: a JSON body, a SigV4 signature from a key derived once a day (dynamo/dynamo-signer.ts), a POST on the
 * project's keep-alive handler (dynamo/dynamo-http-handler.ts).
 *
 * What it takes from the SDK client it is attached to, so both paths behave alike on real AWS: the credentials
 * provider (the default chain, session tokens, refresh of expiring credentials), the region and endpoint, the
 * standard retry strategy (backoff with jitter, the retry quota, `maxAttempts`), the clock-skew offset, and the
 * same HTTP handler (its connection pool and timeouts). Errors are the SDK's exception classes (dynamo/dynamo-errors.ts).
 * Anything it does not cover (other operations, legacy parameters, per-call options) goes through the SDK client.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { AwsCredentialIdentity, HttpRequest, ResponseMetadata, RetryStrategyV2, RetryToken } from "@smithy/types";
import { DynamoHttpHandler } from "./dynamo-http-handler";
import { isClockSkewError, retryType, serviceError } from "./dynamo-errors";
import { DynamoSigner } from "./dynamo-signer";

export type WireInput = Record<string, unknown>;
export type WireOutput = Record<string, unknown> & { $metadata: ResponseMetadata };

/** One HTTP attempt as an interceptor sees it: tests count and fault attempts here, as they do with SDK middleware. */
export interface DirectAttempt {
  readonly operation: string;
  readonly input: WireInput;
}
export type DirectInterceptor = (attempt: DirectAttempt, next: () => Promise<WireOutput>) => Promise<WireOutput>;

interface Target {
  request: Omit<HttpRequest, "headers" | "body">;
  signer: DynamoSigner;
  retry: RetryStrategyV2;
  credentials: () => Promise<AwsCredentialIdentity>;
}

/** Skew past which the server's clock is believed over ours (the SDK's threshold). */
const SKEW_TOLERANCE_MS = 5 * 60 * 1000;

/** The SDK client's resolved configuration, as far as the direct sender reads it. */
interface ClientConfig {
  region: () => Promise<string>;
  credentials: () => Promise<AwsCredentialIdentity>;
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  isCustomEndpoint?: boolean;
  endpointProvider: (params: Record<string, unknown>) => { url: URL };
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
  retryStrategy: () => Promise<RetryStrategyV2 | object>;
  systemClockOffset: number;
}

export class DynamoDirectSender {
  private readonly interceptors: DirectInterceptor[] = [];
  private target: Promise<Target> | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly handler: DynamoHttpHandler,
  ) {}

  /** Wraps every attempt (first ones and retries), outermost first. */
  intercept(interceptor: DirectInterceptor): () => void {
    this.interceptors.push(interceptor);
    return () => this.interceptors.splice(this.interceptors.indexOf(interceptor), 1);
  }

  async send(operation: string, input: WireInput): Promise<WireOutput> {
    const target = await (this.target ??= this.resolveTarget().catch((error: unknown) => {
      this.target = undefined; // a region or endpoint that failed to resolve is asked again next time
      throw error;
    }));
    const body = JSON.stringify(input);
    let token: RetryToken = await target.retry.acquireInitialRetryToken("dynamodb");
    let totalRetryDelay = 0;
    for (let attempts = 1; ; attempts++) {
      try {
        const output = await this.intercepted({ operation, input }, () => this.attempt(target, operation, body));
        target.retry.recordSuccess(token);
        output.$metadata.attempts = attempts;
        output.$metadata.totalRetryDelay = totalRetryDelay;
        return output;
      } catch (error) {
        const status = (error as { $metadata?: ResponseMetadata }).$metadata?.httpStatusCode;
        const errorType = retryType(error, status) ?? ((error as { $clockSkewCorrected?: boolean }).$clockSkewCorrected ? "TRANSIENT" : null);
        if (errorType) {
          try {
            token = await target.retry.refreshRetryTokenForRetry(token, { errorType });
          } catch {
            throw withAttempts(error, attempts, totalRetryDelay);
          }
          const delay = token.getRetryDelay();
          totalRetryDelay += delay;
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw withAttempts(error, attempts, totalRetryDelay);
      }
    }
  }

  private intercepted(attempt: DirectAttempt, send: () => Promise<WireOutput>): Promise<WireOutput> {
    if (this.interceptors.length === 0) return send();
    const run = (i: number): Promise<WireOutput> => (i === this.interceptors.length ? send() : this.interceptors[i]!(attempt, () => run(i + 1)));
    return run(0);
  }

  private async attempt(target: Target, operation: string, body: string): Promise<WireOutput> {
    const credentials = await target.credentials();
    const headers = target.signer.sign(operation, body, credentials, Date.now() + this.config.systemClockOffset);
    const { response } = await this.handler.handle({ ...target.request, headers, body } as HttpRequest);
    const text = Buffer.isBuffer(response.body) ? (response.body as Buffer).toString("utf8") : String(response.body ?? "");
    const $metadata: ResponseMetadata = {
      httpStatusCode: response.statusCode,
      requestId: response.headers["x-amzn-requestid"],
      extendedRequestId: response.headers["x-amz-id-2"],
    };
    if (response.statusCode === 200) return Object.assign(JSON.parse(text) as Record<string, unknown>, { $metadata });
    const error = serviceError(response.statusCode, text, $metadata);
    if (isClockSkewError(error.name) && this.correctClock(response.headers.date)) Object.assign(error, { $clockSkewCorrected: true });
    throw error;
  }

  /** The server's clock wins when ours is minutes off, as the SDK's signer does; true when the offset changed. */
  private correctClock(serverDate: string | undefined): boolean {
    const server = serverDate ? Date.parse(serverDate) : NaN;
    if (Number.isNaN(server)) return false;
    const offset = server - Date.now();
    if (Math.abs(Date.now() + this.config.systemClockOffset - server) < SKEW_TOLERANCE_MS) return false;
    this.config.systemClockOffset = offset;
    return true;
  }

  private async resolveTarget(): Promise<Target> {
    const config = this.config;
    const region = await config.region();
    const endpoint =
      config.isCustomEndpoint && config.endpoint
        ? await config.endpoint()
        : urlEndpoint(config.endpointProvider({ Region: region, UseFIPS: await config.useFipsEndpoint(), UseDualStack: await config.useDualstackEndpoint(), AccountIdEndpointMode: "disabled" }).url);
    const retry = await config.retryStrategy();
    if (!("acquireInitialRetryToken" in retry)) throw new Error("the direct DynamoDB sender needs a standard (v2) retry strategy");
    const host = endpoint.port ? `${endpoint.hostname}:${endpoint.port}` : endpoint.hostname;
    return {
      request: { protocol: endpoint.protocol, hostname: endpoint.hostname, port: endpoint.port, method: "POST", path: endpoint.path || "/" },
      signer: new DynamoSigner(region, host),
      retry,
      credentials: config.credentials,
    };
  }
}

function urlEndpoint(url: URL): { protocol: string; hostname: string; port?: number; path: string } {
  return { protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname };
}

function withAttempts(error: unknown, attempts: number, totalRetryDelay: number): unknown {
  const metadata = (error as { $metadata?: ResponseMetadata }).$metadata;
  if (metadata) Object.assign(metadata, { attempts, totalRetryDelay });
  return error;
}

const senders = new WeakMap<DynamoDBClient, DynamoDirectSender>();

/**
 * Gives a client the direct path. Only a client on the project's HTTP handler can have it (the sender shares that
 * handler's connections); others keep the SDK path for everything.
 */
export function attachDirectSender(client: DynamoDBClient): DynamoDirectSender | undefined {
  const handler = client.config.requestHandler;
  if (!(handler instanceof DynamoHttpHandler)) return undefined;
  const sender = new DynamoDirectSender(client.config as unknown as ClientConfig, handler);
  senders.set(client, sender);
  return sender;
}

export const directSenderOf = (client: DynamoDBClient): DynamoDirectSender | undefined => senders.get(client);
