import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  awsIngestDashboardUrl,
  cloudWatchDashboardUrl,
  ingestDashboardName,
} from '../../../lambdas/shared/dashboard-links.js';

// The console hosts of each partition: console.aws.amazon.com (with a regional subdomain),
// console.amazonaws.cn (AWS China) and console.amazonaws-us-gov.com (GovCloud), from the AWS docs of each.
describe('dashboard links', () => {
  it('links a dashboard in the console of its region and partition', () => {
    assert.equal(
      cloudWatchDashboardUrl('eu-west-1', 'Vigil-prod-Ingest'),
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/Vigil-prod-Ingest',
    );
    assert.match(
      cloudWatchDashboardUrl('cn-north-1', 'd'),
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/cloudwatch\/home\?region=cn-north-1#/,
    );
    assert.match(
      cloudWatchDashboardUrl('us-gov-west-1', 'd'),
      /^https:\/\/console\.amazonaws-us-gov\.com\/cloudwatch\/home\?region=us-gov-west-1#/,
    );
  });

  it('escapes a name that is not safe in a URL fragment', () => {
    assert.ok(cloudWatchDashboardUrl('eu-west-1', 'a b#c').endsWith('#dashboards/dashboard/a%20b%23c'));
  });

  it("names the environment's ingest dashboard, and links nowhere outside a region", () => {
    assert.equal(ingestDashboardName('staging'), 'Vigil-staging-Ingest');
    assert.equal(
      awsIngestDashboardUrl('staging', 'us-east-1'),
      cloudWatchDashboardUrl('us-east-1', 'Vigil-staging-Ingest'),
    );
    assert.equal(awsIngestDashboardUrl('staging', ''), undefined);
  });
});
