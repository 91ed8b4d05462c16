import type { AlertGroupRepository } from './alert-group-repository.js';
import type { AlertRepository } from './alert-repository.js';
import type { FatigueWindowRepository } from './fatigue-window-repository.js';
import type { IncidentRepository } from './incident-repository.js';
import type { PipelineLock } from './pipeline-lock.js';
import type { PipelineStatsRepository } from './pipeline-stats-repository.js';
import type { RuleStateRepository } from './rule-state-repository.js';
import type { SilenceRepository } from './silence-repository.js';

/** Every store the alerting context keeps its state in, created together by one adapter factory. */
export interface AlertRepositories {
  readonly alerts: AlertRepository;
  readonly groups: AlertGroupRepository;
  readonly fatigue: FatigueWindowRepository;
  readonly incidents: IncidentRepository;
  readonly silences: SilenceRepository;
  readonly stats: PipelineStatsRepository;
  readonly ruleStates: RuleStateRepository;
  readonly lock: PipelineLock;
}
