import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DynamoDbRuleStateRepository } from '../../../../../lambdas/alerts/adapters/aws/dynamodb-rule-state-repository.js';
import type { RuleState } from '../../../../../lambdas/alerts/core/rule-evaluation.js';
import { MINUTE, startTestStateTable, T0, TestClock, type TestStateTable } from './fixtures.js';

let table: TestStateTable;

function repository(pageSize?: number): DynamoDbRuleStateRepository {
  return new DynamoDbRuleStateRepository({
    client: table.client,
    tableName: table.tableName,
    now: new TestClock().now,
    pageSize,
  });
}

/** A rule's state after `version` evaluations a minute apart, with a pending and a firing alert. */
function ruleState(rule: string, version: number): RuleState {
  const evaluatedAt = T0 + version * MINUTE;
  return {
    rule,
    version,
    evaluatedAt,
    alerts: [
      {
        labels: { model: 'churn-model', modelVersion: 'v7' },
        state: 'firing',
        activeAt: T0 - 10 * MINUTE,
        firedAt: T0 - 5 * MINUTE,
        value: 0.05 + 0.01,
        lastEvaluatedAt: evaluatedAt,
      },
      {
        labels: { model: 'fraud-detector' },
        state: 'pending',
        activeAt: evaluatedAt,
        value: 1e-7,
        lastEvaluatedAt: evaluatedAt,
      },
    ],
  };
}

describe('DynamoDbRuleStateRepository against dynalite', () => {
  beforeEach(async () => {
    table = await startTestStateTable();
  });
  afterEach(() => table.close());

  it('reads back every rule state exactly, one by name and all of them', async () => {
    const repo = repository(1);
    const states = ['HighErrorRate', 'LatencyP99 > 500ms', 'CostBudget'].map((rule) => ruleState(rule, 1));
    for (const state of states) assert.equal(await repo.put(state), true);

    const one = await repo.get('LatencyP99 > 500ms');
    const all = await repo.list();

    assert.deepEqual(one, states[1]);
    assert.equal(one?.alerts[0]?.value, 0.05 + 0.01, 'doubles round-trip exactly');
    assert.deepEqual(
      all.map((state) => state.rule),
      ['CostBudget', 'HighErrorRate', 'LatencyP99 > 500ms'],
    );
    assert.equal(await repo.get('NeverEvaluated'), undefined);
  });

  it('refuses a replayed or concurrent evaluation', async () => {
    const repo = repository();
    await repo.put(ruleState('HighErrorRate', 1));

    const [first, second] = await Promise.all([
      repo.put(ruleState('HighErrorRate', 2)),
      repo.put({ ...ruleState('HighErrorRate', 2), alerts: [] }),
    ]);
    const replayed = await repo.put(ruleState('HighErrorRate', 2));
    const fresh = await repo.put(ruleState('Other', 5));

    assert.equal([first, second].filter(Boolean).length, 1);
    assert.equal(replayed, false);
    assert.equal(fresh, false, 'a state after 5 evaluations needs the 4th stored');
    assert.equal((await repo.get('HighErrorRate'))?.version, 2);
  });
});
