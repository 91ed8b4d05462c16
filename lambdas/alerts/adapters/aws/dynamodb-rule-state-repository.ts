import type { RuleState } from '../../core/rule-evaluation.js';
import type { RuleStateRepository } from '../../ports/rule-state-repository.js';
import { type StateTableRepositoryProps, VersionedItems } from './versioned-items.js';

/** Partition key of alert rule states (`sk` is the rule's name). */
export const RULE_STATE_PARTITION = 'RULESTATE';

/** Properties of `DynamoDbRuleStateRepository`. */
export type DynamoDbRuleStateRepositoryProps = StateTableRepositoryProps;

/** Alert rule states in the state table's `RULESTATE` partition, one item per rule. */
export class DynamoDbRuleStateRepository implements RuleStateRepository {
  private readonly items: VersionedItems<RuleState>;

  constructor(props: DynamoDbRuleStateRepositoryProps) {
    this.items = new VersionedItems(RULE_STATE_PARTITION, props);
  }

  get(rule: string): Promise<RuleState | undefined> {
    return this.items.get(rule);
  }

  list(): Promise<RuleState[]> {
    return this.items.query();
  }

  put(state: RuleState): Promise<boolean> {
    return this.items.put({ key: state.rule, version: state.version, record: state });
  }
}
