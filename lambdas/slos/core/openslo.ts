import { parseAllDocuments } from 'yaml';
import { SLI_KINDS, SLO_ALERT_LABELS, type SliKind, type Slo, type SloInput, sloSchema } from './slo.js';

/*
 * Imports OpenSLO v1 documents (https://github.com/OpenSLO/OpenSLO, `apiVersion: openslo/v1`) as Vigil
 * SLOs. What Vigil can honour is imported; everything else is reported as a problem naming the document
 * (1 for the first in the file), the path in it and what to change, never dropped silently and never
 * failing the whole file: an `error` skips that SLO, a `warning` imports it with the difference stated.
 *
 * Supported: `kind: SLO` with an inline `indicator` or an `indicatorRef` to a `kind: SLI` document in the
 * same import; `ratioMetric` (good/total or bad/total) and `thresholdMetric`; one rolling `timeWindow` of
 * 7d (or 1w), 28d (or 4w) or 30d; `budgetingMethod: Occurrences`; `objectives` with `target` or
 * `targetPercent`, each objective becoming its own Vigil SLO (`<name>-<objective displayName>` when there
 * are several); `description` (or metadata.displayName); metadata.labels as alert labels.
 *
 * Metric sources. Vigil computes every SLI from the prediction events it ingests, so a metric source names
 * a Vigil SLI instead of a query: `metricSource: { type: Vigil, spec: { sli, model?, modelVersion?,
 * thresholdMs? } }` (type matched without case).
 * - ratioMetric: good (or bad) and total name the same `sli`: availability, latency (with `thresholdMs` on
 *   either side) or accuracy. Vigil's own SLI decides which events are good, so good/total and bad/total
 *   mean the same thing.
 * - thresholdMetric: `sli: latency` with the objective's `op: lte` (or `lt`, read as lte) and `value` in ms
 *   as the threshold; or `sli: cost` with `op: lte` and `value` in USD as the budget per window (a cost SLO
 *   has no target, see slo.ts, so a given target is reported and ignored).
 * - The model is the metric source's `spec.model`, else the SLO's `service`; `*` means all models.
 *
 * Reported as errors (the SLO is skipped): other apiVersions, other metric source types (Prometheus,
 * Datadog, ...) and `metricSourceRef` DataSources, `raw` ratios, calendar-aligned or other windows,
 * Timeslices and RatioTimeslices budgeting, a missing indicator or an indicatorRef to no SLI in the
 * import, objectives without a usable target or threshold. Reported as warnings: `alertPolicies` (Vigil
 * alerts with its multiwindow burn-rate policy, see slo.ts), time-slice fields of objectives, op/value on
 * ratio objectives, metadata labels Vigil cannot use, a missing timeWindow (30d) or budgetingMethod
 * (Occurrences), SLI documents no SLO refers to, and the other kinds (Service, DataSource, AlertPolicy,
 * AlertCondition, AlertNotificationTarget), which Vigil has no use for.
 */

/** One thing an import could not carry over as written. */
export interface OpenSloProblem {
  /** The YAML document it is in, 1 for the first. */
  readonly document: number;
  /** Where in the document, such as `spec.timeWindow[0].duration`; `[2].spec...` inside a list of objects. */
  readonly path: string;
  readonly message: string;
  /** `error`: the SLO was not imported; `warning`: it was, with this difference. */
  readonly severity: 'error' | 'warning';
  /** The object's metadata.name, when it has one. */
  readonly name?: string;
}

/** The SLOs an import produced and what it could not carry over. */
export interface OpenSloImport {
  readonly slos: Slo[];
  readonly problems: OpenSloProblem[];
}

/** The apiVersion this importer reads. */
export const OPENSLO_API_VERSION = 'openslo/v1';

