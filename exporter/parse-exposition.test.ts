import { describe, expect, it } from 'vitest';
import { parseExposition } from './parse-exposition.ts';

describe('parseExposition', () => {
  it('groups histogram samples under their family and unescapes labels', () => {
    const text = [
      '# HELP h A histogram.',
      '# TYPE h histogram',
      'h_bucket{le="1"} 2',
      'h_bucket{le="+Inf"} 3',
      'h_sum 4.5',
      'h_count 3',
      '# a plain comment',
      'u{path="C:\\\\x",q="say \\"hi\\""} 7 1700000000000',
      '',
    ].join('\n');
    const families = parseExposition(text);
    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['h', 'histogram', 4],
      ['u', 'untyped', 1],
    ]);
    expect(families[1]!.samples[0]).toEqual({ suffix: '', labels: { path: 'C:\\x', q: 'say "hi"' }, value: 7, timestamp: 1700000000000 });
  });

  it.each([
    ['bad-name 1', 'line 1: invalid value "-name"'],
    ['x', 'line 1: expected a value (and optional timestamp) after x'],
    ['x{a="1} 1', 'line 1: label a: unterminated value'],
    ['x{a=1} 1', 'line 1: label a: value must be quoted'],
    ['x{a="1",a="2"} 1', 'line 1: duplicate label "a"'],
    ['x one', 'line 1: invalid value "one"'],
    ['# TYPE x gauge\nx 1\n# TYPE y sometimes', 'line 3: invalid type "sometimes" for y'],
    ['x 1 soon', 'line 1: invalid timestamp "soon"'],
  ])('rejects %j', (text, message) => {
    expect(() => parseExposition(text)).toThrow(message);
  });
});
