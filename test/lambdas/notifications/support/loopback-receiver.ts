import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * How the receiver answers one request: a response, `hang-up` to drop the connection unanswered, or `hold`
 * to never answer (until the receiver closes).
 */
export type ScriptedAnswer =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | 'hang-up'
  | 'hold';

/** A receiver on 127.0.0.1 standing in for Slack, PagerDuty, Teams or a webhook. */
export interface LoopbackReceiver {
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /** Every request so far, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** The requests to one path. */
  requestsTo(path: string): ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a real HTTP server on 127.0.0.1 that records requests and answers each with `answer(request, n)`,
 * where `n` counts the requests to the same path from 0.
 */
export async function startLoopbackReceiver(
  answer: (request: ReceivedRequest, n: number) => ScriptedAnswer = () => ({ status: 200, body: 'ok' }),
): Promise<LoopbackReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const n = requests.filter((each) => each.path === request.path).length;
      requests.push(request);
      const scripted = answer(request, n);
      if (scripted === 'hang-up') {
        incoming.socket.destroy();
        return;
      }
      if (scripted === 'hold') return;
      response.writeHead(scripted.status, { 'content-type': 'text/plain', ...scripted.headers });
      response.end(scripted.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    requestsTo: (path) => requests.filter((request) => request.path === path),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** A sleep that records the waits asked for and returns at once. */
export function recordingSleep(): {
  readonly sleep: (ms: number) => Promise<void>;
  readonly waits: number[];
} {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
}
