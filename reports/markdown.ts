// A report as markdown: tables in human units, a Mermaid chart of traffic, sparklines for latency.
import type { ClientRow, Report, Window } from './report.ts';

export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(2)} ${units[i]}`;
}
export const percent = (ratio: number, digits = 2) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)}%` : 'n/a');
export const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');

function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? 'no change' : 'new';
  const r = (now - before) / before;
  return `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
}

const SPARKS = '▁▂▃▄▅▆▇█';
export function sparkline(values: number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  return values.map((v) => (Number.isFinite(v) ? SPARKS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * 7)] : ' ')).join('');
}

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '_None._\n';
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return (
    [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join(
      '\n',
    ) + '\n'
  );
}

const local = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
const window = (w: Window, tz: string) => `${local(w.start, tz)} – ${local(w.end, tz).slice(-5)} (${w.minutes} min)`;
const client = (c: ClientRow) => [c.hostname || '—', c.ip || '—', c.mac];

export function renderMarkdown(r: Report): string {
  const tz = r.period.timeZone;
  const noun = { daily: 'day', weekly: 'week', monthly: 'month' }[r.kind];
  const out: string[] = [];
  out.push(
    `# Client activity: ${r.router}, ${r.kind} report for ${r.kind === 'monthly' ? r.period.firstDay.slice(0, 7) : r.period.firstDay}\n`,
  );
  out.push(`Period ${local(r.period.start, tz)} to ${local(r.period.end, tz)} (${tz}).\n`);

  out.push('## Summary\n');
  out.push(
    table(
      ['WAN', 'Download', 'Upload'],
      [
        ...r.summary.wans.map((w) => [w.interface, bytes(w.download), bytes(w.upload)]),
        ['**All WANs**', `**${bytes(r.summary.total.download)}**`, `**${bytes(r.summary.total.upload)}**`],
        [
          `Previous ${noun}`,
          `${bytes(r.summary.previous.download)} (${change(r.summary.total.download, r.summary.previous.download)})`,
          `${bytes(r.summary.previous.upload)} (${change(r.summary.total.upload, r.summary.previous.upload)})`,
        ],
      ],
    ),
  );
  if (r.traffic.length > 0) {
    const gb = (n: number) => (n / 1e9).toFixed(2);
    out.push('```mermaid');
    out.push('xychart-beta');
    out.push(`  title "Traffic per ${r.kind === 'daily' ? 'hour' : 'day'} (GB, bars download, line upload)"`);
    out.push(`  x-axis [${r.traffic.map((t) => `"${t.label}"`).join(', ')}]`);
    out.push('  y-axis "GB"');
    out.push(`  bar [${r.traffic.map((t) => gb(t.download)).join(', ')}]`);
    out.push(`  line [${r.traffic.map((t) => gb(t.upload)).join(', ')}]`);
    out.push('```\n');
  }

  out.push('## Top 10 clients by download\n');
  out.push(
    table(
      ['Host', 'IP', 'MAC', 'Download'],
      r.topDownload.map((c) => [...client(c), bytes(c.value)]),
    ),
  );
  out.push('## Top 10 clients by upload\n');
  out.push(
    table(
      ['Host', 'IP', 'MAC', 'Upload'],
      r.topUpload.map((c) => [...client(c), bytes(c.value)]),
    ),
  );
  out.push('## Most connections\n');
  out.push(
    table(
      ['Host', 'IP', 'MAC', 'Connections'],
      r.topConnections.map((c) => [...client(c), String(c.value)]),
    ),
  );
  out.push('## DNS\n');
  out.push(
    table(
      ['Client', 'Queries', 'Unique domains'],
      r.dns.map((d) => [d.client, String(d.queries), String(d.uniqueDomains)]),
    ),
  );
  out.push('## Protocols\n');
  out.push(
    table(
      ['Protocol', 'Traffic', 'Share'],
      r.protocols.map((p) => [p.protocol, bytes(p.bytes), percent(p.share, 1)]),
    ),
  );

  out.push('## WANs\n');
  out.push(
    table(
      ['WAN', 'Availability', 'Outages'],
      r.wans.map((w) => [w.interface, percent(w.availability), w.outages.map((o) => window(o, tz)).join('; ') || 'none']),
    ),
  );
  out.push(
    `Failovers (master changes): ${r.failovers}. PPPoE reconnects: ${r.pppoeReconnects.map((p) => `${p.interface} ${p.count}`).join(', ') || 'none'}.\n`,
  );

  out.push('## Latency\n');
  out.push(
    table(
      ['Target', 'WAN', 'Mean', 'p95', 'Loss', 'Jitter', `Mean per ${r.kind === 'daily' ? 'hour' : 'day'}`],
      r.latency.map((l) => [
        l.target,
        l.interface || '—',
        ms(l.meanMs),
        ms(l.p95Ms),
        percent(l.loss),
        ms(l.jitterMs),
        sparkline(l.hourlyMeanMs),
      ]),
    ),
  );

  out.push('## Alerts\n');
  out.push(
    table(
      ['Alert', 'Severity', 'Subject', 'Fired', 'Duration'],
      r.alerts.map((a) => [a.alertname, a.severity, a.subject || '—', a.firings.map((w) => window(w, tz)).join('; '), `${a.minutes} min`]),
    ),
  );

  out.push('## Temperature and optics\n');
  out.push(
    table(
      ['Sensor', 'Min', 'Max'],
      [
        ...r.temperatures.map((t) => [t.sensor, `${t.min.toFixed(1)} °C`, `${t.max.toFixed(1)} °C`]),
        ...r.optics.flatMap((o) => [
          [`${o.device} RX power`, `${o.rxMinDbm.toFixed(2)} dBm`, `${o.rxMaxDbm.toFixed(2)} dBm`],
          [`${o.device} TX power`, `${o.txMinDbm.toFixed(2)} dBm`, `${o.txMaxDbm.toFixed(2)} dBm`],
        ]),
      ],
    ),
  );

  out.push('## New clients\n');
  out.push(table(['Host', 'IP', 'MAC'], r.newClients.map(client)));
  return out.join('\n');
}
