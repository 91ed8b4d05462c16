import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One export the collector received: its headers and its JSON body. */
export interface ReceivedExport {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/**
 * Receives OTLP/HTTP exports on 127.0.0.1 (any path) and keeps each request's JSON body and headers,
 * answering `{}` (full success), as the OpenTelemetry exporters expect.
 */
export async function startOtlpCollector() {
  const received: ReceivedExport[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    received,
    /** The collector's URL for an OTLP signal path (`/v1/logs`, `/v1/traces`). */
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
