import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readSloFile } from '../../../../lambdas/slos/core/slo-file.js';

const availability = {
  name: 'fraud-availability',
  model: 'fraud',
  sli: { kind: 'availability' },
  objective: 0.999,
};
const latency = {
  name: 'fraud-latency',
  model: 'fraud',
  sli: { kind: 'latency', thresholdMs: 300 },
  objective: 0.99,
};

describe('readSloFile', () => {
  it('reads a JSON list of Vigil SLOs, keeping the valid ones', () => {
    const text = JSON.stringify([availability, { ...latency, objective: 99 }]);

    const file = readSloFile(text);

    assert.equal(file.openSlo, false);
    assert.deepEqual(
      file.slos.map((slo) => slo.name),
      ['fraud-availability'],
    );
    assert.deepEqual(file.problems, [
      {
        document: 1,
        path: '[1].objective',
        message: 'expected a fraction strictly between 0 and 1, such as 0.999, got 99',
        severity: 'error',
        name: 'fraud-latency',
      },
    ]);
  });

  it('reads YAML documents of one SLO each, and a document with an slos list', () => {
    const text = `name: fraud-availability
model: fraud
sli: { kind: availability }
objective: 0.999
---
slos:
  - name: fraud-latency
    model: fraud
    sli: { kind: latency, thresholdMs: 300 }
    objective: 0.99
  - name: fraud-latency
    model: fraud
    sli: { kind: latency }
`;

    const file = readSloFile(text);

    assert.deepEqual(
      file.slos.map((slo) => slo.name),
      ['fraud-availability', 'fraud-latency'],
    );
    assert.deepEqual(
      file.problems.map((problem) => [problem.document, problem.path]),
      [[2, 'slos[1].sli.thresholdMs']],
    );
  });

  it('reads OpenSLO when an object has an apiVersion', () => {
    const text = readFileSync(new URL('./fixtures/openslo/readme-other-kinds.yaml', import.meta.url), 'utf8');

    const file = readSloFile(text);

    assert.equal(file.openSlo, true);
    assert.equal(file.problems.length, 4);
  });

  it('says so when the file holds no SLO', () => {
    assert.deepEqual(readSloFile('# nothing here\n').problems, [
      {
        document: 1,
        path: '(document)',
        message: 'no SLOs in the file; expected at least one',
        severity: 'error',
      },
    ]);
  });

  it('names a document that is not valid YAML', () => {
    const file = readSloFile(`${JSON.stringify(availability)}\n---\nname: [broken\n`);

    assert.equal(file.slos.length, 1);
    assert.deepEqual(
      file.problems.map((problem) => [problem.document, problem.path, problem.message.slice(0, 24)]),
      [[2, '(document)', 'not valid YAML or JSON: ']],
    );
  });
});
