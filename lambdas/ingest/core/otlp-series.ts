import { createHash } from 'node:crypto';
import type { Dimensions } from '../../metrics/core/rollup.js';
import { INGEST_LIMITS } from './limits.js';
import {
  type AnyValue,
  attributeText,
  canonicalAttributes,
  findAttribute,
  type KeyValue,
} from './otlp-json.js';
import type { PointProblem } from './otlp-metrics-request.js';

/** The data point attribute that names the model, and the dimension it becomes. */
export const MODEL_ATTRIBUTE = 'model';
/** The resource attribute that names the model of everything a process exports. */
export const RESOURCE_MODEL_ATTRIBUTE = 'vigil.model';
/** The resource attribute used as the model when nothing more specific names one. */
export const SERVICE_NAME_ATTRIBUTE = 'service.name';
/** The value a dimension gets once its metric has too many distinct values for it in one request. */
export const OTHER_DIMENSION_VALUE = '__other__';

function bounded(text: string): string {
  return text.length > INGEST_LIMITS.maxStringLength ? text.slice(0, INGEST_LIMITS.maxStringLength) : text;
}

function nonEmptyText(value: AnyValue | undefined): string | undefined {
  const text = value === undefined ? '' : attributeText(value);
  return text === '' ? undefined : bounded(text);
}

/**
 * The model a data point belongs to: its own `model` attribute, else the resource's `vigil.model`, else the
 * resource's `service.name`; undefined when none is set.
 */
export function modelOf(
  pointAttributes: readonly KeyValue[],
  resourceAttributes: readonly KeyValue[] | undefined,
): string | undefined {
  return (
    nonEmptyText(findAttribute(pointAttributes, MODEL_ATTRIBUTE)) ??
    nonEmptyText(findAttribute(resourceAttributes, RESOURCE_MODEL_ATTRIBUTE)) ??
    nonEmptyText(findAttribute(resourceAttributes, SERVICE_NAME_ATTRIBUTE))
  );
}

/**
 * A data point's dimensions: `model`, plus every other point attribute as text (values cut to 256
 * characters). Rejects keys that are empty or too long and points with more attribute keys than native
 * ingest allows.
 */
export function dimensionsOf(
  pointAttributes: readonly KeyValue[],
  model: string,
): { readonly dimensions: Dimensions } | { readonly problem: PointProblem } {
  const dimensions: Record<string, string> = {};
  for (const { key, value } of pointAttributes) {
    if (key === MODEL_ATTRIBUTE) continue;
    if (key === '' || key.length > INGEST_LIMITS.maxStringLength) {
      return {
        problem: {
          reason: `attribute keys must be 1 to ${INGEST_LIMITS.maxStringLength} characters`,
          detail: `a key of ${key.length} characters`,
        },
      };
    }
    dimensions[key] = bounded(attributeText(value));
  }
  const keys = Object.keys(dimensions).length;
  if (keys > INGEST_LIMITS.maxAttributeKeys) {
    return {
      problem: {
        reason: `data points may have at most ${INGEST_LIMITS.maxAttributeKeys} attributes besides "${MODEL_ATTRIBUTE}"`,
        detail: `${keys} attributes`,
      },
    };
  }
  dimensions[MODEL_ATTRIBUTE] = model;
  return { dimensions };
}

/**
 * Caps the distinct values per dimension name and metric within one request, so a high-cardinality
 * attribute (a user id, a request id) cannot blow up the number of series: the first `maxValues` values
 * seen keep their names, later ones are recorded as `__other__`.
 */
export class DimensionValueCap {
  private readonly valuesByDimension = new Map<string, Set<string>>();
  private readonly cappedPoints = new Map<string, { metric: string; dimension: string; points: number }>();

  constructor(private readonly maxValues: number) {}

  /** The dimensions with every value beyond its dimension's cap replaced by `__other__`. */
  apply(metric: string, dimensions: Dimensions): Dimensions {
    let capped: Record<string, string> | undefined;
    for (const [dimension, value] of Object.entries(dimensions)) {
      const key = JSON.stringify([metric, dimension]);
      let values = this.valuesByDimension.get(key);
      if (!values) {
        values = new Set();
        this.valuesByDimension.set(key, values);
      }
      if (values.has(value)) continue;
      if (values.size < this.maxValues) {
        values.add(value);
        continue;
      }
      capped ??= { ...dimensions };
      capped[dimension] = OTHER_DIMENSION_VALUE;
      const counter = this.cappedPoints.get(key) ?? { metric, dimension, points: 0 };
      counter.points += 1;
      this.cappedPoints.set(key, counter);
    }
    return capped ?? dimensions;
  }

  /** One line per capped dimension, for the export response's message. */
  notes(): string[] {
    return [...this.cappedPoints.values()].map(
      ({ metric, dimension, points }) =>
        `metric "${metric}": dimension "${dimension}" had more than ${this.maxValues} distinct values in this request; ` +
        `${points} data point${points === 1 ? ' was' : 's were'} recorded with ${dimension}="${OTHER_DIMENSION_VALUE}"`,
    );
  }
}

/** What identifies a metric stream besides its point attributes (OTel metrics data model, OTLP section). */
export interface StreamScope {
  /** `canonicalAttributes` of the resource, computed once per resource. */
  readonly resource: unknown;
  readonly scopeName: string;
  readonly scopeVersion: string;
  readonly metricName: string;
  readonly unit: string;
  /** The point type: a stream never continues across types. */
  readonly kind: string;
}

/** A stream's id: SHA-256 (hex) of its resource, scope, metric and point attributes in canonical form. */
export function streamIdOf(scope: StreamScope, pointAttributes: readonly KeyValue[]): string {
  const identity = JSON.stringify([
    scope.resource,
    scope.scopeName,
    scope.scopeVersion,
    scope.metricName,
    scope.unit,
    scope.kind,
    canonicalAttributes(pointAttributes),
  ]);
  return createHash('sha256').update(identity).digest('hex');
}
