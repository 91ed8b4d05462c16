import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import type { OpenSearchSigningService } from '../../event-store-names.js';

/** AWS credentials as the SDK's providers resolve them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Where a signed OpenSearch client sends requests, and as whom. */
export interface SignedOpenSearchClientOptions {
  /** The domain or collection endpoint, with or without `https://`. */
  readonly endpoint: string;
  /** The region the requests are signed for. */
  readonly region: string;
  /** `es` for a domain, `aoss` for a Serverless collection. */
  readonly service: OpenSearchSigningService;
  /** Resolves the credentials to sign with; called again when they are about to expire. */
  readonly credentials: () => Promise<AwsCredentials>;
  /**
   * How long one request may take, ms. Four attempts of a bulk write stay inside API Gateway's 30 s.
   * @default 5000
   */
  readonly requestTimeoutMs?: number;
}

/**
 * The node URL of an endpoint: CDK's domain endpoint is a bare host name, a collection's carries its scheme.
 * A bare host is reached over HTTPS, the only protocol the AWS endpoints accept.
 */
export function openSearchNode(endpoint: string): string {
  return /^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;
}

/**
 * An OpenSearch client whose every request is signed with SigV4 (the `AwsSigv4Signer` of the client
 * library). It does not retry by itself: the event store retries with its own backoff, the one policy in
 * force, and one endpoint never needs the client's node resurrection.
 */
export function createSignedOpenSearchClient(options: SignedOpenSearchClientOptions): Client {
  return new Client({
    ...AwsSigv4Signer({
      region: options.region,
      service: options.service,
      getCredentials: options.credentials,
    }),
    node: openSearchNode(options.endpoint),
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs ?? 5000,
    resurrectStrategy: 'none',
  });
}
