// The kernel's MPTCP endpoints and the mode they put a device in: the mptcp collector compares it
// with UCI's, and the admin listener shows it beside each WAN.
import { parseJson, ParseError } from '../exporter/errors.ts';

export interface MptcpEndpoint {
  readonly id: number;
  readonly address: string;
  readonly device: string;
  /** In kernel order: signal, subflow, backup, fullmesh. */
  readonly flags: readonly string[];
}

const FLAGS = ['signal', 'subflow', 'backup', 'fullmesh'] as const;

/** `ip -j mptcp endpoint show`: flags appear only when true, `dev` only when bound; empty is "". */
export function parseMptcpEndpoints(text: string): MptcpEndpoint[] {
  if (text.trim() === '') return [];
  const rows = parseJson<unknown>('ip -j mptcp endpoint show', text);
  if (!Array.isArray(rows)) throw new ParseError('ip -j mptcp endpoint show', 'expected a JSON array');
  return rows.map((r: Record<string, unknown>, i) => {
    if (typeof r.address !== 'string' || typeof r.id !== 'number') {
      throw new ParseError('ip -j mptcp endpoint show', `entry ${i} has no address or id`);
    }
    return { id: r.id, address: r.address, device: typeof r.dev === 'string' ? r.dev : '', flags: FLAGS.filter((f) => r[f] === true) };
  });
}

/** `ip mptcp limits show`: plain text even with -j on iproute2 6.1, JSON on newer ones. */
export function parseMptcpLimits(text: string): Map<string, number> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const obj = parseJson<Record<string, unknown>>('ip mptcp limits show', trimmed);
    return new Map(Object.entries(obj).filter(([, v]) => typeof v === 'number') as Array<[string, number]>);
  }
  const fields = trimmed.split(/\s+/);
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = Number(fields[i + 1]);
    if (!Number.isFinite(value)) throw new ParseError('ip mptcp limits show', `"${fields[i]}" is not followed by a number`);
    out.set(fields[i]!, value);
  }
  if (out.size === 0) throw new ParseError('ip mptcp limits show', 'no limits');
  return out;
}

export type EffectiveMode = 'on' | 'backup' | 'signal' | 'off';

/** The mode the kernel applies to a device, as OMR's `multipath` script reads it back. */
export function effectiveMode(endpoints: readonly MptcpEndpoint[], device: string): EffectiveMode {
  const mine = endpoints.filter((e) => e.device === device);
  if (mine.some((e) => e.flags.includes('subflow') && !e.flags.includes('backup'))) return 'on';
  if (mine.some((e) => e.flags.includes('backup'))) return 'backup';
  if (mine.some((e) => e.flags.includes('signal'))) return 'signal';
  return 'off';
}
