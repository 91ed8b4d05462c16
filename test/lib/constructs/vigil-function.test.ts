import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type RuntimeConfig, runtimeConfigSchema } from '../../../lambdas/shared/runtime-config.js';
import { VigilFunction } from '../../../lib/constructs/vigil-function.js';
import { projectContext } from '../support/cdk-app.js';

// This test really bundles (esbuild, ~1 s): a small shared module stands in for a handler, and the bundle
// is then imported to prove it finds its runtime config where the Lambda will.
const outdir = mkdtempSync(join(tmpdir(), 'vigil-function-'));
after(() => rmSync(outdir, { recursive: true, force: true }));

const runtimeConfig: RuntimeConfig = runtimeConfigSchema.parse({
  environment: 'test',
  metricStore: 'timestream',
  maxTimestampAgeMs: 86_400_000,
  metricNamespace: 'Vigil/test',
});
const app = new App({ outdir, context: { ...projectContext } });
const stack = new Stack(app, 'Functions', { env: { account: '123456789012', region: 'us-east-1' } });
const key = new Key(stack, 'Key');
const common = {
  entry: 'lambdas/shared/runtime-config.ts',
  memorySizeMb: 256,
  logRetention: RetentionDays.ONE_WEEK,
  logEncryptionKey: key,
};
new VigilFunction(stack, 'Probe', { ...common, runtimeConfig, environment: { VIGIL_STATE_TABLE: 'state' } });
new VigilFunction(stack, 'OtherConfig', {
  ...common,
  runtimeConfig: { ...runtimeConfig, environment: 'other' },
});
const assembly = app.synth();
const template = Template.fromStack(stack);

function assetDirectory(functionId: string): string {
  const [, resource] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([logicalId]) =>
    logicalId.startsWith(functionId),
  )!;
  // The asset is staged in the cloud assembly as asset.<hash>, and uploaded as <hash>.zip.
  const assetHash = String(resource.Properties.Code.S3Key).replace(/\.zip$/, '');
  return join(assembly.directory, `asset.${assetHash}`);
}

describe('VigilFunction', () => {
  describe('bundle', () => {
    it('carries the runtime config as vigil-config.json beside the code', () => {
      const written = JSON.parse(readFileSync(join(assetDirectory('Probe'), 'vigil-config.json'), 'utf8'));

      assert.deepEqual(written, runtimeConfig);
    });

    it('is an ES module that finds its runtime config where the Lambda will', async () => {
      const bundle = await import(pathToFileURL(join(assetDirectory('Probe'), 'index.mjs')).href);

      assert.deepEqual(bundle.loadBundledRuntimeConfig(), runtimeConfig);
    });

    it('defines require for CommonJS dependencies and ships a source map', () => {
      const code = readFileSync(join(assetDirectory('Probe'), 'index.mjs'), 'utf8');

      assert.match(code.split('\n')[0]!, /createRequire as __vigilCreateRequire.*const require = /);
      assert.ok(existsSync(join(assetDirectory('Probe'), 'index.mjs.map')));
    });

    it('changes (and so redeploys the function) when only the runtime config changes', () => {
      assert.notEqual(assetDirectory('Probe'), assetDirectory('OtherConfig'));
    });
  });

  describe('function', () => {
    it('runs Node.js 24 on ARM64 with active tracing, JSON logs and source maps', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
        MemorySize: 256,
        Timeout: 10,
        Environment: {
          Variables: {
            VIGIL_STATE_TABLE: 'state',
            POWERTOOLS_SERVICE_NAME: 'vigil',
            POWERTOOLS_METRICS_NAMESPACE: 'Vigil/test',
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
    });

    it('writes to its own encrypted log group with retention', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        RetentionInDays: 7,
      });
    });

    it('may write logs only to that log group, and has no AWS managed policy', () => {
      template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Effect: 'Allow',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProbeLogs'), 'Arn'] },
            },
          ]),
        },
      });
    });
  });
});