const IGNORED_KINDS = ['Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'];
const ROLLING_WINDOWS: ReadonlyMap<unknown, SloInput['window']> = new Map([
  ['7d', '7d'],
  ['1w', '7d'],
  ['28d', '28d'],
  ['4w', '28d'],
  ['30d', '30d'],
] as const);
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RESERVED_LABELS: readonly string[] = ['alertname', ...Object.values(SLO_ALERT_LABELS)];

type Fields = Readonly<Record<string, unknown>>;

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const shown = (value: unknown) =>
  value === undefined
    ? 'nothing'
    : typeof value === 'string'
      ? `"${value}"`
      : (JSON.stringify(value) ?? String(value));

/** One OpenSLO object and where it sits. */
interface Located {
  readonly document: number;
  /** `''` for a document that is the object, `[2].` for the third object of a list. */
  readonly prefix: string;
  readonly value: unknown;
}

/** Collects the problems of one object. */
class ProblemLog {
  errors = 0;
  constructor(
    private readonly problems: OpenSloProblem[],
    private readonly at: Located,
    private readonly name?: string,
  ) {}

  private add(severity: OpenSloProblem['severity'], path: string, message: string): void {
    this.problems.push({
      document: this.at.document,
      path: (path ? `${this.at.prefix}${path}` : this.at.prefix.replace(/\.$/, '')) || '(document)',
      message,
      severity,
      ...(this.name === undefined ? {} : { name: this.name }),
    });
  }

  error(path: string, message: string): void {
    this.errors++;
    this.add('error', path, message);
  }

  warning(path: string, message: string): void {
    this.add('warning', path, message);
  }
}

/** A metric source naming a Vigil SLI. */
interface VigilSource {
  readonly sli: SliKind;
  readonly model?: string;
  readonly modelVersion?: string;
  readonly thresholdMs?: number;
  /** Where the source's spec is, for problems about its model. */
  readonly specPath: string;
}

