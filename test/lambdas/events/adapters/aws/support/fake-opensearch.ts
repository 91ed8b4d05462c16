import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake OpenSearch received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the fake answers: a status and a JSON body. */
export interface FakeResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A loopback HTTP server on 127.0.0.1 standing in for OpenSearch: it records every request and answers
 * with whatever the test's responder returns.
 */
export class FakeOpenSearch {
  readonly requests: ReceivedRequest[] = [];

  private constructor(
    private readonly server: Server,
    private readonly respond: (request: ReceivedRequest) => FakeResponse,
  ) {}

  static async start(respond: (request: ReceivedRequest) => FakeResponse): Promise<FakeOpenSearch> {
    let fake: FakeOpenSearch | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const received: ReceivedRequest = {
          method: request.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          query: url.searchParams,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        fake!.requests.push(received);
        const answer = fake!.respond(received);
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer.body));
      });
    });
    fake = new FakeOpenSearch(server, respond);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.closeAllConnections();
      this.server.close((error) => (error ? reject(error) : resolve()));
    });
  }
}

/** One action and source pair of a `_bulk` body. */
export interface BulkPair {
  readonly action: { readonly index?: { readonly _index?: string; readonly _id?: string } };
  readonly source: Record<string, unknown>;
}

/**
 * Reads a `_bulk` body as the Bulk API defines it: newline-delimited JSON, every line (the last one too)
 * ending in `\n`, an action line followed by its source line.
 */
export function parseBulk(body: string): BulkPair[] {
  if (!body.endsWith('\n')) throw new Error('a bulk body must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length % 2 !== 0)
    throw new Error(`a bulk body of index actions has pairs of lines, got ${lines.length}`);
  const pairs: BulkPair[] = [];
  for (let i = 0; i < lines.length; i += 2)
    pairs.push({ action: JSON.parse(lines[i]!), source: JSON.parse(lines[i + 1]!) });
  return pairs;
}

/** A bulk response item for a document OpenSearch created (Bulk API reference, response body fields). */
export function createdItem(pair: BulkPair, seqNo = 0) {
  return {
    index: {
      _index: pair.action.index?._index,
      _id: pair.action.index?._id ?? `auto-${seqNo}`,
      _version: 1,
      result: 'created',
      _shards: { total: 2, successful: 1, failed: 0 },
      _seq_no: seqNo,
      _primary_term: 1,
      status: 201,
    },
  };
}

/** A bulk response item for a document OpenSearch did not index, with its error. */
export function failedItem(pair: BulkPair, status: number, error: Record<string, unknown>) {
  return {
    index: { _index: pair.action.index?._index, _id: pair.action.index?._id ?? 'none', status, error },
  };
}

/** A `_bulk` response body as OpenSearch sends it. */
export function bulkResponse(items: ReadonlyArray<{ index: { status: number } }>) {
  return { took: 3, errors: items.some((item) => item.index.status >= 300), items };
}

/** The AWS documentation's example credentials (SigV4 test suite). */
export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN',
} as const;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/**
 * The SigV4 signature a request should carry, computed as AWS's "Create a signed AWS API request" guide
 * describes it (canonical request, string to sign, derived signing key), from what the server received.
 * Only for requests without a query string, whose path needs no encoding (such as `POST /_bulk`).
 */
export function expectedSignature(request: ReceivedRequest, secretAccessKey: string): string {
  const authorization = String(request.headers.authorization);
  const [, scope, signedHeaders] =
    /^AWS4-HMAC-SHA256 Credential=[^/]+\/([^,]+), SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      authorization,
    ) ?? [];
  if (!scope || !signedHeaders) throw new Error(`not a SigV4 authorization header: ${authorization}`);
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${String(request.headers[name]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    request.path,
    '',
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const amzDate = String(request.headers['x-amz-date']);
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const [date, region, service] = scope.split('/') as [string, string, string];
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
