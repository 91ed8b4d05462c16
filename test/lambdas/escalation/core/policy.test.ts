import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  configTopicArns,
  DEFAULT_ESCALATION_CONFIG,
  type EscalationTier,
  parseEscalationConfig,
  policyFor,
  policyTargets,
  tierHolds,
} from '../../../../lambdas/escalation/core/policy.js';

const MINUTE = 60_000;

const minutesOf = (name: string) =>
  DEFAULT_ESCALATION_CONFIG.policies[name]!.tiers.map((tier) => [tier.name, tier.timeoutMs / MINUTE]);

describe('DEFAULT_ESCALATION_CONFIG', () => {
  it('mirrors the seeds: p0 pages on-call 5, manager 15, director 30 and the CTO 60 minutes', () => {
    assert.deepEqual(minutesOf('p0'), [
      ['on-call', 5],
      ['manager', 15],
      ['director', 30],
      ['cto', 60],
    ]);
    assert.equal(policyFor(DEFAULT_ESCALATION_CONFIG, 'critical')?.name, 'p0');
  });

  it('gives high (p1) and warning (p2) incidents longer at every tier, and info none', () => {
    const p0 = minutesOf('p0');
    for (const [severity, name] of [
      ['high', 'p1'],
      ['warning', 'p2'],
    ] as const) {
      assert.equal(policyFor(DEFAULT_ESCALATION_CONFIG, severity)?.name, name);
      minutesOf(name).forEach(([tier, minutes], index) => {
        assert.ok((minutes as number) > (p0[index]![1] as number), `${name} ${tier} waits longer than p0`);
      });
    }
    assert.equal(policyFor(DEFAULT_ESCALATION_CONFIG, 'info'), undefined);
  });
});

describe('parseEscalationConfig', () => {
  it('reads durations written as 5m or as ms, and fills in repeat and the condition defaults', () => {
    // Act
    const config = parseEscalationConfig({
      policies: {
        night: {
          tiers: [
            { name: 'a', targets: ['severity-topic'], timeoutMs: '90s' },
            {
              name: 'b',
              targets: ['ops'],
              timeoutMs: 600_000,
              condition: {
                timeZone: 'Europe/Berlin',
                windows: [{ days: ['saturday:sunday'], start: '00:00', end: '24:00' }],
              },
            },
          ],
        },
      },
      severityPolicies: { high: 'night' },
    });

    // Assess
    const policy = config.policies.night!;
    assert.deepEqual(
      policy.tiers.map((tier) => tier.timeoutMs),
      [90_000, 600_000],
    );
    assert.equal(policy.repeat, 0);
    assert.deepEqual(policy.tiers[1]!.condition, {
      timeZone: 'Europe/Berlin',
      windows: [{ days: ['saturday', 'sunday'], start: '00:00', end: '24:00' }],
      when: 'inside',
      otherwise: 'skip',
    });
    assert.deepEqual(config.severityPolicies, { high: 'night' });
  });

  it('takes the defaults when the config says nothing', () => {
    assert.deepEqual(parseEscalationConfig(undefined), DEFAULT_ESCALATION_CONFIG);
    assert.deepEqual(parseEscalationConfig({}), DEFAULT_ESCALATION_CONFIG);
  });

  const invalid: [string, unknown, RegExp][] = [
    [
      'a timeout that is not a duration',
      {
        policies: { p: { tiers: [{ name: 'a', targets: ['severity-topic'], timeoutMs: 'soon' }] } },
        severityPolicies: {},
      },
      /policies\.p\.tiers\[0\]\.timeoutMs: duration must look like 60s, 5m, 6h or 7d, got "soon"/,
    ],
    [
      'a timeout under a second',
      {
        policies: { p: { tiers: [{ name: 'a', targets: ['severity-topic'], timeoutMs: 500 }] } },
        severityPolicies: {},
      },
      /policies\.p\.tiers\[0\]\.timeoutMs: got 500 ms, expected whole seconds, at least 1s/,
    ],
    [
      'a tier without targets',
      { policies: { p: { tiers: [{ name: 'a', targets: [], timeoutMs: '5m' }] } }, severityPolicies: {} },
      /policies\.p\.tiers\[0\]\.targets: must name at least one target/,
    ],
    [
      'a policy without tiers',
      { policies: { p: { tiers: [] } }, severityPolicies: {} },
      /policies\.p\.tiers: must have at least one tier/,
    ],
    [
      'two tiers of one name',
      {
        policies: {
          p: {
            tiers: [
              { name: 'a', targets: ['severity-topic'], timeoutMs: '5m' },
              { name: 'a', targets: ['severity-topic'], timeoutMs: '5m' },
            ],
          },
        },
        severityPolicies: {},
      },
      /policies\.p\.tiers\[1\]\.name: "a" is used twice/,
    ],
    [
      'a severity mapped to no policy',
      { severityPolicies: { critical: 'p9' } },
      /severityPolicies\.critical: no policy "p9"; the policies are p0, p1, p2/,
    ],
    [
      'an unknown time zone in a condition',
      {
        policies: {
          p: {
            tiers: [
              {
                name: 'a',
                targets: ['severity-topic'],
                timeoutMs: '5m',
                condition: {
                  timeZone: 'Mars/Olympus',
                  windows: [{ days: ['monday'], start: '09:00', end: '17:00' }],
                },
              },
            ],
          },
        },
        severityPolicies: {},
      },
      /policies\.p\.tiers\[0\]\.condition\.timeZone: "Mars\/Olympus" is not an IANA time zone/,
    ],
    [
      'a misspelt tier field',
      {
        policies: { p: { tiers: [{ name: 'a', targets: ['severity-topic'], timeout: '5m' }] } },
        severityPolicies: {},
      },
      /policies\.p\.tiers\[0\]/,
    ],
    [
      'a repeat beyond the limit',
      {
        policies: { p: { tiers: [{ name: 'a', targets: ['severity-topic'], timeoutMs: '5m' }], repeat: 11 } },
      },
      /policies\.p\.repeat/,
    ],
  ];
  for (const [what, value, message] of invalid) {
    it(`refuses ${what}, naming the path`, () => {
      assert.throws(() => parseEscalationConfig(value), message);
    });
  }

  it('checks targets against the channels when it is given them', () => {
    const value = {
      policies: { p: { tiers: [{ name: 'a', targets: ['slack-ops', 'slak-ops'], timeoutMs: '5m' }] } },
      severityPolicies: { critical: 'p' },
    };

    assert.throws(
      () => parseEscalationConfig(value, { channels: ['slack-ops'], source: 'envs/prod' }),
      /invalid escalation config in envs\/prod: policies\.p\.tiers\[0\]\.targets: "slak-ops" is not a channel; expected "severity-topic", an SNS topic ARN or one of the channels \(slack-ops\)/,
    );
    assert.doesNotThrow(() => parseEscalationConfig(value));
  });

  it('takes SNS topics by ARN as targets, and names a malformed ARN', () => {
    // Prepare
    const withTargets = (targets: string[]) => ({
      policies: { p: { tiers: [{ name: 'a', targets, timeoutMs: '5m' }] } },
      severityPolicies: { critical: 'p' },
    });

    // Act
    const config = parseEscalationConfig(
      withTargets(['slack-ops', 'arn:aws:sns:eu-west-1:123456789012:team-pager']),
      { channels: ['slack-ops'] },
    );

    // Assess
    assert.deepEqual(configTopicArns(config), ['arn:aws:sns:eu-west-1:123456789012:team-pager']);
    assert.throws(
      () => parseEscalationConfig(withTargets(['arn:aws:sns:eu-west-1:team-pager'])),
      /targets\[0\].*got "arn:aws:sns:eu-west-1:team-pager", which is not an SNS topic ARN/,
    );
  });
});

