// The collector contract, node_exporter's in TypeScript: a name, a default, typed options, and one
// method that reads, parses, then emits into a sink that is published only on success.
import type { Logger } from 'pino';
import type * as z from 'zod/mini';
import type { MetricSink } from './metrics.ts';
import type { Identities } from './identity.ts';
import type { Sources } from './sources.ts';

export interface CollectContext {
  readonly sources: Sources;
  /** Aborted at the scrape deadline; pass it to every read and command. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface CollectorEnv {
  readonly sources: Sources;
  readonly log: Logger;
  /** How MACs and host names appear in series (collectors.clients.expose_identities). */
  readonly identities: Identities;
}

/** A collector's extra GET route: it returns the data, the HTTP layer sends it as JSON. */
export type RouteHandler = (url: URL) => unknown;

export interface CollectorInstance {
  collect(ctx: CollectContext, out: MetricSink): Promise<void>;
  /** Background probers and followers start here and keep their own state between scrapes. */
  start?(): void;
  stop?(): Promise<void>;
  /**
   * Sources that are expensive to read may be served from the last good result for this long;
   * concurrent scrapes share one collection either way.
   */
  readonly minIntervalSeconds?: number;
  /** Extra HTTP routes served on the metrics listener, keyed by path prefix. */
  readonly routes?: Readonly<Record<string, RouteHandler>>;
}

export interface CollectorDefinition<Shape extends z.core.$ZodShape = z.core.$ZodShape> {
  /** snake_case; becomes --collector.<name>, the config section and the `collector` label. */
  readonly name: string;
  readonly defaultEnabled: boolean;
  readonly description: string;
  /** The collector's own options in `collectors.<name>`, each with its default. */
  readonly options: Shape;
  create(options: z.infer<z.ZodMiniObject<Shape>>, env: CollectorEnv): CollectorInstance;
}

/** Declares a collector with its options typed from their schema. */
export function defineCollector<Shape extends z.core.$ZodShape>(def: CollectorDefinition<Shape>): CollectorDefinition<Shape> {
  return def;
}
