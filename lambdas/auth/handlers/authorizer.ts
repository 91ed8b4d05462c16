import middy from '@middy/core';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { awsStateTable } from '../../shared/adapters/aws/state-table.js';
import { lazy } from '../../shared/lazy.js';
import { DynamoDbTokenRepository } from '../adapters/aws/dynamodb-token-repository.js';
import type { AuthorizerContext } from '../core/scopes.js';
import { authorize, bearerToken, hashToken } from '../core/tokens.js';
import type { TokenRepository } from '../ports/token-repository.js';

/** What the authorizer needs. */
export interface AuthorizerDependencies {
  readonly tokens: TokenRepository;
  readonly now: () => Date;
}

/** The authorizer's answer: always authorized, with the principal and scopes (empty for an unknown token). */
export type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/**
 * Builds the HTTP API's Lambda authorizer. It looks the bearer token's hash up and passes the verdict to
 * the route as context; the route turns a missing principal into a 401 and a missing scope into a 403.
 */
export function createAuthorizerHandler(dependencies: () => AuthorizerDependencies) {
  return middy(async (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> => {
    const { tokens, now } = dependencies();
    const authorization = event.headers?.authorization ?? event.identitySource?.[0];
    const token = bearerToken(authorization);
    const stored = token ? await tokens.findByHash(hashToken(token)) : undefined;
    return { isAuthorized: true, context: authorize(authorization, stored, now()) };
  });
}

/** The Lambda entry point. */
export const handler = createAuthorizerHandler(
  lazy(() => {
    const { documentClient, tableName } = awsStateTable();
    return { tokens: new DynamoDbTokenRepository(documentClient, tableName), now: () => new Date() };
  }),
);
