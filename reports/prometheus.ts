// The Prometheus HTTP API over undici, with errors that say what to do.
import { request } from 'undici';
import { ReportError } from '../exporter/errors.ts';

export interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}
export interface RangeSeries {
  readonly labels: Record<string, string>;
  readonly values: Array<[number, number]>;
}

export class PrometheusClient {
  constructor(private readonly base: string) {}

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = `${this.base.replace(/\/$/, '')}${path}?${new URLSearchParams(params).toString()}`;
    let res;
    try {
      res = await request(url, { method: 'GET', headersTimeout: 60_000, bodyTimeout: 120_000 });
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e as Error).message;
      throw new ReportError(`cannot reach Prometheus at ${this.base} (${code}): is it running? Pass its address with --prometheus URL.`);
    }
    const text = await res.body.text();
    let body: { status?: string; data?: T; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ReportError(
        `${this.base} answered HTTP ${res.statusCode} without Prometheus JSON: is --prometheus the Prometheus address (e.g. http://localhost:9090)?`,
      );
    }
    if (body.status !== 'success') {
      throw new ReportError(
        `Prometheus rejected a query (${body.error ?? `HTTP ${res.statusCode}`}): query was ${params.query ?? params['match[]']}`,
      );
    }
    return body.data as T;
  }

  async query(expr: string, at: Date): Promise<Sample[]> {
    const data = await this.get<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>('/api/v1/query', {
      query: expr,
      time: String(at.getTime() / 1000),
    });
    return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  async queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<RangeSeries[]> {
    const data = await this.get<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
      '/api/v1/query_range',
      {
        query: expr,
        start: String(start.getTime() / 1000),
        end: String(end.getTime() / 1000),
        step: String(stepSeconds),
      },
    );
    return data.result.map((r) => ({ labels: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
  }

  /** The raw samples of a range-vector selector (`metric{...}[1d]`) evaluated at an instant. */
  async querySamples(expr: string, at: Date): Promise<RangeSeries[]> {
    const data = await this.get<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>('/api/v1/query', {
      query: expr,
      time: String(at.getTime() / 1000),
    });
    return data.result.map((r) => ({ labels: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
  }

  /** Values of a label over all the data Prometheus holds. */
  async labelValues(label: string, match: string): Promise<string[]> {
    return this.get<string[]>(`/api/v1/label/${label}/values`, { 'match[]': match });
  }
}
