import { z } from 'zod';
import type { OpenSearchSigningService } from '../../event-store-names.js';
import { INDEX_PREFIX, type IndexTemplate, type IsmPolicy } from './opensearch-schema.js';

/*
 * What the deploy-time bootstrap of the event store sets up, and the requests that do it: index templates,
 * ISM policies (on a domain) and the fine-grained access control roles and role mappings (on a domain). The
 * CDK app builds the plan at synth time and hands it to the custom resource as properties, so any change to
 * the schema, the roles or the mapped IAM roles changes the resource and runs the bootstrap again. Pure: no
 * OpenSearch client here, so the CDK app can import it.
 */

/** The index pattern every Vigil index matches, and the only one Vigil's roles may touch. */
export const VIGIL_INDEX_PATTERN = `${INDEX_PREFIX}-*`;

/** The OpenSearch security role of the functions that write events. */
export const EVENTS_WRITER_ROLE = 'vigil_events_writer';

/** The OpenSearch security role of the functions that search events. */
export const EVENTS_READER_ROLE = 'vigil_events_reader';

/** A fine-grained access control role as `PUT _plugins/_security/api/roles/<name>` takes it. */
export interface SecurityRole {
  readonly name: string;
  readonly body: {
    readonly description: string;
    readonly cluster_permissions: readonly string[];
    readonly index_permissions: ReadonlyArray<{
      readonly index_patterns: readonly string[];
      readonly allowed_actions: readonly string[];
    }>;
  };
}

/**
 * Vigil's two roles inside OpenSearch, on `vigil-*` only. The writer may bulk-write and create the daily
 * indices (`create_index`, `write`: index, update, delete documents and extend a mapping); the reader may
 * search and read (`read`, and the read-only multi-request APIs of `cluster_composite_ops_ro`). Neither may
 * change settings, templates, policies or security.
 */
export function vigilSecurityRoles(): SecurityRole[] {
  return [
    {
      name: EVENTS_WRITER_ROLE,
      body: {
        description: 'Vigil ingest: bulk-writes logs, spans and raw prediction events to vigil-* indices',
        cluster_permissions: ['indices:data/write/bulk'],
        index_permissions: [
          { index_patterns: [VIGIL_INDEX_PATTERN], allowed_actions: ['create_index', 'write'] },
        ],
      },
    },
    {
      name: EVENTS_READER_ROLE,
      body: {
        description: 'Vigil search: reads logs, spans and raw prediction events from vigil-* indices',
        cluster_permissions: ['cluster_composite_ops_ro'],
        index_permissions: [{ index_patterns: [VIGIL_INDEX_PATTERN], allowed_actions: ['read'] }],
      },
    },
  ];
}

/** Everything the bootstrap sets up on one domain or collection. */
export interface BootstrapPlan {
  /** The REST endpoint, an https URL. */
  readonly endpoint: string;
  readonly signingService: OpenSearchSigningService;
  readonly indexTemplates: readonly IndexTemplate[];
  /** Empty on Serverless, which keeps data by lifecycle policies instead. */
  readonly ismPolicies: readonly IsmPolicy[];
  /** Empty on Serverless, whose access is granted by data access policies instead. */
  readonly securityRoles: readonly SecurityRole[];
  /** IAM role ARNs mapped to each security role, by role name. */
  readonly roleMappings: Readonly<Record<string, readonly string[]>>;
}

/**
 * The custom resource's properties for a plan. Templates, policies and roles travel as JSON text because
 * CloudFormation turns every number and boolean in a custom resource's properties into a string; the
 * mappings stay a map of lists, since they hold IAM role ARNs that resolve only at deploy time.
 */
export function bootstrapResourceProperties(plan: BootstrapPlan): Record<string, unknown> {
  return {
    Endpoint: plan.endpoint,
    SigningService: plan.signingService,
    IndexTemplates: JSON.stringify(plan.indexTemplates),
    IsmPolicies: JSON.stringify(plan.ismPolicies),
    SecurityRoles: JSON.stringify(plan.securityRoles),
    RoleMappings: plan.roleMappings,
  };
}

