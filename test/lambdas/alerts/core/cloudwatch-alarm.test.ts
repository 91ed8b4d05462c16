import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertFromAlarmStateChange } from '../../../../lambdas/alerts/core/cloudwatch-alarm.js';
import { alertFingerprint } from '../../../../lambdas/alerts/core/fingerprint.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';
import { type CloudWatchAlarmEvent, cloudWatchAlarmExample } from './fixtures/fixtures.js';

const example = cloudWatchAlarmExample;

/** The example with the alarm moved on from ALARM to `value` (at a later time). */
function movedTo(value: string) {
  const event = example();
  event.detail.previousState = event.detail.state;
  event.detail.state = { value, reason: `now ${value}`, timestamp: '2019-10-02T17:20:40.000+0000' };
  return event;
}

describe('alertFromAlarmStateChange', () => {
  it('fires an alert named after the alarm when it goes to ALARM', () => {
    const alert = alertFromAlarmStateChange(example());

    assert.deepEqual(alert, {
      name: 'ServerCpuTooHigh',
      labels: { account: '123456789012', region: 'us-east-1' },
      annotations: {
        summary: 'Goes into alarm when server CPU utilization is too high!',
        description:
          'Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).',
        metric: 'AWS/EC2 CPUUtilization',
      },
      source: 'cloudwatch',
      status: 'firing',
      startsAt: Date.parse('2019-10-02T17:04:40.989Z'),
      endsAt: undefined,
      generatorUrl:
        'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/ServerCpuTooHigh',
    });
  });

  it('resolves the same alert when it goes back to OK, from when it went into ALARM', () => {
    const firing = alertFromAlarmStateChange(example())!;

    const resolved = alertFromAlarmStateChange(movedTo('OK'))!;

    assert.equal(resolved.status, 'resolved');
    assert.equal(alertFingerprint(resolved), alertFingerprint(firing));
    assert.equal(resolved.startsAt, Date.parse('2019-10-02T17:04:40.989Z'));
    assert.equal(resolved.endsAt, Date.parse('2019-10-02T17:20:40.000Z'));
  });

  it('changes nothing for INSUFFICIENT_DATA', () => {
    assert.equal(alertFromAlarmStateChange(movedTo('INSUFFICIENT_DATA')), undefined);
  });

  it('reads the model and severity from the alarm tags, or the model from a metric dimension', () => {
    const tagged = example();
    tagged.detail.alarmTags = { model: 'fraud-detector', severity: 'critical', team: 'ml' };
    const dimensioned = example();
    dimensioned.detail.configuration.metrics[0]!.metricStat.metric.dimensions.model = 'churn';

    assert.deepEqual(alertFromAlarmStateChange(tagged)?.labels, {
      account: '123456789012',
      region: 'us-east-1',
      model: 'fraud-detector',
      severity: 'critical',
    });
    assert.equal(alertFromAlarmStateChange(dimensioned)?.labels.model, 'churn');
  });

  const invalid = [
    {
      title: 'another kind of event',
      change: (event: CloudWatchAlarmEvent) => {
        event['detail-type'] = 'EC2 Instance State-change Notification';
      },
      message: /detail-type: must be "CloudWatch Alarm State Change"/,
    },
    {
      title: 'an unknown state',
      change: (event: CloudWatchAlarmEvent) => {
        event.detail.state.value = 'BROKEN';
      },
      message: /detail\.state\.value: must be ALARM, OK or INSUFFICIENT_DATA, got "BROKEN"/,
    },
    {
      title: 'no alarm name',
      change: (event: CloudWatchAlarmEvent) => {
        delete event.detail.alarmName;
      },
      message: /detail\.alarmName:/,
    },
  ];
  for (const { title, change, message } of invalid) {
    it(`refuses ${title}, naming the field`, () => {
      const event = example();
      change(event);

      assert.throws(
        () => alertFromAlarmStateChange(event),
        (error: unknown) => error instanceof ValidationError && message.test(error.message),
      );
    });
  }
});
