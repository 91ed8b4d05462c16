import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  awsIncidentEscalations,
  severityTopicsFromEnvironment,
} from '../../../../../lambdas/escalation/adapters/aws/escalation-dependencies.js';
import { ESCALATION_STATE_MACHINE_ENV } from '../../../../../lambdas/escalation/escalation-names.js';
import { MemoryIncidentRepository } from '../../fixtures.js';

const CRITICAL_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:vigil-prod-critical';

describe('severityTopicsFromEnvironment', () => {
  it('reads a JSON object from severity to topic ARN', () => {
    assert.deepEqual(severityTopicsFromEnvironment(`{"critical":"${CRITICAL_TOPIC}"}`), {
      critical: CRITICAL_TOPIC,
    });
  });

  it('names the variable and the problem when it is not that', () => {
    assert.throws(() => severityTopicsFromEnvironment('{'), /VIGIL_SEVERITY_TOPIC_ARNS is not JSON/);
    assert.throws(
      () => severityTopicsFromEnvironment('{"critical":"arn:aws:sqs:eu-west-1:123456789012:q"}'),
      /invalid VIGIL_SEVERITY_TOPIC_ARNS: critical: expected an SNS topic ARN/,
    );
    assert.throws(
      () => severityTopicsFromEnvironment(`{"urgent":"${CRITICAL_TOPIC}"}`),
      /invalid VIGIL_SEVERITY_TOPIC_ARNS/,
    );
  });
});

describe('awsIncidentEscalations', () => {
  it('escalates nothing when the function is given no state machine', () => {
    const saved = process.env[ESCALATION_STATE_MACHINE_ENV];
    delete process.env[ESCALATION_STATE_MACHINE_ENV];
    try {
      assert.deepEqual(awsIncidentEscalations(new MemoryIncidentRepository()), {});
    } finally {
      if (saved !== undefined) process.env[ESCALATION_STATE_MACHINE_ENV] = saved;
    }
  });
});