const jsonText = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, context): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `expected JSON text, got ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const namedBody = (key: 'name' | 'id') =>
  z.array(z.object({ [key]: z.string().min(1), body: z.record(z.string(), z.unknown()) }));

const propertiesSchema = z.object({
  Endpoint: z.string().regex(/^https?:\/\/[^/]+/, { error: 'expected the URL of the domain or collection' }),
  SigningService: z.enum(['es', 'aoss']),
  IndexTemplates: jsonText(namedBody('name')),
  IsmPolicies: jsonText(namedBody('id')),
  SecurityRoles: jsonText(namedBody('name')),
  RoleMappings: z.record(z.string(), z.array(z.string().min(1))).default({}),
});

/** Reads the plan back from the custom resource's properties, failing with every problem by its property. */
export function parseBootstrapProperties(properties: Record<string, unknown>): BootstrapPlan {
  const parsed = propertiesSchema.safeParse(properties);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`invalid bootstrap properties: ${problems.join('; ')}`);
  }
  const { Endpoint, SigningService, IndexTemplates, IsmPolicies, SecurityRoles, RoleMappings } = parsed.data;
  return {
    endpoint: Endpoint,
    signingService: SigningService,
    indexTemplates: IndexTemplates as unknown as IndexTemplate[],
    ismPolicies: IsmPolicies as unknown as IsmPolicy[],
    securityRoles: SecurityRoles as unknown as SecurityRole[],
    roleMappings: RoleMappings,
  };
}

/** One request to OpenSearch's REST API. */
export interface OpenSearchRequest {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly path: string;
  readonly querystring?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
}

/** Creates or replaces an index template (the API replaces on PUT, so sending it again changes nothing). */
export function indexTemplateRequest(template: IndexTemplate): OpenSearchRequest {
  return {
    method: 'PUT',
    path: `/_index_template/${encodeURIComponent(template.name)}`,
    body: template.body,
  };
}

/** Reads an ISM policy, for the sequence number and primary term an update must quote. */
export function ismPolicyGetRequest(policy: IsmPolicy): OpenSearchRequest {
  return { method: 'GET', path: ismPolicyPath(policy) };
}

/** Where an existing policy stands: what `GET _plugins/_ism/policies/<id>` answers besides the policy. */
export interface IsmPolicyVersion {
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** Reads the version of an existing ISM policy from the body `GET _plugins/_ism/policies/<id>` answers. */
export function ismPolicyVersion(body: unknown): IsmPolicyVersion {
  const { _seq_no: seqNo, _primary_term: primaryTerm } = (body ?? {}) as Record<string, unknown>;
  if (!Number.isInteger(seqNo) || !Number.isInteger(primaryTerm)) {
    throw new Error(
      `expected _seq_no and _primary_term in the ISM policy, got ${JSON.stringify({ _seq_no: seqNo, _primary_term: primaryTerm })}`,
    );
  }
  return { seqNo: seqNo as number, primaryTerm: primaryTerm as number };
}

/**
 * Creates an ISM policy, or updates the one that exists: ISM refuses a PUT over an existing policy unless it
 * quotes the version it replaces (optimistic concurrency), so an update carries `if_seq_no` and
 * `if_primary_term`.
 */
export function ismPolicyPutRequest(policy: IsmPolicy, existing?: IsmPolicyVersion): OpenSearchRequest {
  return {
    method: 'PUT',
    path: ismPolicyPath(policy),
    ...(existing
      ? { querystring: { if_seq_no: existing.seqNo, if_primary_term: existing.primaryTerm } }
      : {}),
    body: policy.body,
  };
}

/**
 * Moves the indices an updated policy manages onto its new version: ISM pins each index to the policy
 * version it started with, so without this a changed retention would reach only indices created after it.
 * The index patterns are the policy's own `ism_template` patterns; none means there is nothing to move.
 */
export function ismChangePolicyRequest(policy: IsmPolicy): OpenSearchRequest | undefined {
  const templates = (policy.body.policy.ism_template ?? []) as ReadonlyArray<{ index_patterns?: string[] }>;
  const patterns = templates.flatMap((template) => template.index_patterns ?? []);
  if (patterns.length === 0) return undefined;
  return {
    method: 'POST',
    path: `/_plugins/_ism/change_policy/${patterns.map(encodeURIComponent).join(',')}`,
    body: { policy_id: policy.id },
  };
}

/** Creates or replaces a fine-grained access control role. */
export function securityRoleRequest(role: SecurityRole): OpenSearchRequest {
  return {
    method: 'PUT',
    path: `/_plugins/_security/api/roles/${encodeURIComponent(role.name)}`,
    body: role.body,
  };
}

/**
 * Creates or replaces a role's mapping: exactly these IAM roles (as backend roles, which is how a domain sees
 * SigV4-signed callers) hold it, and no users or hosts.
 */
export function roleMappingRequest(roleName: string, iamRoleArns: readonly string[]): OpenSearchRequest {
  return {
    method: 'PUT',
    path: `/_plugins/_security/api/rolesmapping/${encodeURIComponent(roleName)}`,
    body: { backend_roles: [...new Set(iamRoleArns)].sort(), hosts: [], users: [] },
  };
}

function ismPolicyPath(policy: IsmPolicy): string {
  return `/_plugins/_ism/policies/${encodeURIComponent(policy.id)}`;
}
