import type { OutboxNotificationSink } from '../../../alerts/adapters/local/outbox-notification-sink.js';
import { SLO_REPORT_KIND } from '../../../notifications/core/message.js';
import { type SloReport, sloReportMarkdown, sloReportSubject } from '../../core/slo-report.js';
import type { SloReportPublisher } from '../../ports/slo-report-publisher.js';

/**
 * The local report publisher: appends the weekly report to the outbox as a `slo-report` record (the report
 * as JSON, with its subject and Markdown, as an email subscriber would get it in AWS) and prints its subject
 * and totals on a line, through the same writer as every other notification.
 */
export class OutboxSloReportPublisher implements SloReportPublisher {
  constructor(
    private readonly outbox: OutboxNotificationSink,
    private readonly environment: string,
  ) {}

  publish(report: SloReport): Promise<void> {
    const subject = sloReportSubject(report, this.environment);
    const { totals } = report;
    return this.outbox.append(
      { kind: SLO_REPORT_KIND, subject, report, markdown: sloReportMarkdown(report) },
      `[vigil] ${subject}: ${totals.slos} SLOs, ${totals.missedThisWeek} missed the week's objective, ${totals.slaBreaches} SLA credits owed`,
    );
  }
}
