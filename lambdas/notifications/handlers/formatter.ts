import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { logger } from '../../shared/logger.js';
import { awsFormatterDependencies } from '../adapters/aws/formatter-dependencies.js';
import {
  AUDIENCE_ATTRIBUTE,
  audienceOf,
  deliver,
  type FailedOutcome,
  type FormatterDependencies,
} from '../core/deliver.js';
import { InvalidMessageError, parseNotificationMessage, SLO_REPORT_KIND } from '../core/message.js';

/** Fails the SNS record when a channel failed after retries, so Lambda retries it and then dead-letters it. */
export class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
}

/** What one invocation did. */
export interface FormatterSummary {
  readonly records: number;
  /** Messages that reached every channel they were for (or that had it already). */
  readonly delivered: number;
  /** Messages that were not Vigil notifications, logged and dropped. */
  readonly dropped: number;
  /** Messages meant for the topic's people and not for channels (the weekly SLO report), left alone. */
  readonly skipped: number;
}

// Time kept back from the function's remaining time, so the last attempt ends before Lambda stops it.
const DEADLINE_MARGIN_MS = 5_000;

/**
 * Builds the formatter function, subscribed to Vigil's SNS topics: each message goes to the configured
 * channels it is for (those its `channels` attribute names, when an escalation tier targets some). The
 * weekly SLO report, which shares the `info` topic for its email subscribers, is skipped. A message that is
 * not a Vigil notification is logged and dropped (retrying cannot fix it). When any channel still fails
 * after the poster's retries, the invocation throws: Lambda retries the event (asynchronous invocation,
 * twice by default), the retry skips the channels that have a receipt, and what still fails goes to the
 * function's dead-letter queue, whose alarm notifies.
 */
export function createFormatterHandler(dependencies: () => FormatterDependencies) {
  const lambdaHandler = async (event: SNSEvent, context: Context): Promise<FormatterSummary> => {
    const resolved = dependencies();
    const channels = resolved.channels();
    const deadline = resolved.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
    const failures: FailedOutcome[] = [];
    let delivered = 0;
    let dropped = 0;
    let skipped = 0;
    for (const record of event.Records) {
      const sns = { snsMessageId: record.Sns.MessageId, topicArn: record.Sns.TopicArn };
      // The subscription has no filter policy to keep the report out: SNS would then also refuse every
      // message without a `kind` attribute, and a notification lost that way would go unnoticed.
      if (record.Sns.MessageAttributes?.kind?.Value === SLO_REPORT_KIND) {
        logger.debug("skipped the SLO report, which is for the topic's email subscribers", sns);
        skipped += 1;
        continue;
      }
      let message: ReturnType<typeof parseNotificationMessage>;
      try {
        message = parseNotificationMessage(record.Sns.Message);
      } catch (error) {
        if (!(error instanceof InvalidMessageError)) throw error;
        logger.error('dropped an SNS message that is not a Vigil notification; it is not retried', {
          ...sns,
          error: error.message,
          body: record.Sns.Message.slice(0, 500),
        });
        dropped += 1;
        continue;
      }
      const audience = audienceOf(channels, record.Sns.MessageAttributes?.[AUDIENCE_ATTRIBUTE]?.Value);
      if (audience.unknown.length > 0) {
        logger.warn('the message names channels that are not configured', {
          ...sns,
          messageId: message.id,
          unknown: audience.unknown,
          configured: channels.map((channel) => channel.name),
        });
      }
      const report = await deliver(message, audience.channels, resolved, { deadline });
      const details = { ...sns, messageId: message.id, kind: message.kind, outcomes: report.outcomes };
      for (const warning of report.warnings) logger.warn(warning, { ...sns, messageId: message.id });
      if (report.failed.length > 0) {
        logger.error('notification not delivered to every channel', details);
        failures.push(...report.failed);
      } else {
        logger.info('notification delivered', details);
        delivered += 1;
      }
    }
    if (failures.length > 0) {
      throw new DeliveryFailedError(
        `delivery failed for ${failures.length} channel(s): ${failures.map((failure) => `${failure.channel}: ${failure.reason}`).join('; ')}`,
      );
    }
    return { records: event.Records.length, delivered, dropped, skipped };
  };
  return middy(lambdaHandler).use(injectLambdaContext(logger));
}

/** The Lambda entry point (SNS subscription, asynchronous invocation with a dead-letter queue). */
export const handler = createFormatterHandler(awsFormatterDependencies);
