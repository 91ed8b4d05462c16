import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { OutboxNotificationSink } from '../../lambdas/alerts/adapters/local/outbox-notification-sink.js';
import type { IncidentEvent } from '../../lambdas/alerts/core/pipeline.js';
import type { IncidentRepository } from '../../lambdas/alerts/ports/incident-repository.js';
import { DynamoDbTaskTokenStore } from '../../lambdas/escalation/adapters/aws/dynamodb-task-token-store.js';
import { OutboxNoticePublisher } from '../../lambdas/escalation/adapters/local/outbox-notice-publisher.js';
import {
  type EscalationDefinition,
  escalationDefinition,
  LAMBDA_INVOKE_WAIT,
} from '../../lambdas/escalation/core/definition.js';
import type { EscalationStart } from '../../lambdas/escalation/core/escalation.js';
import { WorkflowEscalationControl } from '../../lambdas/escalation/core/escalation-control.js';
import {
  type EscalationStepDependencies,
  parseEscalationStepInput,
  runEscalationStep,
} from '../../lambdas/escalation/core/escalation-steps.js';
import {
  escalationResumer,
  incidentEscalations,
} from '../../lambdas/escalation/core/incident-escalations.js';
import type { EscalationConfig } from '../../lambdas/escalation/core/policy.js';
import type {
  EscalationWorkflow,
  WaitCompletion,
} from '../../lambdas/escalation/ports/escalation-workflow.js';
import type { StateTable } from '../../lambdas/shared/adapters/aws/state-table.js';
// Before the state machine runs: aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
import { promiseWithResolvers } from './promise-with-resolvers.js';

/*
 * The escalation workflow on the local platform: the same definition as in AWS (`escalationDefinition`),
 * run by aws-local-stepfunctions, with every Task state overridden by name to call the step function in
 * this process.
 *
 * How aws-local-stepfunctions 3 behaves, and what the runner does about it (read in its build, since its
 * docs folder is not published):
 * - An override gets the Task's input after `Parameters` and its answer goes through `ResultSelector`, so
 *   the Lambda invoke overrides take `{ FunctionName, Payload }` and answer `{ Payload }` as the optimized
 *   Lambda integration does.
 * - Retry and Catch match an error by its `name`; `States.TaskFailed` matches every error of a Task except
 *   the library's own timeout. It also honours `TimeoutSecondsPath` with a real timer of the unscaled
 *   timeout, though it reads the path from the input after `Parameters` (see `localDefinition`, the one
 *   change made to the definition). So the wait override rejects on its own, scaled timer with an error named `States.Timeout`
 *   that says it is not retryable (`isRetryable: false`, which the library reads), and the Catch on
 *   `States.Timeout` takes it, as Step Functions would; the library's own timer is cleared when the wait
 *   settles first.
 * - `$$.Task.Token` is read from the context object the run is given: a placeholder; the wait override
 *   hands out a token of its own and resolves when `sendTaskSuccess` gets it.
 * - Retry intervals are overridden to the first interval divided by the time scale (the override has no
 *   backoff).
 * - `abort()` ends the run, but a Task in progress still finishes, and a rejected Task could still be
 *   caught. So closing aborts every run, rejects every wait with an error that can be neither retried nor
 *   caught, refuses new steps the same way, and waits for the steps in progress.
 */

/** The made-up ARN the local definition names for the step function (every Task is overridden). */
export const LOCAL_STEP_FUNCTION_ARN =
  'arn:aws:lambda:us-east-1:000000000000:function:vigil-local-escalation-step';

/** Starts the timer of a wait for an acknowledgement; returns what cancels it. */
export interface WaitTimers {
  start(ms: number, onTimeout: () => void): () => void;
}

/** Real timers. */
export const REAL_WAIT_TIMERS: WaitTimers = {
  start(ms, onTimeout) {
    const timer = setTimeout(onTimeout, ms);
    return () => clearTimeout(timer);
  },
};

/** How an execution ended. */
export type ExecutionEnd =
  | { readonly status: 'succeeded'; readonly output: unknown }
  | { readonly status: 'failed'; readonly error: string; readonly cause?: string }
  | { readonly status: 'aborted' };

