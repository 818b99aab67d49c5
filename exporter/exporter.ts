// The scrape orchestrator: runs the enabled collectors concurrently, isolates their failures, shares
// collections between overlapping scrapes (one round, each scrape still held to its own deadline),
// and builds each scrape's families afresh from what the collectors emitted.
import type { Logger } from 'pino';
import type { CollectorDefinition, CollectorInstance, RouteHandler } from './collector.ts';
import type { Config } from './config.ts';
import { errorMessage, isAbsent, RouterscopeError } from './errors.ts';
import { createIdentities, keptSalt } from './identity.ts';
import { Family, mergeFamilies, MetricSink, seriesCount, type MetricFamily } from './metrics.ts';
import { SelfMetrics } from './self-metrics.ts';
import { shareCommands, type Sources } from './sources.ts';

export interface CollectorOutcome {
  readonly success: boolean;
  /** The collector's source is not on this system (no nlbw, not OpenWrt): not a failure, and said once. */
  readonly absent?: string;
  readonly durationSeconds: number;
  readonly families: readonly MetricFamily[];
  readonly error?: string;
  /** When the families were collected (seconds since the epoch); older than now when cached. */
  readonly collectedAt: number;
}

/** A collection in flight, which any number of scrapes wait for. */
interface Collection {
  readonly outcome: Promise<CollectorOutcome>;
  /** Pushes the collection's abort deadline (a performance.now() time) out to a later one. */
  extend(deadlineAt: number): void;
}

/** Scrapes that overlap share one round of collections. */
interface Round {
  readonly sources: Promise<Sources>;
  readonly collections: Map<string, Collection>;
  running: number;
}

interface CollectorState {
  readonly name: string;
  readonly instance: CollectorInstance;
  readonly log: Logger;
  inflight?: Collection;
  lastGood?: CollectorOutcome;
  last?: CollectorOutcome;
  readonly recentErrors: { time: string; error: string }[];
}

const RECENT_ERRORS = 10;
const ABORT_GRACE_MS = 100;

export interface ScrapeOptions {
  /** Seconds the scrape may take (already less the offset). */
  readonly timeoutSeconds: number;
  /** Restrict to these collectors (`collect[]`). */
  readonly only?: ReadonlySet<string>;
}

export class Exporter {
  private states = new Map<string, CollectorState>();
  private round?: Round;
  readonly self = new SelfMetrics();
  /** Collections wait for the pseudonym salt kept on the router. */
  private identitiesReady: Promise<void> = Promise.resolve();

  constructor(
    private config: Config,
    private readonly definitions: readonly CollectorDefinition[],
    private sources: Sources,
    private readonly log: Logger,
  ) {
    this.states = this.instantiate(config, sources);
  }

  get currentConfig(): Config {
    return this.config;
  }

  get currentSources(): Sources {
    return this.sources;
  }

  get enabledCollectors(): string[] {
    return [...this.states.keys()];
  }

  private instantiate(config: Config, sources: Sources): Map<string, CollectorState> {
    const states = new Map<string, CollectorState>();
    const { privacy } = config;
    const keepSalt = !privacy.expose_identities && privacy.anonymize === 'hash' && privacy.identity_salt === undefined;
    const identities = createIdentities({
      expose: privacy.expose_identities,
      anonymize: privacy.anonymize,
      salt: keepSalt ? keptSalt(sources, this.log) : privacy.identity_salt,
    });
    this.identitiesReady = identities.ready;
    for (const def of this.definitions) {
      const settings = config.collectors[def.name];
      if (!settings?.enabled) continue;
      const log = this.log.child({ collector: def.name });
      const { enabled: _enabled, ...options } = settings;
      const instance = def.create(options, { sources, log, identities });
      states.set(def.name, { name: def.name, instance, log, recentErrors: [] });
    }
    return states;
  }

