import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAckLink } from '../../../../lambdas/alerts/core/ack-links.js';
import {
  acknowledgeIncident,
  appendTimelineEvents,
  type Incident,
  resolveIncident,
} from '../../../../lambdas/alerts/core/incident.js';
import {
  audienceOf,
  decideAdvance,
  decideExhausted,
  decideFailed,
  decideNotify,
  describeFailure,
  type EscalationState,
  escalationStart,
  executionName,
  formatDuration,
  hasStepEvent,
  stopNotice,
  stopReason,
} from '../../../../lambdas/escalation/core/escalation.js';
import {
  DEFAULT_ESCALATION_CONFIG,
  type EscalationPolicy,
  parseEscalationConfig,
} from '../../../../lambdas/escalation/core/policy.js';
import { incidentNoticeSchema } from '../../../../lambdas/notifications/core/message.js';
import { MINUTE, openedIncident, SETTINGS, T0 } from '../fixtures.js';

const policy: EscalationPolicy = parseEscalationConfig({
  policies: {
    p: {
      tiers: [
        { name: 'on-call', targets: ['severity-topic'], timeoutMs: '5m' },
        { name: 'manager', targets: ['slack-managers'], timeoutMs: '90s' },
      ],
      repeat: 1,
    },
  },
  severityPolicies: { critical: 'p' },
}).policies.p!;

const incident = openedIncident();
const start = (at = T0): EscalationState => escalationStart(incident, 'p', at).state;
const at = (state: Partial<EscalationState>): EscalationState => ({ ...start(), ...state });

describe('executionName', () => {
  it('names one execution per opening of an incident, within Step Functions rules', () => {
    assert.equal(executionName({ id: 'inc-0123456789abcdef', reopenCount: 0 }), 'inc-0123456789abcdef-0');
    assert.equal(executionName({ id: 'inc-0123456789abcdef', reopenCount: 2 }), 'inc-0123456789abcdef-2');
    const long = executionName({ id: `inc:${'x'.repeat(100)}`, reopenCount: 12 });
    assert.equal(long.length, 80);
    assert.match(long, /^[\w-]+-12$/);
  });

  it('names one execution per opening and policy, when given the policy', () => {
    assert.equal(executionName({ id: 'inc-1', reopenCount: 0 }, 'p0'), 'inc-1-0-p0');
    assert.equal(executionName({ id: 'inc-1', reopenCount: 1 }, 'team.p1'), 'inc-1-1-team_p1');
    const long = executionName({ id: `inc-${'x'.repeat(100)}`, reopenCount: 3 }, 'p'.repeat(64));
    assert.equal(long.length, 80);
    assert.ok(long.endsWith(`-3-${'p'.repeat(64)}`));
  });
});

describe('stopReason', () => {
  const cases: [string, Incident | undefined, EscalationState, string | undefined][] = [
    ['an open incident', incident, start(), undefined],
    [
      'an acknowledged incident',
      acknowledgeIncident(incident, 'alice', T0),
      start(),
      'acknowledged by alice',
    ],
    ['a resolved incident', resolveIncident(incident, 'bob', T0), start(), 'resolved by bob'],
    ['a missing incident', undefined, start(), `incident ${incident.id} no longer exists`],
    [
      'an incident reopened since',
      { ...incident, reopenCount: 1 },
      start(),
      `incident ${incident.id} resolved and reopened since; the escalation of its reopening took over`,
    ],
  ];
  for (const [what, subject, state, reason] of cases) {
    it(`is ${reason === undefined ? 'none' : `"${reason}"`} for ${what}`, () => {
      assert.equal(stopReason(state, subject), reason);
    });
  }

  it("stops an escalation whose policy is no longer the one of the incident's severity, given the config", () => {
    // Prepare: the defaults map critical to p0 and warning to p2.
    const escalatingWarning = escalationStart({ ...incident, severity: 'warning' }, 'p2', T0).state;
    const nowCritical = { ...incident, severity: 'critical' as const };

    // Act and Assess
    assert.equal(
      stopReason(escalatingWarning, nowCritical, DEFAULT_ESCALATION_CONFIG),
      'the incident is critical now; the escalation by policy p0 took over from p2',
    );
    assert.equal(
      stopReason({ ...escalatingWarning, policy: 'p0' }, nowCritical, DEFAULT_ESCALATION_CONFIG),
      undefined,
    );
    assert.equal(
      stopReason(escalatingWarning, nowCritical),
      undefined,
      'without the config, only the incident counts',
    );
  });
});

