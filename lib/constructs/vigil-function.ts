import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { RUNTIME_CONFIG_FILE, type RuntimeConfig } from '../../lambdas/shared/runtime-config.js';

/** The repository root: entries are given relative to it, and its lock file pins the bundled dependencies. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The Lambda runtime every Vigil function runs on. */
export const VIGIL_RUNTIME = Runtime.NODEJS_24_X;

/**
 * Lets esbuild's ESM output load CommonJS dependencies that call `require` (it has no `require` of its
 * own in an ES module).
 */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __vigilCreateRequire } from 'node:module'; const require = __vigilCreateRequire(import.meta.url);";

/** Properties of a {@link VigilFunction}. */
export interface VigilFunctionProps {
  /** The handler file, relative to the repository root; it exports `handler`. */
  readonly entry: string;

  /** The runtime config the function reads at cold start; bundled beside the code as `vigil-config.json`. */
  readonly runtimeConfig: RuntimeConfig;

  /** Memory in MB; Lambda gives CPU in proportion. */
  readonly memorySizeMb: number;

  /** How long the function's logs are kept. */
  readonly logRetention: RetentionDays;

  /** The key that encrypts the function's log group; its key policy must let CloudWatch Logs use it. */
  readonly logEncryptionKey: IKey;

  /**
   * What happens to the log group when the function is removed.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * How long one invocation may run.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * Environment variables, for resource names only (tokens resolved at deploy time); everything else
   * belongs in `runtimeConfig`.
   * @default - none beyond the Powertools and source-map settings every function gets
   */
  readonly environment?: Readonly<Record<string, string>>;

  /**
   * The Powertools service name, which tags the function's logs and traces.
   * @default 'vigil'
   */
  readonly serviceName?: string;

  /**
   * A description shown in the Lambda console.
   * @default - no description
   */
  readonly description?: string;
}

/**
 * The one way Vigil builds a Lambda function: Node.js 24 on ARM64, bundled locally by esbuild as minified
 * ESM with source maps, X-Ray tracing, an encrypted log group with retention, a role that may write only to
 * that log group, and the environment's runtime config written beside the bundle as `vigil-config.json`.
 */
export class VigilFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: VigilFunctionProps) {
    // The role and log group are made before the function so that Lambda neither attaches the AWS managed
    // AWSLambdaBasicExecutionRole (logs anywhere) nor creates an unencrypted log group of its own.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${id} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: VIGIL_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySizeMb,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      role,
      description: props.description,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'vigil',
        POWERTOOLS_METRICS_NAMESPACE: props.runtimeConfig.metricNamespace,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // Line mappings are enough for stack traces; embedding the sources would double the bundle.
        sourcesContent: false,
        forceDockerBundling: false,
        commandHooks: copyRuntimeConfigHooks(scope, props.runtimeConfig),
      },
    });

    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      Validations.of(defaultPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
          'permissions, so AWS requires "*" for them. Other "*" statements live in separate, named policies.',
      });
    }
  }
}

/**
 * Writes the runtime config to a content-addressed file in the cloud assembly at synth time and returns
 * bundling hooks that copy it beside the bundle, where `loadBundledRuntimeConfig` looks for it. The file
 * is part of the bundle's output, so a config change changes the asset hash and redeploys the function.
 */
function copyRuntimeConfigHooks(scope: Construct, runtimeConfig: RuntimeConfig): ICommandHooks {
  const json = `${JSON.stringify(runtimeConfig, null, 2)}\n`;
  const digest = createHash('sha256').update(json).digest('hex').slice(0, 16);
  const stage = Stage.of(scope);
  if (!stage)
    throw new Error(
      `${scope.node.path} is not in an App or Stage; expected one to write the runtime config into`,
    );
  const configDir = join(stage.outdir, 'vigil-runtime-config');
  const configFile = join(configDir, `${digest}.json`);
  if (Stack.of(scope).bundlingRequired) {
    mkdirSync(configDir, { recursive: true });
    writeFileSync(configFile, json);
  }
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [
      `cp ${shellQuote(configFile)} ${shellQuote(join(outputDir, RUNTIME_CONFIG_FILE))}`,
    ],
  };
}

/** Quotes a path for the POSIX shell that runs local bundling commands. */
function shellQuote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}
