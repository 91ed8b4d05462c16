/*
 * How Vigil lays out its event store in OpenSearch: index names, index templates with explicit mappings, and
 * retention (ISM policies on a domain, data lifecycle policies on Serverless). Pure data with no imports, so
 * the CDK app can use it at synth time and the deploy-time bootstrap can send it as it is.
 *
 * Layout: one index per kind of record and UTC day, `vigil-<kind>-YYYY.MM.DD`, chosen from each record's
 * own timestamp. Daily indices make retention a matter of deleting whole indices (cheap, no delete-by-query)
 * and let a search over an hour touch one or two indices instead of all of them.
 *
 * Attributes. Every record carries free-form attributes (flat strings, numbers and booleans). Mapping them
 * field by field would grow the mapping with every new key a client invents ("mapping explosion"), so
 * `attributes` is an `object` that is kept whole in `_source` and returned as given, but not indexed: not
 * even parsed (`enabled: false`, the strict form of `dynamic: false`), so that a key OpenSearch could not
 * take as a field name (empty, or `a..b`) cannot fail the document. Beside it, `attributePairs` holds each
 * attribute as one `key=value` keyword, which is all the querying attributes need (exact match, terms
 * aggregations), with one mapped field per index however many keys there are. OpenSearch's own answer,
 * `flat_object` (2.7+), was not chosen: it is missing on older domains, its subfield queries and
 * aggregations changed across 2.x releases, and OpenSearch Serverless does not document it; `key=value`
 * keywords work the same on every version and on Serverless.
 *
 * Top-level mappings are `dynamic: false` too: a field a newer Vigil writes before its template is updated
 * lands in `_source` unindexed instead of failing the write, and nothing unplanned is ever mapped.
 */

/** The kinds of records Vigil keeps in OpenSearch, one index family each. */
export const EVENT_INDEX_KINDS = ['logs', 'spans', 'predictions', 'audit'] as const;

/** One kind of record, and so one family of daily indices. */
export type EventIndexKind = (typeof EVENT_INDEX_KINDS)[number];

/** The kinds whose indices are operational data (90 days by default); audit events are kept longer. */
export const OPERATIONAL_INDEX_KINDS = [
  'logs',
  'spans',
  'predictions',
] as const satisfies readonly EventIndexKind[];

/** What every Vigil index name starts with. */
export const INDEX_PREFIX = 'vigil';

/** Operational indices (logs, spans, raw prediction events) are deleted after this many days by default. */
export const DEFAULT_OPERATIONAL_RETENTION_DAYS = 90;

/** Audit events (the compliance index) are deleted after this many days by default. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

/** Longest `message.keyword`: longer messages stay searchable as text but are not kept as one keyword. */
export const MESSAGE_KEYWORD_MAX_LENGTH = 256;

/** The pattern matching every daily index of a kind, e.g. `vigil-logs-*`. */
export function indexPattern(kind: EventIndexKind): string {
  return `${INDEX_PREFIX}-${kind}-*`;
}

const MS_PER_DAY = 86_400_000;

