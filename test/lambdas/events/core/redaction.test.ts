import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor, isSensitiveKey, REDACTED } from '../../../../lambdas/events/core/redaction.js';

// `user:password` in base64 (RFC 7617 section 2's example is "Aladdin:open sesame").
const BASIC_CREDENTIALS = Buffer.from('Aladdin:open sesame').toString('base64');
// AWS's documented example access key id.
const AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
// jwt.io's example token.
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('isSensitiveKey', () => {
  const sensitive = [
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'Set-Cookie',
    'x-api-key',
    'X-API-KEY',
    'api-key',
    'apikey',
    'api_key',
    'x-auth-token',
    'password',
    'PASSWORD',
    'secret',
    'token',
    'http.request.header.authorization',
    'http.request.header.cookie',
    'http.response.header.set-cookie',
    'db_password',
    'access_token',
    'client-secret',
    'accessToken',
    'clientSecret',
    'openai.api_key',
  ];
  const harmless = [
    'model',
    'http.request.method',
    'input_tokens',
    'gen_ai.usage.output_tokens',
    'token_count',
    'tokenCount',
    'secretary',
    'user.id',
    'keyboard',
  ];
  for (const key of sensitive)
    it(`treats "${key}" as a credential key`, () => assert.equal(isSensitiveKey(key), true));
  for (const key of harmless) it(`leaves "${key}" alone`, () => assert.equal(isSensitiveKey(key), false));
});

describe('createRedactor: strings', () => {
  const redactor = createRedactor();
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    [
      'a bearer token',
      'calling upstream with Bearer abc.DEF-123_~+/==',
      `calling upstream with Bearer ${REDACTED}`,
    ],
    ['a lower-case bearer token', 'bearer s3cr3t-t0k3n', `bearer ${REDACTED}`],
    ['basic credentials', `Basic ${BASIC_CREDENTIALS} sent`, `Basic ${REDACTED} sent`],
    ['"basic" as a plain word', 'basic usage of the API failed', 'basic usage of the API failed'],
    [
      'an e-mail address',
      'no account for jane.doe+ml@example.co.uk today',
      `no account for ${REDACTED} today`,
    ],
    [
      'an AWS access key id',
      `signed with ${AWS_ACCESS_KEY_ID} in eu-west-1`,
      `signed with ${REDACTED} in eu-west-1`,
    ],
    ['a JSON web token', `token was ${JWT}.`, `token was ${REDACTED}.`],
    [
      'URL user information',
      'cannot reach postgres://svc:hunter2@db.internal:5432/app',
      `cannot reach postgres://${REDACTED}@db.internal:5432/app`,
    ],
    ['a header line', 'Authorization: Bearer abc123\nnext', `Authorization: ${REDACTED}\nnext`],
    ['a quoted header', `curl -H 'X-Api-Key: k-123' https://x`, `curl -H 'X-Api-Key: ${REDACTED}' https://x`],
    ['cookies', 'Cookie: session=abc; theme=dark', `Cookie: ${REDACTED}`],
    ['key=value pairs', 'login password=hunter2 user=bob', `login password=${REDACTED} user=bob`],
    ['a query string', '/cb?access_token=abc&state=1', `/cb?access_token=${REDACTED}&state=1`],
    ['JSON in prose', 'body {"secret": "s3"} rejected', `body {"secret": "${REDACTED}"} rejected`],
    [
      'escaped JSON in prose',
      'payload={\\"password\\":\\"hunter2\\"}',
      `payload={\\"password\\":\\"${REDACTED}\\"}`,
    ],
    ['an unterminated quoted value', 'config {"password": "hunter2', `config {"password": "${REDACTED}"`],
    [
      'token counts',
      'input_tokens: 5, max_tokens=10, token_count=3',
      'input_tokens: 5, max_tokens=10, token_count=3',
    ],
    [
      'a PEM private key',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- loaded',
      `${REDACTED} loaded`,
    ],
    ['nothing secret', 'model churn scored 42 rows in 13ms', 'model churn scored 42 rows in 13ms'],
  ];
  for (const [what, input, expected] of cases) {
    it(`redacts ${what}`, () => assert.equal(redactor.redactText(input), expected));
  }

  it('redacts JSON text by structure, recursing into JSON held in strings', () => {
    // Prepare
    const inner = JSON.stringify({ token: 't-1', note: 'ok' });
    const text = JSON.stringify({ user: 'a@b.io', headers: { Authorization: 'Bearer x' }, inner, n: 3 });

    // Act
    const redacted = JSON.parse(redactor.redactText(text));

    // Assess
    assert.deepEqual(redacted, {
      user: REDACTED,
      headers: { Authorization: REDACTED },
      inner: JSON.stringify({ token: REDACTED, note: 'ok' }),
      n: 3,
    });
  });

  it('returns JSON text with nothing to redact exactly as it was sent', () => {
    const text = '{ "model": "churn",\n  "rows": [1, 2.50] }';

    assert.equal(redactor.redactText(text), text);
  });

  it('scans long adversarial text in linear time (no catastrophic backtracking)', () => {
    // Prepare: runs that make naive key, e-mail and URL expressions backtrack quadratically or worse.
    const text = `${'a-'.repeat(20_000)}${'x.'.repeat(20_000)}${'b'.repeat(30_000)}${'token'.repeat(5_000)}`;

    // Act
    const started = performance.now();
    const redacted = redactor.redactText(text);
    const elapsedMs = performance.now() - started;

    // Assess: quadratic scanning of 150,000 characters takes minutes; linear takes milliseconds.
    assert.equal(redacted, text);
    assert.ok(elapsedMs < 1_000, `${elapsedMs} ms`);
  });
});

describe('createRedactor: attributes', () => {
  it('redacts the values of credential keys whatever their type, and secrets inside other strings', () => {
    const redactor = createRedactor();

    const redacted = redactor.redactAttributes({
      'http.request.header.authorization': 'Bearer abc',
      'http.request.header.x-api-key': 12345,
      password: true,
      'user.email': 'ops@example.com',
      'http.route': '/predict',
      'gen_ai.usage.input_tokens': 512,
    });

    assert.deepEqual(redacted, {
      'http.request.header.authorization': REDACTED,
      'http.request.header.x-api-key': REDACTED,
      password: REDACTED,
      'user.email': REDACTED,
      'http.route': '/predict',
      'gen_ai.usage.input_tokens': 512,
    });
  });
});

describe('createRedactor: configured patterns', () => {
  it('redacts every match of each configured pattern, alongside the built-in rules', () => {
    const redactor = createRedactor({ patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b', 'cust_[A-Za-z0-9]+'] });

    const redacted = redactor.redactText('ssn 123-45-6789 for cust_9XkQ and bob@example.com');

    assert.equal(redacted, `ssn ${REDACTED} for ${REDACTED} and ${REDACTED}`);
  });

  it('refuses an invalid pattern at load, naming it', () => {
    assert.throws(
      () => createRedactor({ patterns: ['ok', '(unclosed'] }),
      /redaction pattern 2 \("\(unclosed"\) is not a valid JavaScript regular expression/,
    );
  });

  it('refuses a pattern that matches the empty string', () => {
    assert.throws(
      () => createRedactor({ patterns: ['x*'] }),
      /redaction pattern 1 \("x\*"\) matches the empty string/,
    );
  });

  it('refuses numbered back-references, which would point at the wrong group once combined', () => {
    assert.throws(() => createRedactor({ patterns: ['(a)\\1'] }), /uses a numbered back-reference/);
  });
});
