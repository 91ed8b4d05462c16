/**
 * A lease that lets one alert-pipeline run at a time read, decide and write. Conditional writes on each
 * record cannot serialise runs on their own: two runs that each start an incident (under different ids)
 * for related alerts write no record in common, and both would succeed. Runs are short and alerts arrive
 * in batches, so one at a time costs little.
 *
 * The lease expires by the wall clock, so a run that died holding it blocks the others only until then.
 */
export interface PipelineLock {
  /** Takes the lease for `owner` for `leaseMs` if nobody holds it (or its holder's lease ran out). */
  acquire(owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease back if `owner` still holds it. */
  release(owner: string): Promise<void>;
}
