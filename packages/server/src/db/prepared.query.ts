import { type Compilable, CompiledQuery, type QueryResult } from 'kysely';
import type { DialectName, Executor } from './database';

interface Compiled<P> {
  sql: string;
  /** For each parameter of the statement: the named parameter it takes, or a constant of the query. */
  bindings: Array<{ param: keyof P } | { value: unknown }>;
}

/**
 * A Kysely query built and compiled once per dialect and then run with new parameter values. Kysely
 * builds and compiles a query anew on every call, which costs more than executing the few statements
 * of the governed-change hot path, so those are prepared this way.
 *
 * `build` receives stand-ins for the named parameters and must pass each one as a value (a bound
 * parameter), never as an identifier or into SQL text; `execute` checks that every stand-in came out
 * as exactly one parameter.
 */
export class PreparedQuery<P extends Record<string, unknown>, R> {
  private readonly compiled = new Map<DialectName, Compiled<P>>();

  constructor(
    private readonly names: ReadonlyArray<keyof P & string>,
    private readonly build: (executor: Executor, params: P, dialect: DialectName) => Compilable<R>,
  ) {}

  execute(executor: Executor, dialect: DialectName, params: P): Promise<QueryResult<R>> {
    let compiled = this.compiled.get(dialect);
    if (compiled === undefined) {
      compiled = this.compile(executor, dialect);
      this.compiled.set(dialect, compiled);
    }
    const parameters = compiled.bindings.map((b) => ('param' in b ? params[b.param] : b.value));
    return executor.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters));
  }

  private compile(executor: Executor, dialect: DialectName): Compiled<P> {
    const standIns = new Map(this.names.map((name) => [`\u0000flagward:${name}\u0000`, name]));
    const params = Object.fromEntries([...standIns].map(([text, name]) => [name, text])) as unknown as P;
    const { sql, parameters } = this.build(executor, params, dialect).compile();
    const bindings = parameters.map((value) => {
      const name = typeof value === 'string' ? standIns.get(value) : undefined;
      return name === undefined ? { value } : { param: name };
    });
    for (const name of this.names) {
      const uses = bindings.filter((b) => 'param' in b && b.param === name).length;
      if (uses !== 1) throw new Error(`prepared query parameter ${name} is bound ${uses} times`);
    }
    return { sql, bindings };
  }
}