/** What the local runner needs. */
export interface LocalEscalationRunnerProps {
  /** The step function: takes the Lambda payload, answers what the Lambda would. */
  readonly step: (payload: unknown) => Promise<unknown>;
  /**
   * Multiplies every tier timeout and retry interval (`VIGIL_TIME_SCALE`): 0.001 makes a 5 minute tier
   * wait 0.3 s. @default 1
   */
  readonly timeScale?: number;
  /** The timers of the waits; tests take control of them. @default REAL_WAIT_TIMERS */
  readonly timers?: WaitTimers;
  /** Told when an execution ends. */
  readonly onExecutionEnd?: (name: string, end: ExecutionEnd) => void;
}

/** Reads `VIGIL_TIME_SCALE`: a factor above 0 and at most 1 that shrinks waits, or 1 when unset. */
export function parseTimeScale(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 1;
  const scale = Number(text);
  if (!isTimeScale(scale)) {
    throw new Error(
      `VIGIL_TIME_SCALE must be a number above 0 and at most 1 that multiplies waits (0.001 turns 5 minutes into 0.3 s), got "${text}"`,
    );
  }
  return scale;
}

function isTimeScale(scale: number): boolean {
  return Number.isFinite(scale) && scale > 0 && scale <= 1;
}

type Json = Parameters<StateMachine['run']>[0];
type TaskHandler = (input: Json) => Promise<Json>;

interface Wait {
  readonly resolve: (completion: WaitCompletion) => void;
  readonly reject: (error: Error) => void;
  cancelTimer: () => void;
}

interface Execution {
  readonly abort: () => void;
  readonly ended: Promise<ExecutionEnd>;
}

/** An error the library neither retries nor (unless `catchable`) catches: it reads these two flags. */
function runtimeError(name: string, message: string, catchable: boolean): Error {
  return Object.assign(new Error(message), { name, isRetryable: false, isCatchable: catchable });
}

const asJson = <T>(value: unknown): T => JSON.parse(JSON.stringify(value ?? null)) as T;

/**
 * Runs escalations on aws-local-stepfunctions: an `EscalationWorkflow` like Step Functions, with executions
 * unique by name, waits completed by their task tokens, and tier timeouts on (scaled) timers.
 */
export class LocalEscalationRunner implements EscalationWorkflow {
  private readonly definition: EscalationDefinition;
  private readonly machine: StateMachine;
  private readonly timeScale: number;
  private readonly timers: WaitTimers;
  private readonly executions = new Map<string, Execution>();
  private readonly waits = new Map<string, Wait>();
  private readonly steps = new Set<Promise<unknown>>();
  private tokens = 0;
  private closed = false;

  constructor(private readonly props: LocalEscalationRunnerProps) {
    this.timeScale = props.timeScale ?? 1;
    if (!isTimeScale(this.timeScale)) {
      throw new Error(`timeScale must be above 0 and at most 1, got ${this.timeScale}`);
    }
    this.timers = props.timers ?? REAL_WAIT_TIMERS;
    this.definition = localDefinition(escalationDefinition({ stepFunctionArn: LOCAL_STEP_FUNCTION_ARN }));
    this.machine = new StateMachine(this.definition as unknown as StateMachineDefinition);
  }

