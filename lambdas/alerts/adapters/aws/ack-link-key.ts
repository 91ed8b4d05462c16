import { SecretsManager } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSecretSource } from '../../../notifications/adapters/aws/secrets-manager-secret-source.js';
import { lazy } from '../../../shared/lazy.js';
import { ACK_LINK_KEY_ENV } from '../../alert-routes.js';

const secrets = lazy(() => new SecretsManagerSecretSource({ client: new SecretsManager({}) }));

/**
 * The key acknowledge links are signed with, from the secret `VIGIL_ACK_LINK_KEY_ARN` names (read once and
 * reused for 15 minutes); undefined when the function is given none, and notices then carry no link.
 */
export function awsAckLinkKey(): (() => Promise<string>) | undefined {
  const secretArn = process.env[ACK_LINK_KEY_ENV];
  return secretArn ? () => secrets().secretValue(secretArn) : undefined;
}
