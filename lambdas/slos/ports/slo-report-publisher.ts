import type { SloReport } from '../core/slo-report.js';

/**
 * Delivers the weekly SLO report to the people who receive it (in AWS, the email subscribers of a topic).
 * `publish` rejects when the report could not be handed over, so the job that built it fails and is retried.
 */
export interface SloReportPublisher {
  publish(report: SloReport): Promise<void>;
}