  async startExecution(name: string, input: EscalationStart): Promise<void> {
    if (this.closed) throw new Error(`the local escalation runner is closed; cannot start ${name}`);
    if (this.executions.has(name)) return;
    const run = this.machine.run(asJson<Json>(input), {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(name),
        retryIntervalOverrides: this.retryIntervals(),
      },
      noThrowOnAbort: true,
      context: { Task: { Token: 'replaced-by-the-wait-override' } },
    });
    let aborted = false;
    const ended = run.result.then(
      (output): ExecutionEnd => (aborted ? { status: 'aborted' } : { status: 'succeeded', output }),
      (error: Error & { cause?: Error }): ExecutionEnd => ({
        status: 'failed',
        error: error.cause?.name ?? error.name,
        cause: error.cause?.message ?? error.message,
      }),
    );
    this.executions.set(name, {
      abort: () => {
        aborted = true;
        run.abort();
      },
      ended,
    });
    void ended.then((end) => this.props.onExecutionEnd?.(name, end));
  }

  async sendTaskSuccess(token: string, completion: WaitCompletion): Promise<boolean> {
    const wait = this.waits.get(token);
    if (!wait) return false;
    this.waits.delete(token);
    wait.cancelTimer();
    wait.resolve(asJson(completion));
    return true;
  }

  /** How the named execution ends, once it does; undefined for an execution never started. */
  ended(name: string): Promise<ExecutionEnd> | undefined {
    return this.executions.get(name)?.ended;
  }

  /** Stops every execution where it is and waits for the steps in progress; nothing runs afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    for (const execution of this.executions.values()) execution.abort();
    for (const [token, wait] of this.waits) {
      this.waits.delete(token);
      wait.cancelTimer();
      wait.reject(runtimeError('ExecutionAborted', 'the local platform is closing', false));
    }
    await Promise.allSettled([...this.steps]);
    await Promise.allSettled([...this.executions.values()].map((execution) => execution.ended));
  }

  /** Runs the step function as a Lambda would: JSON in, JSON out; refused once closed. */
  private invoke(payload: unknown): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(runtimeError('ExecutionAborted', 'the local platform is closing', false));
    }
    const call = this.props.step(asJson(payload)).then((output) => asJson(output));
    this.steps.add(call);
    void call.then(
      () => this.steps.delete(call),
      () => this.steps.delete(call),
    );
    return call;
  }

  private taskHandlers(execution: string): Record<string, TaskHandler> {
    const handlers: Record<string, TaskHandler> = {};
    for (const [name, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      handlers[name] =
        state.Resource === LAMBDA_INVOKE_WAIT
          ? (input) => this.waitForAck(execution, input)
          : async (input) => ({ Payload: (await this.invoke(payloadOf(input))) as Json, StatusCode: 200 });
    }
    return handlers;
  }

  /**
   * The wait for an acknowledgement: runs the `await` step with a token of its own, then waits until
   * `sendTaskSuccess` gets that token or the scaled tier timeout passes.
   */
  private async waitForAck(execution: string, input: Json): Promise<Json> {
    const payload = payloadOf(input) as { timeoutSeconds?: unknown };
    const token = `${execution}:${++this.tokens}`;
    const { promise, resolve, reject } = promiseWithResolvers<WaitCompletion>();
    // Closing may reject it while the step still runs, before anything awaits it.
    promise.catch(() => undefined);
    const wait: Wait = { resolve, reject, cancelTimer: () => undefined };
    // Registered before the step stores the token, so a completion right after it finds the wait.
    this.waits.set(token, wait);
    try {
      await this.invoke({ ...(payload as object), taskToken: token });
    } catch (error) {
      this.waits.delete(token);
      throw error;
    }
    if (this.waits.get(token) === wait) {
      const timeoutMs = Number(payload.timeoutSeconds) * 1000 * this.timeScale;
      wait.cancelTimer = this.timers.start(timeoutMs, () => {
        if (this.waits.get(token) !== wait) return;
        this.waits.delete(token);
        reject(runtimeError('States.Timeout', `no acknowledgement within ${timeoutMs} ms`, true));
      });
    }
    return (await promise) as unknown as Json;
  }

  /** Each retrier's first interval, scaled (the library's override takes one pause per retrier). */
  private retryIntervals(): Record<string, number[]> {
    const intervals: Record<string, number[]> = {};
    for (const [name, state] of Object.entries(this.definition.States)) {
      const retriers = state.Retry as { IntervalSeconds?: number }[] | undefined;
      if (!retriers) continue;
      intervals[name] = retriers.map((retrier) =>
        Math.round((retrier.IntervalSeconds ?? 1) * 1000 * this.timeScale),
      );
    }
    return intervals;
  }
}

/**
 * The definition as aws-local-stepfunctions must read it. Step Functions resolves `TimeoutSecondsPath`
 * against the state's input; the library resolves it against the Task's input after `Parameters`. So a
 * timeout path is pointed at the same value in the Lambda `Payload`, which carries it for that reason;
 * everything else stays as in AWS.
 */
