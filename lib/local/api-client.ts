/** The API refused a call: its status and the start of what it answered. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly text: string,
  ) {
    super(`${method} ${path} answered ${status}: ${text.slice(0, 500)}`);
  }
}

/** What the API answered, its JSON parsed. */
export interface ApiAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: callers read the API's JSON as a client would.
  readonly body: any;
}

/**
 * A client of Vigil's HTTP API with a bearer token, for the CLI and the demo: JSON in and out, and an
 * ApiCallError for any answer that is not a success.
 */
export function apiClient(baseUrl: string, token: string) {
  const base = baseUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new ApiCallError(method, path, response.status, text);
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
  };
}
