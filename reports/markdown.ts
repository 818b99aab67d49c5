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
/** The p95, or where interpolation would put it below the mean, the bucket that holds it. */
function p95(l: Report['latency'][number]): string {
  if (!(l.p95Ms < l.meanMs)) return ms(l.p95Ms);
  const [lower, upper] = l.p95BucketMs;
  return upper === null ? `over ${ms(lower)}` : `${lower.toFixed(1)}–${ms(upper)}`;
}
const client = (c: ClientRow) => [c.hostname || '—', c.ip || '—', c.mac];

/** The report in one paragraph: traffic, the worst outage, the alerts, anything new. */
function summary(r: Report, noun: string, tz: string): string {
  const { total, previous } = r.summary;
  const parts = [
    `**In short:** ${r.router} moved ${bytes(total.download)} down and ${bytes(total.upload)} up (${change(total.download + total.upload, previous.download + previous.upload)} on the previous ${noun}).`,
  ];
  const outages = r.wans.flatMap((w) => w.outages.map((o) => ({ wan: w.interface, o })));
  const worst = outages.sort((a, b) => b.o.minutes - a.o.minutes)[0];
  parts.push(
    worst
      ? `The longest outage: ${worst.wan}, ${worst.o.minutes} min from ${local(worst.o.start, tz)}${outages.length > 1 ? ` (${outages.length} in all)` : ''}.`
      : 'No WAN was down.',
  );
  const tunnelsDown = r.tunnels.filter((t) => t.availability < 1);
  if (tunnelsDown.length > 0)
    parts.push(`Tunnels down part of the ${noun}: ${tunnelsDown.map((t) => `${t.tunnel} (${percent(t.availability)} up)`).join(', ')}.`);
  const names = [...new Set(r.alerts.map((a) => a.alertname))];
  parts.push(
    names.length > 0 ? `${names.length === 1 ? '1 alert' : `${names.length} alerts`} fired (${names.join(', ')}).` : 'No alert fired.',
  );
  const fresh = r.newClients.map((c) => c.hostname || c.mac);
  parts.push(
    fresh.length > 0
      ? `New on the network: ${fresh.slice(0, 3).join(', ')}${fresh.length > 3 ? ` and ${fresh.length - 3} more` : ''}.`
      : 'No new clients.',
  );
  return parts.join(' ');
}

export function renderMarkdown(r: Report): string {
  const tz = r.period.timeZone;
  const noun = { daily: 'day', weekly: 'week', monthly: 'month' }[r.kind];
  const out: string[] = [];
  out.push(
    `# Client activity: ${r.router}, ${r.kind} report for ${r.kind === 'monthly' ? r.period.firstDay.slice(0, 7) : r.period.firstDay}\n`,
  );
  out.push(`Period ${local(r.period.start, tz)} to ${local(r.period.end, tz)} (${tz}).\n`);
  out.push(summary(r, noun, tz) + '\n');

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
  out.push(`_Connections: the new connections (flows) nlbwmon counted for the client during the ${noun}, not the ones open at its end._\n`);
  out.push(
    table(
      ['Host', 'IP', 'MAC', 'Connections'],
      r.topConnections.map((c) => [...client(c), String(c.value)]),
    ),
  );
  out.push('## DNS\n');
  out.push(
    table(
      ['Host', 'IP', 'Queries', 'Unique domains', 'Most asked'],
      r.dns.map((d) => [
        d.hostname || '—',
        d.client,
        String(d.queries),
        String(d.uniqueDomains),
        d.topDomains.map((t) => `${t.domain} (${Math.round(t.queries)})`).join(', ') || '—',
      ]),
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
  // A home with one WAN has nothing to fail over to; a WAN without PPPoE has nothing to reconnect.
  const lines = [
    ...(r.wans.length > 1 ? [`Failovers (master changes): ${r.failovers}.`] : []),
    ...(r.pppoeReconnects.length > 0 ? [`PPPoE reconnects: ${r.pppoeReconnects.map((p) => `${p.interface} ${p.count}`).join(', ')}.`] : []),
  ];
  if (lines.length > 0) out.push(lines.join(' ') + '\n');
  if (r.tunnels.length > 0) {
    out.push('## Tunnels\n');
    out.push(
      table(
        ['Tunnel', 'Availability'],
        r.tunnels.map((t) => [t.tunnel, percent(t.availability)]),
      ),
    );
  }

  out.push('## Latency\n');
  out.push(
    table(
      ['Target', 'WAN', 'Mean', 'p95', 'Loss', 'Jitter', `Mean per ${r.kind === 'daily' ? 'hour' : 'day'}`],
      r.latency.map((l) => [
        l.target,
        l.interface || '—',
        ms(l.meanMs),
        p95(l),
        percent(l.loss),
        ms(l.jitterMs),
        sparkline(l.hourlyMeanMs),
      ]),
    ),
  );

  if (r.latency.some((l) => l.p95Ms < l.meanMs))
    out.push(
      '_A p95 given as a range: the histogram says which bucket holds it, and interpolating within the bucket would put it below the mean._\n',
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
