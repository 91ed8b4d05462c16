/** One JSON POST to a receiver. */
export interface HttpPostRequest {
  /** Where to post; often a credential itself (Slack, Teams), so it is never logged. */
  readonly url: string;
  /** The JSON body, serialised. */
  readonly body: string;
  /** Extra headers besides the JSON content type. */
  readonly headers?: Readonly<Record<string, string>>;
  /** No retry starts after this time, epoch ms (the Lambda's own deadline, less a margin). */
  readonly deadline?: number;
}

/** How a POST ended, after any retries. */
export type HttpPostResult =
  | { readonly ok: true; readonly status: number; readonly attempts: number }
  | {
      readonly ok: false;
      /** The last HTTP status, if a response came at all. */
      readonly status?: number;
      readonly attempts: number;
      /** Why it failed, for logs and the DLQ: status and the start of the receiver's answer, or the network error. */
      readonly reason: string;
      /** Whether a later attempt could succeed (throttling, server and network errors). */
      readonly retryable: boolean;
    };

/** Posts JSON to receivers, retrying what is worth retrying; never throws for a failed delivery. */
export interface HttpPoster {
  post(request: HttpPostRequest): Promise<HttpPostResult>;
}
