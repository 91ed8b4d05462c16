import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BootstrapPlan,
  bootstrapResourceProperties,
  EVENTS_READER_ROLE,
  EVENTS_WRITER_ROLE,
  indexTemplateRequest,
  ismChangePolicyRequest,
  ismPolicyPutRequest,
  ismPolicyVersion,
  parseBootstrapProperties,
  roleMappingRequest,
  securityRoleRequest,
  vigilSecurityRoles,
} from '../../../../../lambdas/events/adapters/aws/opensearch-bootstrap.js';
import {
  domainIndexTemplates,
  ismPolicies,
} from '../../../../../lambdas/events/adapters/aws/opensearch-schema.js';

const WRITER_ARN = 'arn:aws:iam::123456789012:role/Vigil-dev-Ingest-LogsRole';
const READER_ARN = 'arn:aws:iam::123456789012:role/Vigil-dev-Ingest-LogSearchRole';

const domainPlan: BootstrapPlan = {
  endpoint: 'https://search-vigil-dev-abc.eu-west-1.es.amazonaws.com',
  signingService: 'es',
  indexTemplates: domainIndexTemplates({ replicas: 1 }),
  ismPolicies: ismPolicies({ operationalRetentionDays: 90, auditRetentionDays: 365 }),
  securityRoles: vigilSecurityRoles(),
  roleMappings: { [EVENTS_WRITER_ROLE]: [WRITER_ARN], [EVENTS_READER_ROLE]: [READER_ARN] },
};

/**
 * What CloudFormation does to a custom resource's properties on the way to the provider: every number and
 * boolean becomes a string, at any depth (lists and maps keep their shape).
 */
function throughCloudFormation(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(throughCloudFormation);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, throughCloudFormation(inner)]),
    );
  }
  return value;
}

describe('bootstrap properties', () => {
  it('come back as the same plan after CloudFormation has turned every scalar into a string', () => {
    const properties = throughCloudFormation(bootstrapResourceProperties(domainPlan)) as Record<
      string,
      unknown
    >;

    const parsed = parseBootstrapProperties(properties);

    assert.deepEqual(parsed, domainPlan);
    assert.equal(
      typeof (parsed.indexTemplates[0]!.body.template.settings as { number_of_shards: unknown })
        .number_of_shards,
      'number',
    );
  });

  it('are refused with every problem named by its property', () => {
    const properties = {
      ...bootstrapResourceProperties(domainPlan),
      Endpoint: 'search-vigil-dev-abc.eu-west-1.es.amazonaws.com',
      SigningService: 'opensearch',
      IsmPolicies: '{not json',
      RoleMappings: { [EVENTS_WRITER_ROLE]: 'arn:aws:iam::123456789012:role/one' },
    };

    assert.throws(
      () => parseBootstrapProperties(properties),
      (error: Error) =>
        /^invalid bootstrap properties: /.test(error.message) &&
        /Endpoint: expected the URL of the domain or collection/.test(error.message) &&
        /SigningService: /.test(error.message) &&
        /IsmPolicies: expected JSON text, got /.test(error.message) &&
        /RoleMappings\.vigil_events_writer: /.test(error.message),
    );
  });
});

describe('security roles', () => {
  const [writer, reader] = vigilSecurityRoles();

  it('confine both roles to vigil-* indices', () => {
    for (const role of [writer!, reader!]) {
      assert.deepEqual(
        role.body.index_permissions.flatMap((permission) => permission.index_patterns),
        ['vigil-*'],
        role.name,
      );
    }
  });

  it('let the writer create daily indices and bulk-write, and nothing that changes settings or security', () => {
    assert.equal(writer!.name, EVENTS_WRITER_ROLE);
    assert.deepEqual(writer!.body.cluster_permissions, ['indices:data/write/bulk']);
    assert.deepEqual(writer!.body.index_permissions[0]!.allowed_actions, ['create_index', 'write']);
  });

  it('let the reader only read', () => {
    assert.equal(reader!.name, EVENTS_READER_ROLE);
    assert.deepEqual(reader!.body.cluster_permissions, ['cluster_composite_ops_ro']);
    assert.deepEqual(reader!.body.index_permissions[0]!.allowed_actions, ['read']);
  });

  it('are put under the security plugin API by name', () => {
    assert.deepEqual(securityRoleRequest(writer!), {
      method: 'PUT',
      path: '/_plugins/_security/api/roles/vigil_events_writer',
      body: writer!.body,
    });
  });
});

describe('requests', () => {
  it('put an index template under its name', () => {
    const [logs] = domainIndexTemplates({ replicas: 0 });

    assert.deepEqual(indexTemplateRequest(logs!), {
      method: 'PUT',
      path: '/_index_template/vigil-logs',
      body: logs!.body,
    });
  });

  it('create an ISM policy without a version, and update one at the version it stands at', () => {
    const [operational] = ismPolicies();

    assert.deepEqual(ismPolicyPutRequest(operational!), {
      method: 'PUT',
      path: '/_plugins/_ism/policies/vigil-operational-retention',
      body: operational!.body,
    });
    assert.deepEqual(ismPolicyPutRequest(operational!, { seqNo: 7, primaryTerm: 2 }).querystring, {
      if_seq_no: 7,
      if_primary_term: 2,
    });
  });

  it("read an ISM policy's version from what GET answers", () => {
    // The shape of GET _plugins/_ism/policies/<id> in the ISM API reference.
    const body = { _id: 'p', _version: 3, _seq_no: 12, _primary_term: 1, policy: { policy_id: 'p' } };

    assert.deepEqual(ismPolicyVersion(body), { seqNo: 12, primaryTerm: 1 });
    assert.throws(
      () => ismPolicyVersion({ _id: 'p' }),
      /expected _seq_no and _primary_term in the ISM policy/,
    );
  });

  it("move the indices a policy manages onto its new version, found by the policy's own patterns", () => {
    const [operational, audit] = ismPolicies();

    assert.deepEqual(ismChangePolicyRequest(operational!), {
      method: 'POST',
      path: '/_plugins/_ism/change_policy/vigil-logs-*,vigil-spans-*,vigil-predictions-*',
      body: { policy_id: 'vigil-operational-retention' },
    });
    assert.equal(ismChangePolicyRequest(audit!)?.path, '/_plugins/_ism/change_policy/vigil-audit-*');
    assert.equal(ismChangePolicyRequest({ id: 'bare', body: { policy: {} } }), undefined);
  });

  it('map exactly the given IAM roles, once each and in a stable order, and no users or hosts', () => {
    const request = roleMappingRequest(EVENTS_WRITER_ROLE, [WRITER_ARN, READER_ARN, WRITER_ARN]);

    assert.deepEqual(request, {
      method: 'PUT',
      path: '/_plugins/_security/api/rolesmapping/vigil_events_writer',
      body: { backend_roles: [READER_ARN, WRITER_ARN], hosts: [], users: [] },
    });
  });
});
