import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { environments } from '../../../lib/config/environments.js';
import {
  environmentNames,
  loadEnvironment,
  loadLocalEnvironment,
  parseEnvironment,
} from '../../../lib/config/load-environment.js';

describe('loadEnvironment', () => {
  it('loads each deployable environment under its own name', () => {
    for (const name of ['dev', 'staging', 'prod']) {
      const environment = loadEnvironment(name);

      assert.equal(environment.name, name);
    }
  });

  it('knows exactly dev, staging and prod, in promotion order', () => {
    assert.deepEqual(environmentNames, ['dev', 'staging', 'prod']);
  });

  it('names the known environments when the name is unknown', () => {
    assert.throws(() => loadEnvironment('qa'), {
      message: 'unknown environment "qa"; expected one of: dev, staging, prod',
    });
  });

  it('does not take inherited object keys for environment names', () => {
    assert.throws(() => loadEnvironment('toString'), /unknown environment "toString"/);
  });

  it('names the known environments when no name is given', () => {
    for (const missing of [undefined, '']) {
      assert.throws(() => loadEnvironment(missing), {
        message: 'no environment given; expected -c env=<name> with one of: dev, staging, prod',
      });
    }
  });

  it('applies a metric store override', () => {
    const environment = loadEnvironment('dev', { metricStore: 'cloudwatch' });

    assert.equal(environment.metricStore, 'cloudwatch');
    assert.equal(environments.dev.metricStore, 'timestream', 'the environment itself stays as written');
  });

  it('ignores an override that is not given', () => {
    assert.equal(loadEnvironment('dev', { metricStore: undefined }).metricStore, 'timestream');
  });

  it('validates an override like the rest of the config', () => {
    assert.throws(
      () => loadEnvironment('dev', { metricStore: 'influxdb' }),
      /invalid config for environment "dev": metricStore: /,
    );
  });

  it('applies defaults for optional lists', () => {
    assert.deepEqual(loadEnvironment('dev').alarmEmails, []);
  });
});

describe('the environments as configured', () => {
  const dev = loadEnvironment('dev');
  const prod = loadEnvironment('prod');

  it('protects prod data and only prod data', () => {
    assert.equal(prod.retainData, true);
    assert.equal(dev.retainData, false);
    assert.equal(loadEnvironment('staging').retainData, false);
  });

  it('keeps prod metrics and logs longer than dev', () => {
    assert.ok(prod.retention.magneticStoreDays > dev.retention.magneticStoreDays);
    assert.ok(prod.retention.memoryStoreHours > dev.retention.memoryStoreHours);
    assert.ok(prod.retention.logRetentionDays > dev.retention.logRetentionDays);
  });

  it('gives prod functions more memory than dev', () => {
    assert.ok(prod.lambda.memorySizeMb > dev.lambda.memorySizeMb);
  });
});

describe('loadLocalEnvironment', () => {
  it('loads the local environment with Timestream retention semantics', () => {
    const local = loadLocalEnvironment();

    assert.equal(local.name, 'local');
    assert.equal(local.metricStore, 'timestream');
  });
});

describe('parseEnvironment', () => {
  const valid = {
    name: 'test',
    metricStore: 'timestream',
    retainData: false,
    retention: { memoryStoreHours: 24, magneticStoreDays: 30, logRetentionDays: 14 },
    lambda: { memorySizeMb: 512 },
    apiThrottling: { rateLimit: 10, burstLimit: 20 },
  };

  it('accepts a minimal config', () => {
    assert.equal(parseEnvironment(valid).name, 'test');
  });

  it('rejects a log retention CloudWatch does not offer, listing the ones it does', () => {
    const config = { ...valid, retention: { ...valid.retention, logRetentionDays: 10 } };

    assert.throws(
      () => parseEnvironment(config),
      /retention\.logRetentionDays: got 10 days, expected one of 1, 3, 5, 7, 14,/,
    );
  });

  it('rejects retention outside the limits Timestream sets', () => {
    // Timestream allows 1 to 8766 memory-store hours and 1 to 73000 magnetic-store days.
    const tooLong = {
      ...valid,
      retention: { ...valid.retention, memoryStoreHours: 8767, magneticStoreDays: 73_001 },
    };

    assert.throws(
      () => parseEnvironment(tooLong),
      /retention\.memoryStoreHours: .*; retention\.magneticStoreDays: /,
    );
  });

  it('rejects an account id that is not 12 digits', () => {
    assert.throws(
      () => parseEnvironment({ ...valid, account: '1234' }),
      /account: expected a 12-digit AWS account id/,
    );
  });

  it('rejects a model listed twice', () => {
    const models = [{ name: 'fraud' }, { name: 'fraud' }];

    assert.throws(
      () => parseEnvironment({ ...valid, models }),
      /models\.1\.name: model "fraud" is listed twice/,
    );
  });

  it('rejects an alarm address that is not an email', () => {
    assert.throws(() => parseEnvironment({ ...valid, alarmEmails: ['ops'] }), /alarmEmails\.0: /);
  });
});
