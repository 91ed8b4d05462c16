/**
 * The state table's key schema, shared by the CDK storage stack, the DynamoDB adapters and the local
 * platform (which creates the same table on dynalite). Items are addressed by a string partition key
 * `pk` and a string sort key `sk`; each repository owns a `pk` prefix.
 */
export const STATE_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Environment variable that carries the state table's name to every Lambda that uses it. */
export const STATE_TABLE_ENV = 'VIGIL_STATE_TABLE';

/**
 * The attribute (epoch seconds) after which DynamoDB TTL may delete a state item. TTL deletes lazily, so
 * every repository also treats an item past its `expiresAt` as absent when it reads.
 */
export const STATE_TABLE_TTL_ATTRIBUTE = 'expiresAt';
