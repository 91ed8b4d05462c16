import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  SNS_MAX_MESSAGE_BYTES,
  SNS_MAX_SUBJECT_BYTES,
} from '../../../alerts/adapters/aws/sns-notification-sink.js';
import { truncateUtf8, utf8Bytes } from '../../../alerts/core/notification-text.js';
import { SLO_REPORT_KIND } from '../../../notifications/core/message.js';
import { type SloReport, sloReportMarkdown, sloReportSubject } from '../../core/slo-report.js';
import type { SloReportPublisher } from '../../ports/slo-report-publisher.js';

/** Properties of `SnsSloReportPublisher`. */
export interface SnsSloReportPublisherProps {
  /** The client to publish with; its retry settings are the publisher's. */
  readonly client: SNSClient;
  /** The topic the report goes to (the `info` severity topic in Vigil's stacks). */
  readonly topicArn: string;
  /** The environment's name, for the subject and the `environment` attribute. */
  readonly environment: string;
  /**
   * The topic's MaximumMessageSize, in bytes.
   * @default SNS_MAX_MESSAGE_BYTES
   */
  readonly maxMessageBytes?: number;
}

/**
 * Kept free of the body within SNS's size limit, which counts the message attributes (two short ones here)
 * and, for a margin, the subject (at most 99 bytes).
 */
const ENVELOPE_MARGIN_BYTES = 1024;

/** Appended to a report cut to fit one SNS message, so a reader knows where the rest is. */
export const TRUNCATED_REPORT_NOTE =
  '\n_The report was cut to fit one message; `GET /api/v1/slos/report?format=markdown` answers all of it._\n';

/**
 * Publishes the weekly SLO report to an SNS topic for its email subscribers: the Markdown report as the
 * body, `Vigil <environment> SLO report, week ending <date>` as the subject, and the String attributes `kind`
 * (`slo-report`, which a subscription's filter policy can select, and which the formatter skips) and
 * `environment`. A report over SNS's size limit keeps its first whole lines and says where the rest is.
 */
export class SnsSloReportPublisher implements SloReportPublisher {
  private readonly maxMessageBytes: number;

  constructor(private readonly props: SnsSloReportPublisherProps) {
    this.maxMessageBytes = props.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES;
  }

  /** Publishes the report; rejects with what to check (the topic, the role, the key) when SNS refuses it. */
  async publish(report: SloReport): Promise<void> {
    const { client, topicArn, environment } = this.props;
    const subject = truncateUtf8(sloReportSubject(report, environment), SNS_MAX_SUBJECT_BYTES);
    const attributes: Record<string, MessageAttributeValue> = {
      kind: { DataType: 'String', StringValue: SLO_REPORT_KIND },
      environment: { DataType: 'String', StringValue: environment },
    };
    const budget = this.maxMessageBytes - ENVELOPE_MARGIN_BYTES;
    try {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: subject,
          Message: fitted(sloReportMarkdown(report), budget),
          MessageAttributes: attributes,
        }),
      );
    } catch (error) {
      const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new Error(
        `cannot publish the SLO report ending ${report.to} to ${topicArn} (${cause}); check that the ` +
          "topic exists and that this function's role may sns:Publish to it and use its KMS key",
        { cause: error },
      );
    }
  }
}

/** The Markdown in at most `budget` bytes: whole lines from the top, then the note, when it is too long. */
function fitted(markdown: string, budget: number): string {
  if (utf8Bytes(markdown) <= budget) return markdown;
  const room = budget - utf8Bytes(TRUNCATED_REPORT_NOTE);
  let kept = '';
  let bytes = 0;
  for (const line of markdown.split('\n')) {
    const lineBytes = utf8Bytes(line) + 1;
    if (bytes + lineBytes > room) break;
    kept += `${line}\n`;
    bytes += lineBytes;
  }
  return `${kept}${TRUNCATED_REPORT_NOTE}`;
}