function readSource(metric: unknown, path: string, log: ProblemLog): VigilSource | undefined {
  const source = isFields(metric) ? metric.metricSource : undefined;
  if (!isFields(source)) {
    log.error(path, `expected { metricSource: { type: Vigil, spec: { sli: ... } } }, got ${shown(metric)}`);
    return undefined;
  }
  const sourcePath = `${path}.metricSource`;
  if (source.type === undefined && source.metricSourceRef !== undefined) {
    log.error(
      `${sourcePath}.metricSourceRef`,
      'DataSource references are not supported: Vigil computes SLIs from its own prediction events; use type: Vigil with spec.sli',
    );
    return undefined;
  }
  if (typeof source.type !== 'string' || source.type.toLowerCase() !== 'vigil') {
    log.error(
      `${sourcePath}.type`,
      `metric source type ${shown(source.type)} is not supported: Vigil computes SLIs from its own prediction events; use type: Vigil with spec.sli (${SLI_KINDS.join(', ')})`,
    );
    return undefined;
  }
  const spec = source.spec;
  const specPath = `${sourcePath}.spec`;
  if (!isFields(spec) || !(SLI_KINDS as readonly unknown[]).includes(spec.sli)) {
    const given = isFields(spec) ? spec.sli : undefined;
    log.error(`${specPath}.sli`, `expected one of ${SLI_KINDS.join(', ')}, got ${shown(given)}`);
    return undefined;
  }
  const text = (name: string) => {
    const value = spec[name];
    if (value === undefined || typeof value === 'string') return value;
    log.error(`${specPath}.${name}`, `expected text, got ${shown(value)}`);
    return undefined;
  };
  const thresholdMs = spec.thresholdMs;
  if (thresholdMs !== undefined && typeof thresholdMs !== 'number') {
    log.error(`${specPath}.thresholdMs`, `expected a number of milliseconds, got ${shown(thresholdMs)}`);
  }
  return {
    sli: spec.sli as SliKind,
    specPath,
    ...optional('model', text('model')),
    ...optional('modelVersion', text('modelVersion')),
    ...optional('thresholdMs', typeof thresholdMs === 'number' ? thresholdMs : undefined),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** What an indicator says, read into Vigil's terms. */
interface Indicator {
  readonly type: 'ratio' | 'threshold';
  readonly sli: SliKind;
  readonly sources: readonly VigilSource[];
  readonly thresholdMs?: number;
}

function readIndicator(spec: unknown, path: string, log: ProblemLog): Indicator | undefined {
  if (!isFields(spec)) {
    log.error(path, `expected an SLI spec with ratioMetric or thresholdMetric, got ${shown(spec)}`);
    return undefined;
  }
  const { ratioMetric, thresholdMetric } = spec;
  if ((ratioMetric === undefined) === (thresholdMetric === undefined)) {
    log.error(path, 'expected exactly one of ratioMetric or thresholdMetric');
    return undefined;
  }
  if (thresholdMetric !== undefined) {
    const source = readSource(thresholdMetric, `${path}.thresholdMetric`, log);
    if (!source) return undefined;
    if (source.sli !== 'latency' && source.sli !== 'cost') {
      log.error(
        `${source.specPath}.sli`,
        `${source.sli} is a ratio of good to all events; use ratioMetric (thresholdMetric takes latency or cost)`,
      );
      return undefined;
    }
    if (source.thresholdMs !== undefined) {
      log.warning(
        `${source.specPath}.thresholdMs`,
        "ignored: a thresholdMetric takes its threshold from each objective's op and value",
      );
    }
    return { type: 'threshold', sli: source.sli, sources: [source] };
  }
  const ratioPath = `${path}.ratioMetric`;
  if (!isFields(ratioMetric)) {
    log.error(ratioPath, `expected { good or bad, total }, got ${shown(ratioMetric)}`);
    return undefined;
  }
  if (ratioMetric.raw !== undefined) {
    log.error(
      `${ratioPath}.raw`,
      'raw (precomputed) ratios are not supported: Vigil counts good and total events itself; use good/total or bad/total',
    );
    return undefined;
  }
  if (ratioMetric.good !== undefined && ratioMetric.bad !== undefined) {
    log.error(ratioPath, 'expected good or bad, not both');
    return undefined;
  }
  const numeratorName = ratioMetric.good !== undefined ? 'good' : 'bad';
  const numerator = ratioMetric[numeratorName];
  if (numerator === undefined || ratioMetric.total === undefined) {
    log.error(ratioPath, 'expected good (or bad) and total');
    return undefined;
  }
  const sources = [
    readSource(numerator, `${ratioPath}.${numeratorName}`, log),
    readSource(ratioMetric.total, `${ratioPath}.total`, log),
  ];
  if (!sources[0] || !sources[1]) return undefined;
  const [top, bottom] = sources as [VigilSource, VigilSource];
  if (top.sli !== bottom.sli) {
    log.error(
      `${ratioPath}.total.metricSource.spec.sli`,
      `expected the same sli as ${numeratorName} ("${top.sli}"), got "${bottom.sli}"`,
    );
    return undefined;
  }
  if (top.sli === 'cost') {
    log.error(
      `${top.specPath}.sli`,
      'a cost SLI is spend against a budget: use thresholdMetric with objective op lte and value in USD',
    );
    return undefined;
  }
  const thresholds = [
    ...new Set([top.thresholdMs, bottom.thresholdMs].filter((value) => value !== undefined)),
  ];
  if (thresholds.length > 1) {
    log.error(
      ratioPath,
      `good and total give different thresholdMs (${thresholds.join(' and ')}); expected one`,
    );
    return undefined;
  }
  if (top.sli === 'latency' && thresholds.length === 0) {
    log.error(
      `${top.specPath}.thresholdMs`,
      'a latency ratio needs thresholdMs: the latency a good prediction stays within',
    );
    return undefined;
  }
  return { type: 'ratio', sli: top.sli, sources: [top, bottom], ...optional('thresholdMs', thresholds[0]) };
}

/** The SLI of one objective, or undefined (with a problem) when the objective cannot say it. */
function objectiveSli(
  indicator: Indicator,
  objective: Fields,
  path: string,
  log: ProblemLog,
): SloInput['sli'] | undefined {
  const { op, value } = objective;
  if (indicator.type === 'ratio') {
    if (op !== undefined || value !== undefined) {
      log.warning(path, 'op and value apply to a thresholdMetric; ignored for this ratioMetric');
    }
    if (indicator.sli === 'latency') return { kind: 'latency', thresholdMs: indicator.thresholdMs! };
    return { kind: indicator.sli as 'availability' | 'accuracy' };
  }
  if (typeof value !== 'number' || !(value > 0)) {
    log.error(
      `${path}.value`,
      `expected a number above 0 (the ${indicator.sli === 'cost' ? 'budget in USD' : 'latency in ms'}), got ${shown(value)}`,
    );
    return undefined;
  }
  if (op === 'lt') {
    log.warning(
      `${path}.op`,
      `Vigil counts values at or below the threshold as good; lt ${value} is read as lte ${value}`,
    );
  } else if (op !== 'lte') {
    log.error(
      `${path}.op`,
      `expected lte (or lt): a ${indicator.sli} objective keeps the value at or below ${value}, got ${shown(op)}`,
    );
    return undefined;
  }
  return indicator.sli === 'cost'
    ? { kind: 'cost', budgetUsd: value }
    : { kind: 'latency', thresholdMs: value };
}

function objectiveTarget(objective: Fields, path: string, log: ProblemLog): number | undefined {
  const { target, targetPercent } = objective;
  if (target !== undefined && targetPercent !== undefined) {
    log.error(path, 'expected target or targetPercent, not both');
    return undefined;
  }
  // 99.9 / 100 is 0.9990000000000001 in binary; 15 significant digits give back the 0.999 that was meant.
  const fraction = typeof targetPercent === 'number' ? Number((targetPercent / 100).toPrecision(15)) : target;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    const field = targetPercent !== undefined ? 'targetPercent' : 'target';
    const expected =
      field === 'target'
        ? 'a fraction strictly between 0 and 1, such as 0.999'
        : 'a percentage strictly between 0 and 100, such as 99.9';
    log.error(`${path}.${field}`, `expected ${expected}, got ${shown(objective[field])}`);
    return undefined;
  }
  return fraction;
}

function readWindow(timeWindow: unknown, log: ProblemLog): SloInput['window'] | undefined {
  if (timeWindow === undefined || timeWindow === null) {
    log.warning(
      'spec.timeWindow',
      'no timeWindow; Vigil measures the SLO over its default rolling 30d window',
    );
    return '30d';
  }
  if (!Array.isArray(timeWindow) || timeWindow.length !== 1 || !isFields(timeWindow[0])) {
    log.error('spec.timeWindow', `expected exactly one time window, got ${shown(timeWindow)}`);
    return undefined;
  }
  const window = timeWindow[0];
  if (window.calendar !== undefined || window.isRolling === false) {
    log.error(
      'spec.timeWindow[0]',
      'calendar-aligned windows are not supported; expected a rolling window (isRolling: true) of 7d, 28d or 30d',
    );
    return undefined;
  }
  const rolling = ROLLING_WINDOWS.get(window.duration);
  if (!rolling) {
    log.error(
      'spec.timeWindow[0].duration',
      `expected a rolling window of 7d (1w), 28d (4w) or 30d, got ${shown(window.duration)}`,
    );
  }
  return rolling;
}

function readBudgetingMethod(method: unknown, log: ProblemLog): void {
  if (method === undefined) {
    log.warning(
      'spec.budgetingMethod',
      'no budgetingMethod; read as Occurrences, the one method Vigil supports',
    );
  } else if (method !== 'Occurrences') {
    log.error(
      'spec.budgetingMethod',
      `${shown(method)} is not supported: Vigil budgets by occurrences (good events / all events); expected Occurrences`,
    );
  }
}

function readLabels(labels: unknown, log: ProblemLog): Record<string, string> {
  const kept: Record<string, string> = {};
  if (!isFields(labels)) return kept;
  for (const [name, value] of Object.entries(labels)) {
    const text =
      Array.isArray(value) && value.every((item) => typeof item === 'string') ? value.join(',') : value;
    if (!LABEL_NAME.test(name) || RESERVED_LABELS.includes(name) || typeof text !== 'string') {
      log.warning(
        `metadata.labels.${name}`,
        `not imported as an alert label: expected a name of letters, digits and _ other than ${RESERVED_LABELS.join(', ')}, and text or a list of text`,
      );
      continue;
    }
    kept[name] = text;
  }
  return kept;
}

const slug = (text: unknown) =>
  typeof text === 'string'
    ? text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
    : '';

/** Where a Vigil SLO field came from in the OpenSLO document, for problems the schema finds. */
interface Origins {
  readonly model: string;
  readonly sli: string;
  readonly objective: string;
}

function schemaProblems(input: SloInput, origins: Origins, log: ProblemLog): Slo | undefined {
  const parsed = sloSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const [field] = issue.path;
    const path =
      field === 'name'
        ? 'metadata.name'
        : field === 'description'
          ? 'spec.description'
          : field === 'model' || field === 'modelVersion'
            ? origins.model
            : field === 'sli'
              ? origins.sli
              : field === 'objective'
                ? origins.objective
                : field === 'alerting'
                  ? 'metadata.labels'
                  : 'spec';
    log.error(path, `${issue.message} (Vigil ${issue.path.join('.') || 'SLO'})`);
  }
  return undefined;
}

