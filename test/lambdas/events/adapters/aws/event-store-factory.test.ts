import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createAwsEventStore,
  createAwsOpenSearchEventStore,
} from '../../../../../lambdas/events/adapters/aws/event-store-factory.js';
import { OpenSearchEventStore } from '../../../../../lambdas/events/adapters/aws/opensearch-event-store.js';
import type { LogRecord } from '../../../../../lambdas/events/core/records.js';
import { SpillingEventStore } from '../../../../../lambdas/events/core/spilling-event-store.js';
import { OPENSEARCH_ENDPOINT_ENV } from '../../../../../lambdas/events/event-store-names.js';
import { decodeQueuedRetryMessage } from '../../../../../lambdas/metrics/core/rollup-codec.js';
import { createReplayHandler } from '../../../../../lambdas/metrics/handlers/replay.js';
import { RETRY_QUEUE_URL_ENV } from '../../../../../lambdas/metrics/metric-store-names.js';
import { type RuntimeConfig, runtimeConfigSchema } from '../../../../../lambdas/shared/runtime-config.js';
import { lambdaContext } from '../../../../support/api-gateway-events.js';
import {
  bulkResponse,
  createdItem,
  FakeOpenSearch,
  parseBulk,
  TEST_CREDENTIALS,
} from './support/fake-opensearch.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/vigil-prod-retry';
const ENV_NAMES = [
  OPENSEARCH_ENDPOINT_ENV,
  RETRY_QUEUE_URL_ENV,
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];
const sqs = mockClient(SQSClient);

const config = (eventStore: RuntimeConfig['eventStore']): RuntimeConfig =>
  runtimeConfigSchema.parse({
    environment: 'prod',
    metricStore: 'timestream',
    maxTimestampAgeMs: 86_400_000,
    metricNamespace: 'Vigil/prod',
    eventStore,
  });

const log = (message: string): LogRecord => ({
  timestamp: Date.UTC(2026, 2, 10, 14, 5),
  level: 'error',
  message,
  service: 'checkout',
  attributes: { attempt: 1 },
});

/** A local port nothing listens on, so connections to it are refused. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('event store factory', () => {
  let saved: Record<string, string | undefined>;
  let fake: FakeOpenSearch | undefined;
  beforeEach(() => {
    sqs.reset();
    saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
    Object.assign(process.env, {
      [RETRY_QUEUE_URL_ENV]: QUEUE_URL,
      AWS_REGION: 'eu-west-1',
      // The default credential chain reads these first, as it would a Lambda's role credentials.
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: TEST_CREDENTIALS.sessionToken,
    });
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('names the missing endpoint variable', () => {
    delete process.env[OPENSEARCH_ENDPOINT_ENV];
    assert.throws(() => createAwsEventStore(config('opensearch')), /VIGIL_OPENSEARCH_ENDPOINT is not set/);
  });

  it('signs for aoss and leaves document ids to a Serverless collection', async () => {
    // Prepare
    fake = await FakeOpenSearch.start((request) => ({
      status: 200,
      body: bulkResponse(parseBulk(request.body).map((pair) => createdItem(pair))),
    }));
    process.env[OPENSEARCH_ENDPOINT_ENV] = fake.url;

    // Act
    const store = createAwsOpenSearchEventStore(config('opensearch-serverless'));
    await store.writeLogs([log('declined')], { documentIds: ['b.0'] });

    // Assess
    assert.ok(store instanceof OpenSearchEventStore);
    assert.match(String(fake.requests[0]!.headers.authorization), /\/eu-west-1\/aoss\/aws4_request, /);
    assert.equal(parseBulk(fake.requests[0]!.body)[0]!.action.index?._id, undefined);
  });

  it('spills to the retry queue when OpenSearch is down, and the replay writes the logs back under their ids', async () => {
    // Prepare
    process.env[OPENSEARCH_ENDPOINT_ENV] = `http://127.0.0.1:${await closedPort()}`;
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const logs = [log('declined'), log('declined again')];

    // Act: ingest writes while OpenSearch is down.
    const ingestStore = createAwsEventStore(config('opensearch'));
    const outcome = await ingestStore.writeLogs(logs);

    // Assess: nothing written, nothing lost.
    assert.ok(ingestStore instanceof SpillingEventStore);
    assert.deepEqual(outcome, { written: 0, rejected: [], spilled: 2 });
    const [call] = sqs.commandCalls(SendMessageCommand);
    assert.equal(call!.args[0].input.QueueUrl, QUEUE_URL);
    const body = call!.args[0].input.MessageBody!;
    const message = decodeQueuedRetryMessage(body);
    assert.equal(message.kind, 'events');
    assert.match(message.reason, /ConnectionError/);
    const spilledIds = message.events.records.map(({ id }) => id);
    assert.deepEqual(
      message.events.records.map(({ record }) => record),
      logs,
    );

    // Act: OpenSearch is back, and the replay function drains the message.
    fake = await FakeOpenSearch.start((request) => ({
      status: 200,
      body: bulkResponse(parseBulk(request.body).map((pair) => createdItem(pair))),
    }));
    process.env[OPENSEARCH_ENDPOINT_ENV] = fake.url;
    const replay = createReplayHandler(() => ({
      metricWriter: { write: async () => ({ written: 0, rejected: [] }) },
      eventStore: createAwsOpenSearchEventStore(config('opensearch')),
    }));
    const response = await replay(
      {
        Records: [
          {
            messageId: 'm-1',
            receiptHandle: 'AQEBm-1',
            body,
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: '1773151500000',
              SenderId: 'AROAEXAMPLE:vigil-ingest',
              ApproximateFirstReceiveTimestamp: '1773151500100',
            },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:vigil-prod-retry',
            awsRegion: 'eu-west-1',
          },
        ],
      },
      lambdaContext(),
    );

    // Assess: the same documents, under the ids they were first written under.
    assert.deepEqual(response.batchItemFailures, []);
    const pairs = parseBulk(fake.requests[0]!.body);
    assert.deepEqual(
      pairs.map((pair) => pair.action.index?._id),
      spilledIds,
    );
    assert.deepEqual(
      pairs.map((pair) => pair.source.message),
      ['declined', 'declined again'],
    );
  });
});
