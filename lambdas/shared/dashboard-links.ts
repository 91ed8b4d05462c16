/*
 * Where notifications point a person for the picture: the environment's CloudWatch dashboard in AWS (named
 * here, for the dashboard construct and the functions that link to it), the local dashboard page otherwise.
 * This module imports nothing that runs, so the CDK app uses it at synth time.
 */

/** The name of an environment's ingest dashboard. */
export function ingestDashboardName(environment: string): string {
  return `Vigil-${environment}-Ingest`;
}

/**
 * The console URL of a CloudWatch dashboard in a region, in the console of the region's partition (China and
 * GovCloud have consoles of their own).
 */
export function cloudWatchDashboardUrl(region: string, dashboardName: string): string {
  const console = region.startsWith('cn-')
    ? `https://${region}.console.amazonaws.cn`
    : region.startsWith('us-gov-')
      ? 'https://console.amazonaws-us-gov.com'
      : `https://${region}.console.aws.amazon.com`;
  return `${console}/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(dashboardName)}`;
}

/**
 * The ingest dashboard of an environment in the region a Lambda runs in (`AWS_REGION`, which Lambda sets);
 * undefined outside Lambda, so notices leave the link out rather than point nowhere.
 */
export function awsIngestDashboardUrl(
  environment: string,
  region = process.env.AWS_REGION,
): string | undefined {
  return region ? cloudWatchDashboardUrl(region, ingestDashboardName(environment)) : undefined;
}