/** What importing one SLO needs from the rest of the import. */
interface ImportContext {
  readonly problems: OpenSloProblem[];
  /** The SLI documents by name. */
  readonly slis: ReadonlyMap<string, { readonly value: Fields; readonly at: Located }>;
  /** SLI documents already read (undefined when they could not be), so each is reported once. */
  readonly indicators: Map<string, Indicator | undefined>;
}

function referencedIndicator(ref: string, context: ImportContext, log: ProblemLog): Indicator | undefined {
  const sli = context.slis.get(ref);
  if (!sli) {
    log.error('spec.indicatorRef', `"${ref}" names no kind: SLI document in this import`);
    return undefined;
  }
  if (!context.indicators.has(ref)) {
    const sliLog = new ProblemLog(context.problems, sli.at, ref);
    context.indicators.set(ref, readIndicator(sli.value.spec, 'spec', sliLog));
  }
  const indicator = context.indicators.get(ref);
  if (!indicator) {
    log.error(
      'spec.indicatorRef',
      `SLI "${ref}" cannot be imported; see the problems of document ${sli.at.document}`,
    );
  }
  return indicator;
}

function importSlo(object: Fields, at: Located, context: ImportContext): Slo[] {
  const metadata = isFields(object.metadata) ? object.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  const log = new ProblemLog(context.problems, at, name);
  if (name === undefined) log.error('metadata.name', `expected the SLO's name, got ${shown(metadata.name)}`);
  const spec = object.spec;
  if (!isFields(spec)) {
    log.error('spec', `expected the SLO's spec, got ${shown(spec)}`);
    return [];
  }
  let indicator: Indicator | undefined;
  let indicatorPath = 'spec.indicator.spec';
  if (spec.indicator !== undefined && spec.indicatorRef !== undefined) {
    log.error('spec', 'expected indicator or indicatorRef, not both');
  } else if (spec.indicator !== undefined) {
    indicator = readIndicator(isFields(spec.indicator) ? spec.indicator.spec : undefined, indicatorPath, log);
  } else if (typeof spec.indicatorRef === 'string') {
    indicatorPath = 'spec.indicatorRef';
    indicator = referencedIndicator(spec.indicatorRef, context, log);
  } else {
    log.error('spec', 'expected indicator (an inline SLI) or indicatorRef (the name of an SLI document)');
  }
  const window = readWindow(spec.timeWindow, log);
  readBudgetingMethod(spec.budgetingMethod, log);
  if (Array.isArray(spec.alertPolicies) && spec.alertPolicies.length > 0) {
    log.warning(
      'spec.alertPolicies',
      'alertPolicies are not imported: Vigil alerts on multiwindow burn rates (alerting.windows, the SRE Workbook policy by default)',
    );
  }
  const objectives = spec.objectives;
  if (!Array.isArray(objectives) || objectives.length === 0) {
    log.error('spec.objectives', `expected at least one objective with a target, got ${shown(objectives)}`);
    return [];
  }
  const labels = readLabels(metadata.labels, log);
  const model = indicator && readModel(indicator, spec.service, indicatorPath, log);
  const description =
    typeof spec.description === 'string'
      ? spec.description
      : typeof metadata.displayName === 'string'
        ? metadata.displayName
        : undefined;
  const names = new Set<string>();
  const inputs: Array<{ input: SloInput; origins: Origins }> = [];
  objectives.forEach((objective, index) => {
    const path = `spec.objectives[${index}]`;
    if (!isFields(objective)) {
      log.error(path, `expected an objective with a target, got ${shown(objective)}`);
      return;
    }
    if (objective.timeSliceTarget !== undefined || objective.timeSliceWindow !== undefined) {
      log.warning(path, 'timeSliceTarget and timeSliceWindow apply to Timeslices budgeting; ignored');
    }
    const cost = indicator?.sli === 'cost';
    if (cost && (objective.target !== undefined || objective.targetPercent !== undefined)) {
      log.warning(
        path,
        'a cost SLO has no target: its error budget is the spend budget (value, USD); target ignored',
      );
    }
    const target = cost ? undefined : objectiveTarget(objective, path, log);
    const sli = indicator && objectiveSli(indicator, objective, path, log);
    if (!sli || !model || !window || name === undefined || (!cost && target === undefined)) return;
    let sloName = objectives.length === 1 ? name : `${name}-${slug(objective.displayName) || index + 1}`;
    if (names.has(sloName)) sloName = `${sloName}-${index + 1}`;
    names.add(sloName);
    inputs.push({
      input: {
        name: sloName,
        ...optional('description', description),
        model: model.model,
        ...optional('modelVersion', model.modelVersion),
        sli,
        ...optional('objective', target),
        window,
        alerting: { labels },
      },
      origins: {
        model: model.path,
        sli: indicatorPath,
        objective: `${path}.${objective.targetPercent !== undefined ? 'targetPercent' : 'target'}`,
      },
    });
  });
  if (log.errors > 0) return [];
  return inputs.flatMap(({ input, origins }) => schemaProblems(input, origins, log) ?? []);
}

