import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expireSilence,
  mutingSilences,
  newSilence,
  type Silence,
  silenceMutes,
  silenceState,
} from '../../../../lambdas/alerts/core/silence.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

const NOW = Date.parse('2026-03-10T14:00:00Z');
const HOUR = 3_600_000;
const labels = { alertname: 'HighErrorRate', model: 'fraud-detector', severity: 'critical' };

function silence(overrides: Partial<Silence> = {}): Silence {
  return {
    id: 's1',
    version: 1,
    matchers: [{ name: 'model', operator: '=', value: 'fraud-detector' }],
    startsAt: NOW - HOUR,
    endsAt: NOW + HOUR,
    createdBy: 'ana',
    comment: 'retraining',
    createdAt: NOW - HOUR,
    updatedAt: NOW - HOUR,
    ...overrides,
  };
}

describe('silenceState and silenceMutes', () => {
  const cases = [
    { title: 'before its start', now: NOW - 2 * HOUR, state: 'pending', mutes: false },
    { title: 'at its start', now: NOW - HOUR, state: 'active', mutes: true },
    { title: 'while it runs', now: NOW, state: 'active', mutes: true },
    { title: 'at its end (exclusive)', now: NOW + HOUR, state: 'expired', mutes: false },
  ];
  for (const { title, now, state, mutes } of cases) {
    it(`is ${state} ${title}`, () => {
      assert.equal(silenceState(silence(), now), state);
      assert.equal(silenceMutes(silence(), labels, now), mutes);
    });
  }

  it('mutes only alerts all its matchers match', () => {
    const narrow = silence({
      matchers: [
        { name: 'model', operator: '=', value: 'fraud-detector' },
        { name: 'severity', operator: '=~', value: 'warning|info' },
      ],
    });

    assert.equal(silenceMutes(narrow, labels, NOW), false);
    assert.equal(silenceMutes(narrow, { ...labels, severity: 'info' }, NOW), true);
  });

  it('mutes only inside its weekly windows when it recurs', () => {
    // Tuesday 2026-03-10: 14:00Z is 15:00 CET, 20:00Z is 21:00 CET.
    const evenings = silence({
      startsAt: NOW - 30 * 24 * HOUR,
      endsAt: NOW + 30 * 24 * HOUR,
      recurrence: {
        timeZone: 'Europe/Berlin',
        windows: [{ days: ['tuesday'], start: '20:00', end: '23:00' }],
      },
    });

    assert.equal(silenceMutes(evenings, labels, NOW), false);
    assert.equal(silenceMutes(evenings, labels, NOW + 6 * HOUR), true);
  });

  it('lists the silences that mute an alert', () => {
    const silences = [
      silence({ id: 'a' }),
      silence({ id: 'b', matchers: [{ name: 'model', operator: '=', value: 'churn' }] }),
      silence({ id: 'c', endsAt: NOW }),
      silence({ id: 'd', matchers: [{ name: 'alertname', operator: '=~', value: 'High.*' }] }),
    ];

    assert.deepEqual(mutingSilences(silences, labels, NOW), ['a', 'd']);
  });
});

describe('newSilence', () => {
  const body = {
    matchers: [{ name: 'alertname', operator: '=', value: 'HighErrorRate' }],
    endsAt: '2026-03-10T16:00:00Z',
    createdBy: 'ana',
    comment: 'deploying v2',
  };

  it('creates a silence starting now, at version 1', () => {
    const created = newSilence(body, { id: 'sil-1', now: NOW });

    assert.deepEqual(created, {
      id: 'sil-1',
      version: 1,
      matchers: [{ name: 'alertname', operator: '=', value: 'HighErrorRate' }],
      startsAt: NOW,
      endsAt: Date.parse('2026-03-10T16:00:00Z'),
      createdBy: 'ana',
      comment: 'deploying v2',
      recurrence: undefined,
      createdAt: NOW,
      updatedAt: NOW,
    });
  });

  it('keeps a later start and reads Alertmanager-style matchers and a recurrence', () => {
    const created = newSilence(
      {
        ...body,
        startsAt: NOW + HOUR,
        matchers: [{ name: 'model', value: 'fraud.*', isRegex: true }],
        recurrence: {
          timeZone: 'Europe/Berlin',
          windows: [{ days: ['saturday:sunday'], start: '00:00', end: '24:00' }],
        },
      },
      { id: 'sil-2', now: NOW },
    );

    assert.equal(created.startsAt, NOW + HOUR);
    assert.deepEqual(created.matchers, [{ name: 'model', operator: '=~', value: 'fraud.*' }]);
    assert.deepEqual(created.recurrence?.windows[0]?.days, ['saturday', 'sunday']);
  });

  const invalid = [
    { title: 'no matchers', change: { matchers: [] }, message: /matchers: must have at least one matcher/ },
    {
      title: 'matchers that also match alerts without the label',
      change: { matchers: [{ name: 'team', operator: '=~', value: '.*' }] },
      message: /every matcher also matches alerts without the label/,
    },
    { title: 'no author', change: { createdBy: ' ' }, message: /createdBy: must not be empty/ },
    {
      title: 'no comment',
      change: { comment: undefined },
      message: /comment: must say why the silence exists/,
    },
    {
      title: 'an end in the past',
      change: { endsAt: '2026-03-10T13:00:00Z' },
      message: /endsAt: .* is not after the start/,
    },
    {
      title: 'an unreadable end',
      change: { endsAt: 'tomorrow' },
      message: /endsAt: endsAt must be ISO-8601/,
    },
    {
      title: 'a bad regular expression',
      change: { matchers: [{ name: 'model', operator: '=~', value: '(' }] },
      message: /matchers\[0\]\.value: "\(" is not a valid regular expression/,
    },
  ];
  for (const { title, change, message } of invalid) {
    it(`refuses ${title}, naming the field`, () => {
      assert.throws(
        () => newSilence({ ...body, ...change }, { id: 'x', now: NOW }),
        (error: unknown) => error instanceof ValidationError && message.test(error.message),
      );
    });
  }
});

describe('expireSilence', () => {
  it('ends an active silence now, one version on', () => {
    const expired = expireSilence(silence(), NOW);

    assert.equal(expired.endsAt, NOW);
    assert.equal(expired.version, 2);
    assert.equal(silenceState(expired, NOW), 'expired');
  });

  it('ends a pending silence before it starts', () => {
    const expired = expireSilence(silence({ startsAt: NOW + HOUR, endsAt: NOW + 2 * HOUR }), NOW);

    assert.deepEqual([expired.startsAt, expired.endsAt], [NOW, NOW]);
  });

  it('leaves an expired silence as it is', () => {
    const old = silence({ endsAt: NOW - 1 });

    assert.equal(expireSilence(old, NOW), old);
  });
});