describe('tierHolds', () => {
  const businessHours = (when: 'inside' | 'outside'): EscalationTier => ({
    name: 'manager',
    targets: ['severity-topic'],
    timeoutMs: 15 * MINUTE,
    condition: {
      timeZone: 'America/New_York',
      windows: [
        { days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], start: '09:00', end: '17:00' },
      ],
      when,
      otherwise: 'skip',
    },
  });

  // New York is UTC-4 from 2026-03-08 (daylight saving time), so 13:30Z on Tuesday 10 March is 09:30 local,
  // and 12:30Z is 08:30 local, before business hours.
  const cases: [string, EscalationTier, string, boolean][] = [
    [
      'a tier without a condition',
      { name: 'x', targets: ['t'], timeoutMs: MINUTE },
      '2026-03-14T03:00:00Z',
      true,
    ],
    ['business hours, 09:30 on a Tuesday', businessHours('inside'), '2026-03-10T13:30:00Z', true],
    ['business hours, 08:30 on a Tuesday', businessHours('inside'), '2026-03-10T12:30:00Z', false],
    ['business hours, on a Saturday', businessHours('inside'), '2026-03-14T15:00:00Z', false],
    ['outside business hours, 08:30 on a Tuesday', businessHours('outside'), '2026-03-10T12:30:00Z', true],
    ['outside business hours, 09:30 on a Tuesday', businessHours('outside'), '2026-03-10T13:30:00Z', false],
  ];
  for (const [what, tier, at, holds] of cases) {
    it(`${holds ? 'holds' : 'does not hold'} for ${what}`, () => {
      assert.equal(tierHolds(tier, Date.parse(at)), holds);
    });
  }
});

describe('policyTargets', () => {
  it('lists every target of the tiers once, in order of first mention', () => {
    const config = parseEscalationConfig({
      policies: {
        p: {
          tiers: [
            { name: 'a', targets: ['slack-ops', 'severity-topic'], timeoutMs: '5m' },
            { name: 'b', targets: ['pagerduty', 'slack-ops'], timeoutMs: '5m' },
          ],
        },
      },
      severityPolicies: {},
    });

    assert.deepEqual(policyTargets(config.policies.p!), ['slack-ops', 'severity-topic', 'pagerduty']);
  });
});