/** The model (and version) an indicator's metric sources name, else the SLO's service. */
function readModel(
  indicator: Indicator,
  service: unknown,
  indicatorPath: string,
  log: ProblemLog,
): { readonly model: string; readonly modelVersion?: string; readonly path: string } | undefined {
  const models = new Set(indicator.sources.flatMap((source) => source.model ?? []));
  const versions = new Set(indicator.sources.flatMap((source) => source.modelVersion ?? []));
  // Problems inside a referenced SLI document are reported on the SLO's indicatorRef.
  const where = (source: VigilSource | undefined, field: string) =>
    indicatorPath === 'spec.indicatorRef' || !source ? indicatorPath : `${source.specPath}.${field}`;
  if (models.size > 1 || versions.size > 1) {
    const source = indicator.sources.at(-1);
    log.error(
      where(source, models.size > 1 ? 'model' : 'modelVersion'),
      'good and total name different models or versions; expected one',
    );
    return undefined;
  }
  const [model] = models;
  const [modelVersion] = versions;
  const path = where(
    indicator.sources.find((source) => source.model !== undefined),
    'model',
  );
  if (model !== undefined) return { model, path, ...optional('modelVersion', modelVersion) };
  if (typeof service === 'string')
    return { model: service, path: 'spec.service', ...optional('modelVersion', modelVersion) };
  log.error('spec.service', "expected the model: the metric source's spec.model, or the SLO's service");
  return undefined;
}

