import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readEscalationConfig } from '../../../../lambdas/escalation/core/escalation-config.js';
import { DEFAULT_ESCALATION_CONFIG } from '../../../../lambdas/escalation/core/policy.js';

const policies = (target: string) => ({
  policies: { p: { tiers: [{ name: 'a', targets: [target], timeoutMs: 300_000 }] } },
  severityPolicies: { critical: 'p' },
});
const slack = { name: 'slack-ops', type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' };

describe('readEscalationConfig', () => {
  it('takes the defaults when the runtime config has no escalation slice', () => {
    assert.deepEqual(readEscalationConfig({ channels: [] }), DEFAULT_ESCALATION_CONFIG);
  });

  it('accepts tiers that target a configured channel, and refuses one that does not exist', () => {
    assert.equal(
      readEscalationConfig({ escalation: policies('slack-ops'), channels: [slack] }).policies.p?.tiers[0]
        ?.targets[0],
      'slack-ops',
    );
    assert.throws(
      () => readEscalationConfig({ escalation: policies('slack-dev'), channels: [slack] }),
      /invalid escalation config in the runtime config: .*"slack-dev" is not a channel/,
    );
  });
});
