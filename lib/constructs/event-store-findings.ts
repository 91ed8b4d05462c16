import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The id cdk-nag gives an AwsSolutions-IAM5 finding on a wildcard resource, for acknowledging exactly that
 * finding: the resource as the template has it, flattened the way cdk-nag prints it (`Fn::Join` joined,
 * `Ref` as `<Name>`, `Fn::GetAtt` as `<Id.Attribute>`).
 */
export function wildcardResourceFindingId(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && node !== null) {
    const intrinsic = node as Record<string, unknown>;
    if (Array.isArray(intrinsic['Fn::Join'])) {
      const [delimiter, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    if (typeof intrinsic.Ref === 'string') return `<${intrinsic.Ref}>`;
    if (Array.isArray(intrinsic['Fn::GetAtt'])) {
      const [resource, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
      return `<${resource}.${attribute}>`;
    }
  }
  return JSON.stringify(node);
}
