#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth|deploy -c env=<dev|staging|prod>` (cdk.json defaults `env` to dev).
 * `-c metricStore=cloudwatch` synthesizes the variant for accounts that cannot use Timestream, and
 * `-c opensearchServerless=true` the variant whose event store is an OpenSearch Serverless collection.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadEnvironment } from '../lib/config/load-environment.js';
import { createVigilStacks } from '../lib/stacks/vigil-stacks.js';

const app = new App();
const environment = loadEnvironment(app.node.tryGetContext('env'), {
  metricStore: app.node.tryGetContext('metricStore'),
  opensearchServerless: app.node.tryGetContext('opensearchServerless'),
});
createVigilStacks(app, environment);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
