import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';

const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The context `cdk synth` runs with: the project's feature flags and defaults from cdk.json. */
export const projectContext: Readonly<Record<string, unknown>> = cdkJson.context;

/**
 * An App with the project's feature flags from cdk.json, so tests see what `cdk synth` builds; bundling
 * is skipped (no esbuild runs) and validation failures throw with their whole report.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({
    context: {
      ...projectContext,
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:appMode': 'inmemory',
      ...context,
    },
  });
}

/** One IAM policy statement as synthesized, with its policy's logical id. */
export interface PolicyStatementJson {
  readonly policy: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, unknown>;
}

/** Every statement of every `AWS::IAM::Policy` in the templates. */
export function iamStatements(...templates: Template[]): PolicyStatementJson[] {
  return templates.flatMap((template) =>
    Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([policy, resource]) =>
      (resource.Properties.PolicyDocument.Statement as Omit<PolicyStatementJson, 'policy'>[]).map(
        (statement) => ({ policy, ...statement }),
      ),
    ),
  );
}

/** A statement's actions as a list. */
export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The logical id of the only resource of a type in a template, failing when there is not exactly one. */
export function onlyLogicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0]!;
}
