import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** The path that opens a DuckDB database in memory, gone when it closes. */
export const IN_MEMORY = ':memory:';

/**
 * One DuckDB database file with one connection, on which every operation runs alone: a write's
 * transaction never sees another operation's statements interleaved on the same connection. The local
 * metric and event stores each own one.
 *
 * DuckDB locks a file against other processes, but a second instance on the same file in the same process
 * would not be stopped, so open each file once.
 */
export class DuckDbDatabase {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing?: Promise<void>;

  private constructor(
    /** The database file, or `:memory:`. */
    readonly path: string,
    /** What the database holds, for error messages ("metric store"). */
    private readonly name: string,
    private readonly instance: DuckDBInstance,
    /** The one connection; use it only inside `exclusively`. */
    readonly connection: DuckDBConnection,
  ) {}

  /** Opens (creating when missing) the file at `path`, or an in-memory database, and runs `schema` on it. */
  static async open(path: string, name: string, schema: string): Promise<DuckDbDatabase> {
    if (path !== IN_MEMORY) await mkdir(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    let connection: DuckDBConnection | undefined;
    try {
      connection = await instance.connect();
      await connection.run(schema);
      return new DuckDbDatabase(path, name, instance, connection);
    } catch (error) {
      connection?.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  /** Runs an operation once every earlier one has finished. */
  exclusively<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.closed) throw new Error(`the DuckDB ${this.name} at ${this.path} is closed`);
      return operation();
    });
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Runs `work` in a transaction, rolled back if it throws; call it inside `exclusively`. */
  async inTransaction<T>(work: () => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const result = await work();
      await this.connection.run('COMMIT');
      return result;
    } catch (error) {
      // A failed COMMIT has already ended the transaction; the first error is the one worth reporting.
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Resolves when the database answers a trivial query; rejects otherwise (for `/readyz`). */
  async healthCheck(): Promise<void> {
    await this.exclusively(() => this.connection.run('SELECT 1'));
  }

  /** Waits for running operations, then releases the file so another process (or a restart) can open it. */
  close(): Promise<void> {
    this.closing ??= this.exclusively(async () => {
      // The instance stays open while a connection holds it, so the connection goes first.
      this.connection.closeSync();
      this.instance.closeSync();
      this.closed = true;
    });
    return this.closing;
  }
}
