import { GetCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { awsStateTable } from '../../shared/adapters/aws/state-table.js';
import { type HttpEvent, type HttpResult, httpRoute, json } from '../../shared/http/middleware.js';
import { lazy } from '../../shared/lazy.js';

/** A named readiness check: resolves when the dependency answers, rejects with why it does not. */
export type ReadinessCheck = () => Promise<void>;

/** What the health routes need: one check per dependency. */
export interface HealthDependencies {
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

/** Runs every check at once and reports each; ready only when all pass. */
export async function checkReadiness(checks: Readonly<Record<string, ReadinessCheck>>) {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await check();
        return [name, { status: 'ok', latencyMs: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        return [
          name,
          { status: 'failing', error: error instanceof Error ? error.message : String(error) },
        ] as const;
      }
    }),
  );
  const ready = results.every(([, result]) => result.status === 'ok');
  return { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) };
}

/** Builds `GET /healthz` (the process answers) and `GET /readyz` (every dependency answers; 503 if not). */
export function createHealthHandler(dependencies: () => HealthDependencies) {
  return middy(async (event: HttpEvent): Promise<HttpResult> => {
    if (!event.rawPath.endsWith('/readyz')) return json(200, { status: 'ok' });
    const readiness = await checkReadiness(dependencies().checks);
    return json(readiness.status === 'ready' ? 200 : 503, readiness);
  }).use(httpRoute());
}

/** The Lambda entry point. */
export const handler = createHealthHandler(
  lazy(() => {
    const { documentClient, tableName } = awsStateTable();
    return {
      checks: {
        stateTable: async () => {
          await documentClient.send(
            new GetCommand({ TableName: tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }),
          );
        },
      },
    };
  }),
);
