import { environments, localEnvironment } from './environments.js';
import {
  type ConfigProblem,
  deploymentProblems,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
  environmentConfigSchema,
} from './schema.js';

/** Names of the environments that can be deployed, in the order they are promoted through. */
export const environmentNames = Object.keys(environments) as readonly EnvironmentName[];

/** A deployable environment's name. */
export type EnvironmentName = keyof typeof environments;

/**
 * Settings that may be overridden at synth time (`-c metricStore=cloudwatch`, `-c opensearchServerless=true`),
 * e.g. to check a variant.
 */
export interface EnvironmentOverrides {
  /** Replaces the environment's metric store; validated like the rest of the config. */
  readonly metricStore?: unknown;

  /**
   * Replaces `eventStore.opensearchServerless`; the strings `true` and `false` (as `-c` passes them) count
   * as booleans, anything else is validated like the rest of the config.
   */
  readonly opensearchServerless?: unknown;
}

/**
 * Loads and validates a deployable environment's config by name, failing with the known names when the
 * name is missing or unknown, and with every invalid field when the config does not validate or holds what
 * must not be deployed (a channel secret in plain config).
 */
export function loadEnvironment(name: unknown, overrides: EnvironmentOverrides = {}): EnvironmentConfig {
  const known = environmentNames.join(', ');
  if (name === undefined || name === null || name === '') {
    throw new Error(`no environment given; expected -c env=<name> with one of: ${known}`);
  }
  if (typeof name !== 'string' || !Object.hasOwn(environments, name)) {
    throw new Error(`unknown environment "${String(name)}"; expected one of: ${known}`);
  }
  const { opensearchServerless, ...topLevel } = overrides;
  const definedOverrides = Object.fromEntries(
    Object.entries(topLevel).filter(([, value]) => value !== undefined),
  );
  const environment = environments[name as EnvironmentName];
  const eventStore =
    opensearchServerless === undefined
      ? environment.eventStore
      : { ...environment.eventStore, opensearchServerless: contextBoolean(opensearchServerless) };
  const parsed = parseEnvironment({ ...environment, ...definedOverrides, eventStore });
  const problems = deploymentProblems(parsed);
  if (problems.length > 0) throw invalidConfig(name, problems);
  return parsed;
}

/** `cdk -c key=value` passes strings: reads `true` and `false` as booleans and leaves the rest to validation. */
function contextBoolean(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Loads the config `vigil start` runs with on a laptop. */
export function loadLocalEnvironment(): EnvironmentConfig {
  return parseEnvironment(localEnvironment);
}

/** Validates an environment's config, listing every problem by its path. */
export function parseEnvironment(input: EnvironmentConfigInput | Record<string, unknown>): EnvironmentConfig {
  const parsed = environmentConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw invalidConfig(
      input.name,
      parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
    );
  }
  return parsed.data;
}

/** The error of an invalid config, listing every problem by its path. */
function invalidConfig(name: unknown, problems: readonly ConfigProblem[]): Error {
  const listed = problems.map(
    (problem) => `${problem.path.map(String).join('.') || '(root)'}: ${problem.message}`,
  );
  return new Error(`invalid config for environment "${String(name)}": ${listed.join('; ')}`);
}
