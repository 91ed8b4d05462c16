import type { SecretSource } from '../../ports/secret-source.js';

/**
 * The part of the Secrets Manager client the source uses: `getSecretValue` of the aggregated `SecretsManager`
 * client of `@aws-sdk/client-secrets-manager` has this shape.
 */
export interface SecretsManagerReader {
  getSecretValue(input: { SecretId: string }): Promise<{ SecretString?: string; SecretBinary?: Uint8Array }>;
}

/** How long a secret read is reused. */
export interface SecretsManagerSecretSourceOptions {
  readonly client: SecretsManagerReader;
  /**
   * How long a value is reused before it is read again, so a rotated webhook URL takes effect without a
   * cold start. @default 15 minutes
   */
  readonly maxAgeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Secrets from Secrets Manager, each read once and reused for `maxAgeMs` within the Lambda's lifetime (one
 * read per cold start and secret in practice); concurrent reads of one secret share one call, and a failed
 * read is not kept, so the next delivery tries again.
 */
export class SecretsManagerSecretSource implements SecretSource {
  private readonly cache = new Map<string, { readonly value: Promise<string>; readonly readAt: number }>();
  private readonly client: SecretsManagerReader;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: SecretsManagerSecretSourceOptions) {
    this.client = options.client;
    this.maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  secretValue(secretArn: string): Promise<string> {
    const now = this.now();
    const cached = this.cache.get(secretArn);
    if (cached && now - cached.readAt < this.maxAgeMs) return cached.value;
    const entry = { value: this.read(secretArn), readAt: now };
    this.cache.set(secretArn, entry);
    entry.value.catch(() => {
      if (this.cache.get(secretArn) === entry) this.cache.delete(secretArn);
    });
    return entry.value;
  }

  private async read(secretArn: string): Promise<string> {
    const { SecretString, SecretBinary } = await this.client.getSecretValue({ SecretId: secretArn });
    if (SecretString !== undefined) return SecretString;
    if (SecretBinary !== undefined) return new TextDecoder().decode(SecretBinary);
    throw new Error(`secret ${secretArn} has neither a string nor a binary value`);
  }
}