/** Flattens documents into OpenSLO objects: a document may be one object or a list of them. */
function locate(documents: readonly unknown[]): Located[] {
  return documents.flatMap((value, index) =>
    Array.isArray(value)
      ? value.map((item, position) => ({ document: index + 1, prefix: `[${position}].`, value: item }))
      : [{ document: index + 1, prefix: '', value }],
  );
}

/**
 * Imports OpenSLO objects already parsed from YAML: one element per YAML document, each an object or a
 * list of objects. `indicatorRef`s resolve against the SLI documents among them.
 */
export function importOpenSloDocuments(documents: readonly unknown[]): OpenSloImport {
  const problems: OpenSloProblem[] = [];
  const located = locate(documents).filter((at) => at.value !== null && at.value !== undefined);
  const slis = new Map<string, { value: Fields; at: Located }>();
  for (const at of located) {
    const value = at.value;
    if (!isFields(value) || value.apiVersion !== OPENSLO_API_VERSION || value.kind !== 'SLI') continue;
    const name = isFields(value.metadata) ? value.metadata.name : undefined;
    if (typeof name === 'string') slis.set(name, { value, at });
  }
  const context: ImportContext = { problems, slis, indicators: new Map() };
  const slos: Slo[] = [];
  for (const at of located) {
    const value = at.value;
    const name =
      isFields(value) && isFields(value.metadata) && typeof value.metadata.name === 'string'
        ? value.metadata.name
        : undefined;
    const log = new ProblemLog(problems, at, name);
    if (!isFields(value)) {
      log.error(
        '',
        `expected an OpenSLO object with apiVersion, kind, metadata and spec, got ${shown(value)}`,
      );
      continue;
    }
    if (value.apiVersion !== OPENSLO_API_VERSION) {
      log.error('apiVersion', `${shown(value.apiVersion)} is not supported; expected ${OPENSLO_API_VERSION}`);
      continue;
    }
    if (value.kind === 'SLO') {
      for (const slo of importSlo(value, at, context)) {
        if (slos.some((other) => other.name === slo.name)) {
          log.error('metadata.name', `SLO "${slo.name}" is defined twice; expected each name once`);
        } else {
          slos.push(slo);
        }
      }
    } else if (value.kind !== 'SLI') {
      if (IGNORED_KINDS.includes(String(value.kind))) {
        log.warning('kind', `kind ${value.kind} is not used by Vigil; ignored`);
      } else {
        log.error(
          'kind',
          `expected SLO or SLI (or ${IGNORED_KINDS.join(', ')}, which are ignored), got ${shown(value.kind)}`,
        );
      }
    }
  }
  for (const [name, { at }] of slis) {
    if (!context.indicators.has(name)) {
      new ProblemLog(problems, at, name).warning(
        'metadata.name',
        `SLI "${name}" is not referred to by any SLO; ignored`,
      );
    }
  }
  problems.sort((a, b) => a.document - b.document);
  return { slos, problems };
}

/** Imports OpenSLO v1 YAML text of one or more documents (`---` between them). */
export function importOpenSlo(text: string): OpenSloImport {
  const parsed = parseAllDocuments(text);
  const documents = Array.isArray(parsed) ? parsed : [];
  const yamlProblems: OpenSloProblem[] = [];
  const values = documents.map((document, index) => {
    if (document.errors.length > 0) {
      yamlProblems.push({
        document: index + 1,
        path: '(document)',
        message: `not valid YAML: ${document.errors[0]!.message}`,
        severity: 'error',
      });
      return null;
    }
    return document.toJS() as unknown;
  });
  const imported = importOpenSloDocuments(values);
  return {
    slos: imported.slos,
    problems: [...yamlProblems, ...imported.problems].sort((a, b) => a.document - b.document),
  };
}
