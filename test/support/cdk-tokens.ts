/**
 * A resolved CloudFormation string with its intrinsics written out: `Fn::Join` joined, `Ref` as `<Id>` and
 * `Fn::GetAtt` as `<Id.Attribute>`, so a test can read a synthesized JSON string (a state machine
 * definition, an environment variable) with logical ids standing in for the ARNs.
 */
export function flattened(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [delimiter, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(flattened).join(delimiter);
  }
  if (Array.isArray(intrinsic['Fn::GetAtt'])) return `<${(intrinsic['Fn::GetAtt'] as string[]).join('.')}>`;
  if (typeof intrinsic.Ref === 'string') return `<${intrinsic.Ref}>`;
  throw new Error(`unexpected intrinsic ${JSON.stringify(value)}`);
}