/** The daily index holding a record of a kind with this timestamp (epoch ms, UTC day), e.g. `vigil-logs-2026.03.10`. */
export function dailyIndexName(kind: EventIndexKind, epochMs: number): string {
  const day = new Date(Math.floor(epochMs / MS_PER_DAY) * MS_PER_DAY);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${INDEX_PREFIX}-${kind}-${day.getUTCFullYear()}.${pad(day.getUTCMonth() + 1)}.${pad(day.getUTCDate())}`;
}

/**
 * The indices a search over [from, to) needs: one per UTC day when the range spans at most `maxDays` days,
 * else the kind's wildcard pattern (a long list of names would outgrow the request line for little gain).
 */
export function indicesForRange(kind: EventIndexKind, from: number, to: number, maxDays = 31): string[] {
  const firstDay = Math.floor(from / MS_PER_DAY);
  // `to` is exclusive (and documents hold whole milliseconds): a range ending at midnight does not need the
  // next day's index.
  const lastDay = Math.floor((Math.ceil(to) - 1) / MS_PER_DAY);
  const days = lastDay - firstDay + 1;
  if (!(days >= 1 && days <= maxDays)) return [indexPattern(kind)];
  return Array.from({ length: days }, (_, offset) => dailyIndexName(kind, (firstDay + offset) * MS_PER_DAY));
}

// Mapping building blocks. `epoch_millis` matches how the adapter writes times: JSON numbers of epoch ms.
const timestamp = { type: 'date', format: 'epoch_millis' } as const;
const keyword = { type: 'keyword' } as const;
// Strings are capped at 256 characters at ingest; a pair is a key, `=` and a value.
const attributePairs = { type: 'keyword', ignore_above: 1024 } as const;
const attributes = { type: 'object', enabled: false } as const;
// Kept in `_source` for reading back, never searched: indexing them would only cost disk.
const storedText = { type: 'text', index: false } as const;

/** An OpenSearch mapping, as sent in an index template. */
export type IndexMapping = Readonly<Record<string, unknown>>;

/** The explicit mapping of each kind of index. */
export const INDEX_MAPPINGS: Readonly<Record<EventIndexKind, IndexMapping>> = {
  logs: {
    dynamic: false,
    properties: {
      timestamp,
      logId: keyword,
      level: keyword,
      message: {
        type: 'text',
        fields: { keyword: { type: 'keyword', ignore_above: MESSAGE_KEYWORD_MAX_LENGTH } },
      },
      service: keyword,
      model: keyword,
      traceId: keyword,
      spanId: keyword,
      attributes,
      attributePairs,
      pattern: {
        properties: {
          fingerprint: keyword,
          template: { type: 'keyword', ignore_above: 1024 },
        },
      },
    },
  },
  spans: {
    dynamic: false,
    properties: {
      timestamp,
      traceId: keyword,
      spanId: keyword,
      parentSpanId: keyword,
      name: { type: 'keyword', ignore_above: 512 },
      kind: keyword,
      // Doubles keep OTLP's sub-millisecond precision, which a `date` would drop.
      startTime: { type: 'double' },
      endTime: { type: 'double' },
      durationMs: { type: 'double' },
      status: keyword,
      statusMessage: storedText,
      service: keyword,
      model: keyword,
      attributes,
      attributePairs,
      // Span events are read with their span, never searched: not even parsed into the mapping.
      events: { type: 'object', enabled: false },
    },
  },
  predictions: {
    dynamic: false,
    properties: {
      timestamp,
      id: keyword,
      model: keyword,
      modelVersion: keyword,
      status: keyword,
      errorType: keyword,
      latencyMs: { type: 'double' },
      confidence: { type: 'double' },
      prediction: storedText,
      inputTokens: { type: 'long' },
      outputTokens: { type: 'long' },
      costUsd: { type: 'double' },
      attributes,
      attributePairs,
    },
  },
  // Who did what to which incident, silence or rule, and how it ended; kept a year for compliance.
  audit: {
    dynamic: false,
    properties: {
      timestamp,
      auditId: keyword,
      actor: keyword,
      action: keyword,
      subject: keyword,
      outcome: keyword,
      message: { type: 'text' },
      attributes,
      attributePairs,
    },
  },
};

/** Shards and replicas of the indices on a domain. */
export interface DomainIndexOptions {
  /**
   * Replicas of each shard: 0 on a single-node domain (a replica could never be placed, and the cluster
   * would stay yellow), at least 1 where there are nodes in more than one Availability Zone.
   */
  readonly replicas: number;
  /**
   * Primary shards per daily index; one holds a day of a small deployment's data (AWS advises 10-50 GiB per
   * shard). @default 1
   */
  readonly shards?: number;
}

/** An index template as `PUT _index_template/<name>` takes it. */
export interface IndexTemplate {
  readonly name: string;
  readonly body: {
    readonly index_patterns: readonly string[];
    readonly priority: number;
    readonly template: {
      readonly settings?: Readonly<Record<string, unknown>>;
      readonly mappings: IndexMapping;
    };
    readonly _meta: Readonly<Record<string, string>>;
  };
}

// Above OpenSearch's built-in templates, so that a catch-all template never shadows Vigil's own.
const TEMPLATE_PRIORITY = 100;

function template(kind: EventIndexKind, settings?: Readonly<Record<string, unknown>>): IndexTemplate {
  return {
    name: `${INDEX_PREFIX}-${kind}`,
    body: {
      index_patterns: [indexPattern(kind)],
      priority: TEMPLATE_PRIORITY,
      template: { ...(settings ? { settings } : {}), mappings: INDEX_MAPPINGS[kind] },
      _meta: { managedBy: 'vigil', description: `Vigil ${kind}, one index per UTC day` },
    },
  };
}

/** The index templates of a domain: explicit mappings, shards and replicas, one template per kind. */
export function domainIndexTemplates(options: DomainIndexOptions): IndexTemplate[] {
  if (!Number.isInteger(options.replicas) || options.replicas < 0)
    throw new Error(`replicas must be a whole number of at least 0, got ${options.replicas}`);
  const shards = options.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1)
    throw new Error(`shards must be a whole number of at least 1, got ${shards}`);
  return EVENT_INDEX_KINDS.map((kind) =>
    template(kind, {
      number_of_shards: shards,
      number_of_replicas: options.replicas,
      // Logs are searched by people, seconds after the fact: refreshing every 5 s instead of every second
      // makes fewer, larger segments for less indexing work.
      refresh_interval: '5s',
      // Audit indices are written rarely and kept a year: smaller on disk beats faster to write.
      ...(kind === 'audit' ? { codec: 'best_compression' } : {}),
    }),
  );
}

/** Options of the index templates of an OpenSearch Serverless collection. */
export interface ServerlessIndexOptions {
  /**
   * Add `index.timestamp_field: timestamp`, which a NextGen time series collection needs (without it, it
   * expects every document to carry `@timestamp` and refuses the others); Classic collections have no such
   * setting. @default false
   */
  readonly nextGenTimeSeries?: boolean;
}

/**
 * The index templates of an OpenSearch Serverless collection: the same mappings, but no shard, replica,
 * refresh or codec settings, which Serverless manages itself and refuses in templates.
 */
export function serverlessIndexTemplates(options: ServerlessIndexOptions = {}): IndexTemplate[] {
  return EVENT_INDEX_KINDS.map((kind) =>
    template(kind, options.nextGenTimeSeries ? { 'index.timestamp_field': 'timestamp' } : undefined),
  );
}

/** How long each kind of index is kept, in days. */
export interface RetentionOptions {
  /** @default DEFAULT_OPERATIONAL_RETENTION_DAYS */
  readonly operationalRetentionDays?: number;
  /** @default DEFAULT_AUDIT_RETENTION_DAYS */
  readonly auditRetentionDays?: number;
}

/** An Index State Management policy as `PUT _plugins/_ism/policies/<id>` takes it. */
export interface IsmPolicy {
  readonly id: string;
  readonly body: { readonly policy: Readonly<Record<string, unknown>> };
}

function retentionDays(options: RetentionOptions): { operational: number; audit: number } {
  const operational = options.operationalRetentionDays ?? DEFAULT_OPERATIONAL_RETENTION_DAYS;
  const audit = options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
  for (const [name, days] of [
    ['operationalRetentionDays', operational],
    ['auditRetentionDays', audit],
  ] as const) {
    if (!Number.isInteger(days) || days < 1)
      throw new Error(`${name} must be a whole number of at least 1, got ${days}`);
  }
  return { operational, audit };
}

function deleteAfter(id: string, days: number, kinds: readonly EventIndexKind[], what: string): IsmPolicy {
  return {
    id,
    body: {
      policy: {
        description: `Vigil: deletes ${what} indices ${days} days after they were created`,
        default_state: 'hot',
        states: [
          {
            name: 'hot',
            actions: [],
            transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }],
          },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
        // Attaches the policy to every new index whose name matches, as it is created.
        ism_template: [{ index_patterns: kinds.map(indexPattern), priority: TEMPLATE_PRIORITY }],
      },
    },
  };
}

/**
 * The ISM policies of a domain: operational indices deleted after 90 days, audit indices after 365 (or as
 * configured). An index's age counts from its creation, that is from the first record of its day, so a
 * day's index lives its retention plus at most a day. ISM attaches a policy only to indices created after
 * it exists, and updating an existing policy needs its `if_seq_no` and `if_primary_term`.
 */
export function ismPolicies(options: RetentionOptions = {}): IsmPolicy[] {
  const days = retentionDays(options);
  return [
    deleteAfter(
      'vigil-operational-retention',
      days.operational,
      OPERATIONAL_INDEX_KINDS,
      'log, span and prediction',
    ),
    deleteAfter('vigil-audit-retention', days.audit, ['audit'], 'audit'),
  ];
}

/**
 * The data lifecycle policy of an OpenSearch Serverless time series collection (the document of an
 * `AWS::OpenSearchServerless::LifecyclePolicy` of type `retention`): Serverless has no ISM, and keeps each
 * matching index's data at least `MinIndexRetention`, deleting it within about two days after. Serverless
 * accepts 24h to 3650d.
 */
export function serverlessLifecyclePolicy(collectionName: string, options: RetentionOptions = {}) {
  const days = retentionDays(options);
  const resources = (kinds: readonly EventIndexKind[]) =>
    kinds.map((kind) => `index/${collectionName}/${indexPattern(kind)}`);
  return {
    Rules: [
      {
        ResourceType: 'index',
        Resource: resources(OPERATIONAL_INDEX_KINDS),
        MinIndexRetention: `${days.operational}d`,
      },
      { ResourceType: 'index', Resource: resources(['audit']), MinIndexRetention: `${days.audit}d` },
    ],
  } as const;
}

/**
 * The Serverless collection type Vigil uses: time series, the type made for logs and traces (cheaper, with
 * lifecycle policies). Its one limit that matters here: it refuses custom document ids, so on Serverless a
 * replayed batch can store again the records of that batch that had landed before the failure.
 */
export const SERVERLESS_COLLECTION_TYPE = 'TIMESERIES';
