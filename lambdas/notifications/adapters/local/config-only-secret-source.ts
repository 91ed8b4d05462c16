import type { SecretSource } from '../../ports/secret-source.js';

/**
 * The local platform's secret source: there is no Secrets Manager, so a channel with `secretArn` fails with
 * a message that says what to do instead.
 */
export class ConfigOnlySecretSource implements SecretSource {
  async secretValue(secretArn: string): Promise<string> {
    throw new Error(
      `secrets are only read in AWS, got a channel with secretArn ${secretArn}; locally give the channel url (or routingKey for PagerDuty)`,
    );
  }
}