describe('decideAdvance', () => {
  // Two tiers, one repeat: (tier, round) goes (0,0) -> (1,0) -> (0,1) -> (1,1) -> exhausted.
  const cases: [[number, number], string, [number, number]][] = [
    [[0, 0], 'next', [1, 0]],
    [[1, 0], 'next', [0, 1]],
    [[0, 1], 'next', [1, 1]],
    [[1, 1], 'exhausted', [1, 1]],
  ];
  for (const [[tier, round], outcome, [nextTier, nextRound]] of cases) {
    it(`goes from tier ${tier} of round ${round} to ${outcome} (${nextTier}, ${nextRound})`, () => {
      const decision = decideAdvance(at({ tier, round }), policy);
      assert.equal(decision.outcome, outcome);
      assert.deepEqual([decision.state.tier, decision.state.round], [nextTier, nextRound]);
    });
  }
});

describe('decideNotify', () => {
  it('notifies the tier with a notice the formatter accepts, and waits for its timeout', () => {
    // Act
    const decision = decideNotify(at({ tier: 1 }), policy, incident, T0 + 5 * MINUTE, SETTINGS);

    // Assess
    assert.equal(decision.outcome, 'notified');
    if (decision.outcome !== 'notified') return;
    assert.equal(decision.timeoutSeconds, 90);
    const { notice, audience } = decision.delivery;
    assert.deepEqual(incidentNoticeSchema.parse(notice), notice);
    assert.equal(notice.id, `${executionName(incident, 'p')}:trigger:2:1`);
    assert.deepEqual(notice.tier, { index: 2, name: 'manager', of: 2 });
    assert.equal(notice.at, '2026-03-10T14:05:00.000Z');
    assert.equal(notice.links.acknowledge, `https://api.vigil.example/api/v1/incidents/${incident.id}/ack`);
    assert.deepEqual(audience, { channels: ['slack-managers'] });
    assert.deepEqual(decision.event, {
      at: T0 + 5 * MINUTE,
      type: 'escalated',
      actor: 'vigil',
      message:
        'notified tier 2 of 2 (manager, round 1 of 2): slack-managers; waiting 1m30s for an acknowledgement',
    });
  });

  it('gives a retried step the same notice id, and another round another one', () => {
    const first = decideNotify(start(), policy, incident, T0, SETTINGS);
    const retried = decideNotify(start(), policy, incident, T0 + 1000, SETTINGS);
    const nextRound = decideNotify(at({ round: 1 }), policy, incident, T0, SETTINGS);

    const id = (decision: ReturnType<typeof decideNotify>) =>
      decision.outcome === 'notified' ? decision.delivery.notice.id : undefined;
    assert.equal(id(first), id(retried));
    assert.notEqual(id(first), id(nextRound));
  });

  it('stops without notifying once the incident is acknowledged', () => {
    const decision = decideNotify(start(), policy, acknowledgeIncident(incident, 'alice', T0), T0, SETTINGS);

    assert.deepEqual(decision, { outcome: 'stopped', reason: 'acknowledged by alice' });
  });

  it('fails on a tier the policy does not have (the config changed under a running escalation)', () => {
    assert.throws(
      () => decideNotify(at({ tier: 5 }), policy, incident, T0, SETTINGS),
      /policy p has 2 tier\(s\)/,
    );
  });
});

describe('decideExhausted and decideFailed', () => {
  it('tells every target that nobody acknowledged, with the reason', () => {
    const decision = decideExhausted(at({ tier: 1, round: 1 }), policy, incident, T0, SETTINGS);

    assert.equal(decision.outcome, 'unacknowledged');
    if (decision.outcome !== 'unacknowledged') return;
    assert.equal(decision.delivery.notice.reason, 'nobody acknowledged after 2 tier(s) and 2 rounds');
    assert.deepEqual(decision.delivery.audience, {}, 'the severity topic is among the targets: everyone');
    assert.equal(decision.event.type, 'escalation-exhausted');
  });

  it('says which step failed and why, with the Lambda error message out of its cause', () => {
    const failure = {
      Error: 'ProvisionedThroughputExceededException',
      Cause: JSON.stringify({
        errorType: 'ProvisionedThroughputExceededException',
        errorMessage: 'Rate of requests exceeds the allowed throughput.',
        trace: ['at ...'],
      }),
    };

    const decision = decideFailed(at({ tier: 1 }), policy, incident, failure, T0, SETTINGS);

    const reason =
      'escalation failed at tier 2 of 2 (manager, round 1 of 2): ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.';
    assert.equal(decision.delivery.notice.reason, reason);
    assert.equal(decision.delivery.notice.event, 'escalation-failed');
    assert.equal(decision.event.message, `${reason}; nobody is being paged for this incident now`);
  });
});

