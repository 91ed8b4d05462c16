import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { errorPattern, MAX_TEMPLATE_CHARS } from '../../../../lambdas/events/core/error-patterns.js';

describe('errorPattern: templates', () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    [
      'a UUID and a duration with its unit',
      'Prediction 3f2a9c1b-7d4e-4b2a-9c1d-0e8f7a6b5c4d timed out after 250ms',
      'Prediction <uuid> timed out after <num>',
    ],
    ['an e-mail address', 'No account for jane.doe@example.com', 'No account for <email>'],
    [
      'an ISO-8601 timestamp and an IPv4 address with its port',
      'Connection from 10.0.12.7:5432 reset at 2026-03-10T14:00:30.123Z',
      'Connection from <ip> reset at <ts>',
    ],
    [
      'IPv6 addresses, full and compressed',
      'dial fe80::1ff:fe23:4567:890a and 2001:0db8:85a3:0000:0000:8a2e:0370:7334 and ::1 failed',
      'dial <ip> and <ip> and <ip> failed',
    ],
    [
      'a date and a time of day',
      'batch of 2026/03/10 failed at 23:59:59.5',
      'batch of <date> failed at <ts>',
    ],
    [
      'hex ids and pointers',
      'span 00f067aa0ba902b7 of trace 4bf92f3577b34da6a3ce929d0e0e4736 segfault at 0x7ffde4a1',
      'span <hex> of trace <hex> segfault at <hex>',
    ],
    [
      'URL query values, keeping the path',
      'GET https://api.example.com/v1/score?user=42&session=abc123 returned 503',
      'GET https://api.example.com/v1/score?user=<val>&session=<val> returned <num>',
    ],
    [
      'decimals, sizes and percentages',
      'CUDA out of memory: tried to allocate 1.50 GiB, 2.5GiB free, 97% used',
      'CUDA out of memory: tried to allocate <num> GiB, <num> free, <num> used',
    ],
    [
      'generated-looking ids, keeping model and algorithm names',
      'pod scoring-7f3c9a-x2k9q on A100 failed sha256 check of resnet50 weights',
      'pod scoring-<id>-<id> on A100 failed sha256 check of resnet50 weights',
    ],
    [
      'whitespace, collapsed and trimmed, with quoted text kept',
      "  KeyError: 'user_123'\n\tin   batch 12 ",
      "KeyError: 'user_<num>' in batch <num>",
    ],
    ['words with digits in them', 'http2 stream reset on v1 api', 'http2 stream reset on v1 api'],
  ];
  for (const [what, message, template] of cases) {
    it(`replaces ${what}`, () => assert.equal(errorPattern(message).template, template));
  }
});

describe('errorPattern: fingerprints', () => {
  it('is the first 16 hex characters of the SHA-256 of the template', () => {
    const { fingerprint, template } = errorPattern('Timeout after 30s calling feature store');

    assert.equal(fingerprint, createHash('sha256').update(template).digest('hex').slice(0, 16));
  });

  const same: ReadonlyArray<readonly [string, string]> = [
    [
      'Prediction 3f2a9c1b-7d4e-4b2a-9c1d-0e8f7a6b5c4d timed out after 250ms',
      'Prediction 9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d timed out after 1200ms',
    ],
    [
      'user alice@example.com exceeded quota of 1000 requests',
      'user bob.smith@corp.example.org exceeded quota of 250 requests',
    ],
    [
      'upstream 10.0.0.12:8080 refused connection at 2026-03-10T14:00:30Z',
      'upstream 192.168.1.7:9090 refused connection at 2026-03-11T09:12:01.5+01:00',
    ],
    ['order 1234567 failed: balance 12.50 below 20.00', 'order 7654321 failed: balance 3.10 below 5.00'],
    ['trace 4bf92f3577b34da6a3ce929d0e0e4736 dropped', 'trace a3ce929d0e0e47364bf92f3577b34da6 dropped'],
  ];
  for (const [first, second] of same) {
    it(`groups "${first}" with "${second}"`, () => {
      assert.equal(errorPattern(first).fingerprint, errorPattern(second).fingerprint);
    });
  }

  const different: ReadonlyArray<readonly [string, string]> = [
    ['Timeout calling feature store', 'Timeout calling model registry'],
    ["'NoneType' object has no attribute 'predict'", "'NoneType' object has no attribute 'fit'"],
    ['connection refused', 'connection reset'],
    ['model file missing', 'model file corrupt'],
  ];
  for (const [first, second] of different) {
    it(`keeps "${first}" apart from "${second}"`, () => {
      assert.notEqual(errorPattern(first).fingerprint, errorPattern(second).fingerprint);
    });
  }

  it('keeps at most 1024 characters of a long template but fingerprints the whole of it', () => {
    const head = 'stack: '.repeat(200);

    const first = errorPattern(`${head} at handler`);
    const second = errorPattern(`${head} at worker`);

    assert.equal(first.template.length, MAX_TEMPLATE_CHARS);
    assert.equal(first.template, second.template);
    assert.notEqual(first.fingerprint, second.fingerprint);
  });
});