export function localDefinition(definition: EscalationDefinition): EscalationDefinition {
  const states = Object.entries(definition.States).map(([name, state]) => {
    const path = state.TimeoutSecondsPath;
    if (typeof path !== 'string') return [name, state];
    const payload = (state.Parameters as { Payload?: Record<string, unknown> } | undefined)?.Payload ?? {};
    const field = Object.keys(payload).find((key) => key.endsWith('.$') && payload[key] === path);
    if (!field) {
      throw new Error(
        `state ${name} must pass its TimeoutSecondsPath (${path}) in its Payload to run locally`,
      );
    }
    return [name, { ...state, TimeoutSecondsPath: `$.Payload.${field.slice(0, -2)}` }];
  });
  return { ...definition, States: Object.fromEntries(states) };
}

function payloadOf(input: Json): unknown {
  return (input as { Payload?: unknown } | null)?.Payload;
}

/** What the local platform's escalations need. */
export interface LocalEscalationsProps {
  /** The state table, for the waits' task tokens. */
  readonly stateTable: StateTable;
  readonly incidents: IncidentRepository;
  /** The outbox notices go to, shared with the alert pipeline's notifications. */
  readonly outbox: OutboxNotificationSink;
  readonly config: EscalationConfig;
  readonly environment: string;
  /** The API's base URL for the links in notices; known once the server listens. */
  readonly apiBaseUrl: () => string;
  /** The key acknowledge links are signed with; without one, notices carry none. */
  readonly ackLinkKey?: string;
  /** The clock of timeline entries and notices, epoch ms. */
  readonly now: () => number;
  /** @default 1 */
  readonly timeScale?: number;
  /** @default REAL_WAIT_TIMERS */
  readonly timers?: WaitTimers;
  /** Where failures are reported. */
  readonly onError: (message: string, error: unknown) => void;
}

/** The local platform's escalations: the runner, and the `onIncidentEvents` that starts and stops them. */
export interface LocalEscalations {
  readonly runner: LocalEscalationRunner;
  readonly onIncidentEvents: (events: readonly IncidentEvent[]) => Promise<void>;
  /**
   * Starts the escalation of every open incident that has none, as the alert-rules job does in AWS; after a
   * restart (the runner keeps no executions across one) an open incident escalates again from tier 1.
   */
  readonly resumeEscalations: () => Promise<number>;
  close(): Promise<void>;
}

/** Wires escalations for the local platform: the same step function and use cases as in AWS. */
export function startLocalEscalations(props: LocalEscalationsProps): LocalEscalations {
  const tokens = new DynamoDbTaskTokenStore({
    client: props.stateTable.documentClient,
    tableName: props.stateTable.tableName,
    now: props.now,
  });
  const notices = new OutboxNoticePublisher(props.outbox);
  // The dashboard page the local API serves at its root.
  const settings = () => ({
    environment: props.environment,
    apiBaseUrl: props.apiBaseUrl(),
    dashboardUrl: `${props.apiBaseUrl()}/`,
    ...(props.ackLinkKey ? { ackLinks: { key: props.ackLinkKey } } : {}),
  });
  const stepDependencies = (): EscalationStepDependencies => ({
    incidents: props.incidents,
    tokens,
    notices,
    config: props.config,
    settings: settings(),
    now: props.now,
  });
  const runner = new LocalEscalationRunner({
    step: (payload) => runEscalationStep(parseEscalationStepInput(payload), stepDependencies()),
    timeScale: props.timeScale,
    timers: props.timers,
    onExecutionEnd: (name, end) => {
      if (end.status === 'failed')
        props.onError(`escalation ${name} failed`, new Error(`${end.error}: ${end.cause}`));
    },
  });
  const control = new WorkflowEscalationControl({
    workflow: runner,
    tokens,
    config: props.config,
    now: props.now,
  });
  let handler: ((events: readonly IncidentEvent[]) => Promise<void>) | undefined;
  return {
    runner,
    // Built on first use: the API's URL is known only once the server listens.
    onIncidentEvents: (events) => {
      handler ??= incidentEscalations({
        incidents: props.incidents,
        control,
        notices,
        config: props.config,
        settings: settings(),
        now: props.now,
        onError: (message, error) => props.onError(message, error),
      });
      return handler(events);
    },
    resumeEscalations: escalationResumer({
      incidents: props.incidents,
      control,
      onError: (message, error) => props.onError(message, error),
    }),
    close: () => runner.close(),
  };
}
