/** Reads secrets (webhook URLs, PagerDuty routing keys) by their ARN: Secrets Manager in AWS. */
export interface SecretSource {
  /** The secret's current string value; fails when the secret cannot be read. */
  secretValue(secretArn: string): Promise<string>;
}
