import { describe, expect, it } from 'vitest';
import { Family, mergeFamilies, MetricSink, render } from './metrics.ts';
import { parseExposition } from './parse-exposition.ts';

describe('render', () => {
  it('escapes label values and help text as the text format requires', () => {
    const f = new Family('x_info', 'gauge', 'help with \\ and\nnewline').add({ a: 'quote " back \\ nl \n' }, 1);
    expect(render([f])).toBe('# HELP x_info help with \\\\ and\\nnewline\n# TYPE x_info gauge\nx_info{a="quote \\" back \\\\ nl \\n"} 1\n');
  });

  it('writes special values the way Prometheus parses them', () => {
    const f = new Family('v', 'gauge', 'h')
      .add({ k: 'nan' }, NaN)
      .add({ k: 'inf' }, Infinity)
      .add({ k: 'ninf' }, -Infinity)
      .add({ k: 'big' }, 1e21);
    const parsed = parseExposition(render([f]))[0]!;
    expect(parsed.samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity, 1e21]);
  });

  it('renders histograms with cumulative buckets, sum and count', () => {
    const f = new Family('rtt_seconds', 'histogram', 'h').addHistogram(
      { target: 'a' },
      [
        [0.01, 1],
        [0.1, 3],
        [Infinity, 4],
      ],
      0.5,
      4,
    );
    expect(render([f])).toContain(
      'rtt_seconds_bucket{target="a",le="+Inf"} 4\nrtt_seconds_sum{target="a"} 0.5\nrtt_seconds_count{target="a"} 4\n',
    );
    const parsed = parseExposition(render([f]));
    expect(parsed).toHaveLength(1);
    expect(parsed[0]!.samples).toHaveLength(5);
  });
});

describe('MetricSink', () => {
  it('refuses one name with two types', () => {
    const sink = new MetricSink();
    sink.gauge('a', 'h', {}, 1);
    expect(() => sink.counter('a', 'h', {}, 1)).toThrow('metric a emitted as counter after gauge');
  });
});

describe('mergeFamilies', () => {
  it('merges by name, sorts, and drops conflicting types and duplicate series with a reason', () => {
    const problems: string[] = [];
    const merged = mergeFamilies(
      [
        [new Family('b', 'gauge', 'h').add({ x: '1' }, 1), new Family('a', 'counter', 'h').add({}, 1)],
        [new Family('b', 'gauge', 'h').add({ x: '2' }, 2).add({ x: '1' }, 9), new Family('a', 'gauge', 'h').add({}, 3)],
      ],
      (name, reason) => problems.push(`${name}: ${reason}`),
    );
    expect(merged.map((f) => f.name)).toEqual(['a', 'b']);
    expect(merged[1]!.samples.map((s) => s.value)).toEqual([1, 2]);
    expect(problems).toEqual(['b: duplicate series b{x="1"}', 'a: type gauge conflicts with counter']);
  });
});
