import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileTemplate,
  formatGoFloat,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  renderTemplate,
  templateProblem,
} from '../../../../lambdas/alerts/core/templates.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

// Reference outputs from Prometheus' template tests (prometheus/prometheus template/template_test.go and
// prometheus/common helpers/templates/time_test.go), which run the real Go functions. Go turns MaxInt64 into
// the float64 2^63.
describe('humanize functions (Prometheus reference values)', () => {
  const cases: ReadonlyArray<readonly [string, (value: number) => string, readonly number[], string]> = [
    ['humanize', humanize, [0, 1, 1234567, 0.12], '0:1:1.235M:120m'],
    ['humanize of integers', humanize, [0, -1, 1, 1234567, 2 ** 63], '0:-1:1:1.235M:9.223E'],
    ['humanize of infinities and NaN', humanize, [Infinity, -Infinity, Number.NaN], '+Inf:-Inf:NaN'],
    ['humanize1024', humanize1024, [0, 1, 1048576, 0.12], '0:1:1Mi:0.12'],
    ['humanize1024 of integers', humanize1024, [0, -1, 1, 1234567, 2 ** 63], '0:-1:1:1.177Mi:8Ei'],
    [
      'humanizeDuration in whole units',
      humanizeDuration,
      [0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99, 1234567],
      '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:14d 6h 56m 7s',
    ],
    [
      'humanizeDuration below and around a second',
      humanizeDuration,
      [0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345],
      '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s',
    ],
    [
      'humanizeDuration of infinities and NaN',
      humanizeDuration,
      [Infinity, -Infinity, Number.NaN],
      '+Inf:-Inf:NaN',
    ],
    [
      'humanizePercentage',
      humanizePercentage,
      [-0.22222, 0, 0.1234567, 1.23456, 1234567],
      '-22.22%:0%:12.35%:123.5%:1.235e+08%',
    ],
  ];
  for (const [title, format, inputs, expected] of cases) {
    it(title, () => {
      const rendered = inputs.map(format).join(':');

      assert.equal(rendered, expected);
    });
  }
});

describe('formatGoFloat', () => {
  // Go's fmt: Println(100000.0) is 100000, Println(1000000.0) is 1e+06; %.4g examples from the fmt docs.
  const cases: ReadonlyArray<readonly [number, number | undefined, string]> = [
    [100000, undefined, '100000'],
    [1000000, undefined, '1e+06'],
    [1234567, undefined, '1.234567e+06'],
    [0.0001, undefined, '0.0001'],
    [0.00001, undefined, '1e-05'],
    [0.1 + 0.2, undefined, '0.30000000000000004'],
    [0.0625, undefined, '0.0625'],
    [-2.5, undefined, '-2.5'],
    [123.45, 4, '123.5'],
    [12312.2, 4, '1.231e+04'],
    [1.6069, 4, '1.607'],
    [0.0006069, 4, '0.0006069'],
    [0.00012345, 4, '0.0001234'],
    // An exact tie rounds to even in Go (JavaScript's toPrecision would give 1235 and 1.3).
    [1234.5, 4, '1234'],
    [1.25, 2, '1.2'],
    [9999.5, 4, '1e+04'],
    [1200, 4, '1200'],
  ];
  for (const [value, precision, expected] of cases) {
    it(`prints ${value} with ${precision === undefined ? '%v' : `%.${precision}g`} as ${expected}`, () => {
      assert.equal(formatGoFloat(value, precision), expected);
    });
  }
});

describe('renderTemplate', () => {
  const data = { labels: { model: 'fraud', alertname: 'ModelErrorRateHigh', share: '0.25' }, value: 0.0625 };
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['a label', 'Model {{ $labels.model }} fails', 'Model fraud fails'],
    ['a label written the Go way', '{{ .Labels.alertname }}', 'ModelErrorRateHigh'],
    ['a missing label as empty text', '[{{ $labels.region }}]', '[]'],
    ['the value as Go prints it', 'rate {{ $value }}', 'rate 0.0625'],
    ['the value written the Go way', '{{ .Value }}', '0.0625'],
    ['a piped function', '{{ $value | humanizePercentage }}', '6.25%'],
    ['a called function', '{{ humanize $value }}', '62.5m'],
    ['a numeric label through a function', '{{ $labels.share | humanizePercentage }}', '25%'],
    ['a label that is not a number unchanged', '{{ $labels.model | humanize }}', 'fraud'],
    ['text without actions', 'plain text', 'plain text'],
    ['a comment as nothing', 'a{{/* why */}}b', 'ab'],
    ['trim markers', 'a  {{- $labels.model -}}  b', 'afraudb'],
    ['no spaces inside the braces', '{{$labels.model}}', 'fraud'],
  ];
  for (const [title, template, expected] of cases) {
    it(`renders ${title}`, () => {
      const rendered = renderTemplate(template, data);

      assert.equal(rendered, expected);
    });
  }

  it('renders a missing value as "no data"', () => {
    const rendered = renderTemplate('now {{ $value | humanize }}', { labels: {}, value: undefined });

    assert.equal(rendered, 'now no data');
  });

  it('compiles once and renders for many alerts', () => {
    const template = compileTemplate('{{ $labels.model }}={{ $value }}');

    const rendered = [1, 2].map((value) => template.render({ labels: { model: `m${value}` }, value }));

    assert.deepEqual(rendered, ['m1=1', 'm2=2']);
  });
});

describe('templateProblem', () => {
  const refused: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['an unclosed action', 'value {{ $value', /unclosed template action/],
    ['an unknown function', '{{ $value | printf "%.2f" }}', /unsupported template action/],
    ['an unknown function name', '{{ $value | toUpper }}', /unsupported template function "toUpper"/],
    ['two functions', '{{ $value | humanize | humanizePercentage }}', /at most one function/],
    ['a query', '{{ query "up" }}', /unsupported template/],
    ['control flow', '{{ if gt $value 1.0 }}high{{ end }}', /unsupported template action/],
    ['a variable', '{{ $x := $value }}', /unsupported template action/],
    ['an empty action', '{{ }}', /unsupported template action/],
  ];
  for (const [title, template, message] of refused) {
    it(`refuses ${title}`, () => {
      const problem = templateProblem(template);

      assert.match(problem ?? '', message);
      assert.throws(() => compileTemplate(template), ValidationError);
    });
  }

  it('accepts what the Prometheus docs example uses', () => {
    const problem = templateProblem(
      '{{ $labels.instance }} of job {{ $labels.job }} has a median request latency above 1s (current value: {{ $value }}s)',
    );

    assert.equal(problem, undefined);
  });
});