describe('describeFailure', () => {
  const cases: [string, Parameters<typeof describeFailure>[0], string][] = [
    ['no failure', undefined, 'an unknown error'],
    ['a name only', { Error: 'States.Timeout' }, 'States.Timeout'],
    ['a plain cause', { Error: 'Error', Cause: 'sns is down' }, 'Error: sns is down'],
    [
      'a Lambda error document',
      { Error: 'TypeError', Cause: '{"errorMessage":"x is undefined"}' },
      'TypeError: x is undefined',
    ],
  ];
  for (const [what, failure, text] of cases) {
    it(`reads ${what}`, () => assert.equal(describeFailure(failure), text));
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [45_000, '45s'],
    [5 * MINUTE, '5m'],
    [90 * MINUTE, '1h30m'],
    [2 * 86_400_000 + 1000, '2d1s'],
  ];
  for (const [ms, text] of cases)
    it(`writes ${ms} ms as ${text}`, () => assert.equal(formatDuration(ms), text));
});

describe('audienceOf', () => {
  it('is everyone on the topic when the severity topic is a target, else the channels', () => {
    assert.deepEqual(audienceOf(['slack', 'severity-topic']), {});
    assert.deepEqual(audienceOf(['slack', 'pagerduty']), { channels: ['slack', 'pagerduty'] });
  });

  it('adds the topics named by ARN, and leaves the severity topic out when they are all there is', () => {
    const team = 'arn:aws:sns:eu-west-1:123456789012:team-pager';
    assert.deepEqual(audienceOf(['severity-topic', team]), { topics: [team] });
    assert.deepEqual(audienceOf(['slack', team]), { channels: ['slack'], topics: [team] });
    assert.deepEqual(audienceOf([team]), { topics: [team], severityTopic: false });
  });
});

describe('acknowledge links in notices', () => {
  it('links a signed acknowledge URL in a trigger notice when the settings sign links, and none in a stop notice', () => {
    // Prepare
    const ackLinks = { key: 'k'.repeat(64) };
    const settings = { ...SETTINGS, ackLinks };

    // Act
    const decision = decideNotify(start(), policy, incident, T0, settings);
    const stop = stopNotice(acknowledgeIncident(incident, 'alice', T0), 'acknowledge', policy, T0, settings);

    // Assess
    assert.equal(decision.outcome, 'notified');
    const link = decision.outcome === 'notified' ? decision.delivery.notice.links.acknowledgeLink : undefined;
    assert.ok(link?.startsWith(`${SETTINGS.apiBaseUrl}/ack/${incident.id}?`), link);
    const { exp, sig } = Object.fromEntries(new URL(link!).searchParams);
    assert.equal(checkAckLink(incident.id, { exp, sig }, ackLinks.key, T0).ok, true);
    assert.equal(stop.notice.links.acknowledgeLink, undefined);
    assert.equal(
      incidentNoticeSchema.parse(decision.outcome === 'notified' && decision.delivery.notice).links
        .acknowledgeLink,
      link,
    );
  });
});

describe('stopNotice', () => {
  it('tells the policy targets that the incident was acknowledged, once per opening', () => {
    const acknowledged = acknowledgeIncident(incident, 'alice', T0 + MINUTE);

    const { notice, audience } = stopNotice(acknowledged, 'acknowledge', policy, T0 + MINUTE, SETTINGS);

    assert.equal(notice.id, `${executionName(incident)}:acknowledge`);
    assert.equal(notice.incident.acknowledgedBy, 'alice');
    assert.deepEqual(audience, {});
    assert.deepEqual(incidentNoticeSchema.parse(notice), notice);
  });
});

describe('hasStepEvent', () => {
  it('finds a step entry recorded since the escalation started, and only then', () => {
    const decision = decideNotify(start(T0), policy, incident, T0 + MINUTE, SETTINGS);
    assert.equal(decision.outcome, 'notified');
    if (decision.outcome !== 'notified') return;
    const recorded = appendTimelineEvents(incident, [decision.event]);
    const retried = { ...decision.event, at: T0 + 2 * MINUTE };

    assert.equal(hasStepEvent(recorded, retried, T0), true);
    assert.equal(hasStepEvent(incident, retried, T0), false);
    assert.equal(
      hasStepEvent(recorded, retried, T0 + 2 * MINUTE),
      false,
      'an earlier escalation does not count',
    );
  });
});
