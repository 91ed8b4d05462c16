import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredToken } from '../../core/tokens.js';
import type { TokenRepository } from '../../ports/token-repository.js';

const TOKEN_PREFIX = 'TOKEN#';

/** Tokens in the state table, one item per token hash (`pk = TOKEN#<sha256>`, `sk = TOKEN`), never the token itself. */
export class DynamoDbTokenRepository implements TokenRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findByHash(tokenHash: string): Promise<StoredToken | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `${TOKEN_PREFIX}${tokenHash}`, sk: 'TOKEN' } }),
    );
    if (!Item) return undefined;
    return {
      tokenHash,
      principal: Item.principal,
      scopes: Item.scopes,
      createdAt: Item.createdAt,
      ...(Item.expiresAt ? { expiresAt: new Date(Item.expiresAt * 1000).toISOString() } : {}),
    };
  }

  async save(token: StoredToken): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `${TOKEN_PREFIX}${token.tokenHash}`,
          sk: 'TOKEN',
          principal: token.principal,
          scopes: token.scopes,
          createdAt: token.createdAt,
          // Epoch seconds, the table's TTL attribute: DynamoDB removes the token some time after it expires.
          ...(token.expiresAt ? { expiresAt: Math.ceil(Date.parse(token.expiresAt) / 1000) } : {}),
        },
      }),
    );
  }
}