  /** Starts background probers and followers. */
  start(): void {
    for (const s of this.states.values()) s.instance.start?.();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.states.values()].map(async (s) => s.instance.stop?.()));
    this.sources.close?.();
  }

  /** Swaps in a new config: new collectors start before the old ones stop. */
  async reload(config: Config, sources: Sources): Promise<void> {
    const old = this.states;
    const previousSources = this.sources;
    this.states = this.instantiate(config, sources);
    this.config = config;
    this.sources = sources;
    this.round = undefined;
    this.start();
    await Promise.all([...old.values()].map(async (s) => s.instance.stop?.()));
    if (previousSources !== sources) previousSources.close?.();
  }

  routes(): Map<string, RouteHandler> {
    const out = new Map<string, RouteHandler>();
    for (const s of this.states.values()) {
      for (const [prefix, handler] of Object.entries(s.instance.routes ?? {})) out.set(prefix, handler);
    }
    return out;
  }

  /**
   * The collector's collection: the one in flight (whoever started it), the last good one while
   * `minIntervalSeconds` has not passed, or a new one. Whoever joins may push its abort deadline out
   * to their own, so a scrape with a longer budget never inherits a shorter one's deadline.
   */
  private collectOne(state: CollectorState, deadlineAt: number, sources: Sources): Collection {
    const now = Date.now() / 1000;
    const min = state.instance.minIntervalSeconds ?? 0;
    if (min > 0 && state.lastGood && now - state.lastGood.collectedAt < min)
      return { outcome: Promise.resolve(state.lastGood), extend() {} };
    if (state.inflight) {
      state.inflight.extend(deadlineAt);
      return state.inflight;
    }
    const controller = new AbortController();
    const started = performance.now();
    let abortAt = deadlineAt;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      const arm = (): void => {
        timer = setTimeout(
          () => {
            if (performance.now() < abortAt - ABORT_GRACE_MS) return arm();
            // Abort first and give the collector a moment to fail with its own, more specific error
            // (which command hung); a collector that ignores the signal gets the generic one.
            controller.abort();
            const seconds = Math.round((abortAt - started) / 100) / 10;
            const why =
              seconds > 0
                ? `did not finish within the scrape deadline of ${seconds} s`
                : 'the scrape deadline passed before it could start';
            timer = setTimeout(() => reject(new RouterscopeError('ABORTED', why)), ABORT_GRACE_MS);
          },
          Math.max(abortAt - ABORT_GRACE_MS - performance.now(), 0),
        );
      };
      arm();
    });
    const run = async (): Promise<CollectorOutcome> => {
      const sink = new MetricSink();
      let outcome: CollectorOutcome;
      try {
        await Promise.race([state.instance.collect({ sources, signal: controller.signal, log: state.log }, sink), deadline]);
        outcome = {
          success: true,
          durationSeconds: (performance.now() - started) / 1000,
          families: sink.result(),
          collectedAt: Date.now() / 1000,
        };
        state.lastGood = outcome;
      } catch (e) {
        const error = errorMessage(e);
        if (isAbsent(e)) {
          // Said once, at info, and kept in /status; a source that appears later is picked up.
          if (state.last?.absent === undefined)
            state.log.info({ reason: error }, 'source not present on this system; collector stays quiet');
          outcome = {
            success: true,
            absent: error,
            durationSeconds: (performance.now() - started) / 1000,
            families: [],
            collectedAt: Date.now() / 1000,
          };
          state.last = outcome;
          return outcome;
        }
        outcome = {
          success: false,
          durationSeconds: (performance.now() - started) / 1000,
          families: [],
          error,
          collectedAt: Date.now() / 1000,
        };
        state.log.warn({ err: error }, 'collector failed');
        state.recentErrors.push({ time: new Date().toISOString(), error });
        if (state.recentErrors.length > RECENT_ERRORS) state.recentErrors.shift();
      } finally {
        clearTimeout(timer);
      }
      state.last = outcome;
      return outcome;
    };
    const collection: Collection = {
      outcome: run().finally(() => {
        if (state.inflight === collection) state.inflight = undefined;
      }),
      extend(at) {
        abortAt = Math.max(abortAt, at);
      },
    };
    state.inflight = collection;
    return collection;
  }

  /**
   * The round this scrape joins: every scrape that arrives while one of the round's collections is
   * still running shares its sources (one prefetch, each command forked once) and its collections,
   * finished or not, so fifty scrapes at once cost the router what one does.
   */
  private joinRound(timeoutSeconds: number): Round {
    if (this.round) return this.round;
    const round: Round = {
      sources: (async () => shareCommands((await this.sources.forScrape?.((timeoutSeconds * 1000) / 2)) ?? this.sources, new Map()))(),
      collections: new Map(),
      running: 0,
    };
    this.round = round;
    return round;
  }

  /** Waits for a collection until this scrape's own deadline, whatever deadline the collection has. */
  private async awaitOwn(collection: Collection, deadlineAt: number, timeoutSeconds: number): Promise<CollectorOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<CollectorOutcome>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            success: false,
            durationSeconds: timeoutSeconds,
            families: [],
            error: `did not finish within this scrape's deadline of ${timeoutSeconds} s (the collection goes on for the scrapes that wait longer)`,
            collectedAt: Date.now() / 1000,
          }),
        Math.max(deadlineAt - performance.now(), 0),
      );
    });
    try {
      return await Promise.race([collection.outcome, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async scrape(options: ScrapeOptions): Promise<MetricFamily[]> {
    const selected = [...this.states.values()].filter((s) => !options.only || options.only.has(s.name));
    const deadlineAt = performance.now() + options.timeoutSeconds * 1000;
    const round = this.joinRound(options.timeoutSeconds);
    const collections = selected.map((state) => {
      const joined = round.collections.get(state.name);
      if (joined) {
        joined.extend(deadlineAt);
        return joined;
      }
      round.running++;
      const started = Promise.all([round.sources, this.identitiesReady]).then(([sources]) => this.collectOne(state, deadlineAt, sources));
      const collection: Collection = {
        outcome: started.then((c) => c.outcome),
        extend: (at) => void started.then((c) => c.extend(at)),
      };
      const finished = (): void => {
        if (--round.running === 0 && this.round === round) this.round = undefined;
      };
      collection.outcome.then(finished, finished);
      round.collections.set(state.name, collection);
      return collection;
    });
    if (round.running === 0 && this.round === round) this.round = undefined; // nothing to collect
    const outcomes = await Promise.all(collections.map((c) => this.awaitOwn(c, deadlineAt, options.timeoutSeconds)));

    const success = new Family('routerscope_scrape_collector_success', 'gauge', 'Whether a collector succeeded.');
    const duration = new Family(
      'routerscope_scrape_collector_duration_seconds',
      'gauge',
      'How long a collector took (for a cached result, the collection it came from).',
    );
    const series = new Family('routerscope_collector_series', 'gauge', 'How many series a collector produced.');
    const lastSuccess = new Family(
      'routerscope_collector_last_success_timestamp_seconds',
      'gauge',
      'When a collector last produced a result that is being served.',
    );
    const absent = new Family(
      'routerscope_collector_absent',
      'gauge',
      'Whether a collector found its source absent on this system (1: nothing to collect here, not a failure).',
    );
    const dropped = new Family(
      'routerscope_collector_series_dropped',
      'gauge',
      'Series of a collector dropped by limits.max_series in this scrape.',
    );
    const groups: MetricFamily[][] = [];
    let budget = this.config.limits.max_series;
    selected.forEach((state, i) => {
      const o = outcomes[i]!;
      const labels = { collector: state.name };
      success.add(labels, o.success ? 1 : 0);
      absent.add(labels, o.absent === undefined ? 0 : 1);
      duration.add(labels, o.durationSeconds);
      series.add(labels, seriesCount(o.families));
      if (state.lastGood) lastSuccess.add(labels, state.lastGood.collectedAt);
      // The series budget: whole families (a histogram is never cut in half) while they fit.
      const kept: MetricFamily[] = [];
      let lost = 0;
      for (const f of o.families) {
        if (f.samples.length <= budget) {
          kept.push(f);
          budget -= f.samples.length;
        } else {
          lost += f.samples.length;
        }
      }
      if (lost > 0) state.log.warn({ dropped: lost, max_series: this.config.limits.max_series }, 'series cap reached; families dropped');
      dropped.add(labels, lost);
      groups.push(kept);
    });
    const transport = new Family(
      'routerscope_transport_operations_total',
      'counter',
      'Work done by the transport to the router: remote commands (round trips), file operations batched into them, and those prefetched at the start of a scrape.',
    );
    for (const [operation, value] of Object.entries(this.sources.counters?.() ?? {})) transport.add({ operation }, value);
    groups.push([success, absent, duration, series, lastSuccess, dropped, transport], await this.self.families());
    return mergeFamilies(groups, (name, reason) => this.log.warn({ metric: name }, `dropped: ${reason}`));
  }

  status(): object {
    return {
      sources: this.sources.description,
      config_file: this.config.file ?? null,
      collectors: [...this.states.values()].map((s) => ({
        name: s.name,
        last_success: s.last?.success ?? null,
        last_duration_seconds: s.last?.durationSeconds ?? null,
        last_collected_at: s.last ? new Date(s.last.collectedAt * 1000).toISOString() : null,
        last_error: s.last?.error ?? null,
        absent: s.last?.absent ?? null,
        series: s.last ? seriesCount(s.last.families) : null,
        recent_errors: s.recentErrors,
      })),
    };
  }
}
