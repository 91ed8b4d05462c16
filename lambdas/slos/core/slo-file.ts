import { parseAllDocuments } from 'yaml';
import { importOpenSloDocuments, type OpenSloProblem } from './openslo.js';
import { type Slo, validateSlos } from './slo.js';

/*
 * Reads a file of SLO definitions, as `vigil backtest slo --slo <file>` takes it: YAML or JSON (JSON is
 * YAML), one or more documents. When any object in it has an `apiVersion`, the file is OpenSLO
 * (openslo.ts); otherwise each document is a Vigil SLO (slo.ts), a list of them, or `{ slos: [...] }`.
 * Problems name the document (1 for the first) and the path in it; invalid SLOs are left out, valid ones
 * kept.
 */

/** One problem of a definitions file; `error` left an SLO out, `warning` imported it with a difference. */
export type SloFileProblem = OpenSloProblem;

/** The SLOs a file defines and its problems. */
export interface SloFile {
  readonly slos: Slo[];
  readonly problems: SloFileProblem[];
  /** Whether the file was read as OpenSLO. */
  readonly openSlo: boolean;
}

const isFields = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasApiVersion = (value: unknown): boolean =>
  Array.isArray(value) ? value.some(hasApiVersion) : isFields(value) && value.apiVersion !== undefined;

/** Reads SLO definitions from YAML or JSON text. */
export function readSloFile(text: string): SloFile {
  const parsed = parseAllDocuments(text);
  const problems: SloFileProblem[] = [];
  const values = (Array.isArray(parsed) ? parsed : []).map((document, index) => {
    if (document.errors.length === 0) return document.toJS() as unknown;
    problems.push({
      document: index + 1,
      path: '(document)',
      message: `not valid YAML or JSON: ${document.errors[0]!.message}`,
      severity: 'error',
    });
    return null;
  });
  if (values.some(hasApiVersion)) {
    const imported = importOpenSloDocuments(values);
    return {
      slos: imported.slos,
      problems: sortProblems([...problems, ...imported.problems]),
      openSlo: true,
    };
  }
  const located = values.flatMap((value, index) => {
    const document = index + 1;
    if (value === null || value === undefined) return [];
    const list =
      isFields(value) && Array.isArray(value.slos) ? value.slos : Array.isArray(value) ? value : undefined;
    const prefix = isFields(value) && Array.isArray(value.slos) ? 'slos' : '';
    if (!list) return [{ document, prefix: '', value }];
    return list.map((item, position) => ({ document, prefix: `${prefix}[${position}]`, value: item }));
  });
  const { slos, problems: sloProblems } = validateSlos(located.map((entry) => entry.value));
  for (const problem of sloProblems) {
    const { document, prefix } = located[problem.index]!;
    const path =
      problem.path === '(slo)' ? prefix || '(document)' : prefix ? `${prefix}.${problem.path}` : problem.path;
    problems.push({
      document,
      path,
      message: problem.message,
      severity: 'error',
      ...(problem.name === undefined ? {} : { name: problem.name }),
    });
  }
  if (located.length === 0 && problems.length === 0) {
    problems.push({
      document: 1,
      path: '(document)',
      message: 'no SLOs in the file; expected at least one',
      severity: 'error',
    });
  }
  return { slos, problems: sortProblems(problems), openSlo: false };
}

function sortProblems(problems: SloFileProblem[]): SloFileProblem[] {
  return problems.sort((a, b) => a.document - b.document);
}
