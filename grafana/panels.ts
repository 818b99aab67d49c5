// Small helpers over grafana-foundation-sdk so each dashboard file reads as a list of panels, and
// the post-pass that gives every panel an id and every query a refId, deterministically.
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import {
  BarGaugeDisplayMode,
  GraphDrawStyle,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  AdHocVariableBuilder,
  AnnotationQueryBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { Q } from './queries.ts';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export interface QueryOptions {
  /** The series' name; the router's name is put in front, so several routers stay apart. */
  readonly legend?: string;
  readonly instant?: boolean;
  readonly format?: 'table' | 'heatmap';
  readonly interval?: string;
}

export function query(expr: string, options: QueryOptions = {}): DataqueryBuilder {
  const q = new DataqueryBuilder().datasource(DATASOURCE).expr(expr);
  const perRouter = options.legend && options.format !== 'heatmap' && !options.legend.includes('{{router}}');
  if (options.legend) q.legendFormat(perRouter ? `{{router}} ${options.legend}` : options.legend);
  if (options.instant) q.instant();
  if (options.format === 'table') q.format(PromQueryFormat.Table);
  if (options.format === 'heatmap') q.format(PromQueryFormat.Heatmap);
  if (options.interval) q.interval(options.interval);
  return q;
}

type Size = { w: number; h: number };
const size = <T extends { span(w: number): T; height(h: number): T }>(b: T, s: Size): T => b.span(s.w).height(s.h);
const thresholds = (steps: Array<[number | null, string]>) =>
  new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map(([value, color]) => ({ value, color })));

export function timeSeries(
  title: string,
  unit: string,
  queries: DataqueryBuilder[],
  s: Size = { w: 12, h: 8 },
  opts: { stack?: boolean; bars?: boolean; timeFrom?: string } = {},
) {
  const p = new timeseries.PanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .unit(unit)
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['mean', 'max', 'lastNotNull']),
    );
  if (opts.stack) p.stacking(new StackingConfigBuilder().mode(StackingMode.Normal)).fillOpacity(40);
  // Bars for volumes per hour or day, over the panel's own range whatever the dashboard shows.
  if (opts.bars) p.drawStyle(GraphDrawStyle.Bars).fillOpacity(80).lineWidth(1);
  if (opts.timeFrom) p.timeFrom(opts.timeFrom);
  for (const q of queries) p.withTarget(q);
  return size(p, s);
}

export function statPanel(
  title: string,
  unit: string,
  queries: DataqueryBuilder[],
  s: Size = { w: 6, h: 4 },
  steps: Array<[number | null, string]> = [[null, 'green']],
) {
  const p = new stat.PanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .unit(unit)
    .thresholds(thresholds(steps))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  for (const q of queries) p.withTarget(q);
  return size(p, s);
}

export interface TableOptions {
  /** One row per label set, the queries' values side by side. */
  readonly merge?: boolean;
  readonly unit?: string;
  /** Names for the value columns, in query order (Grafana says `Value #A`, `Value #B`). */
  readonly values?: readonly string[];
  /** Value columns with a unit of their own, by the name given in `values`. */
  readonly units?: Readonly<Record<string, string>>;
}

export function tablePanel(title: string, queries: DataqueryBuilder[], s: Size = { w: 12, h: 8 }, opts: TableOptions = {}) {
  const p = new table.PanelBuilder().title(title).datasource(DATASOURCE);
  for (const q of queries) p.withTarget(q);
  if (opts.unit) p.unit(opts.unit);
  // A single query's column is `Value`; several give `Value #A`, `Value #B`...
  const valueColumn = (i: number) => (queries.length === 1 ? 'Value' : `Value #${String.fromCharCode(65 + i)}`);
  const renameByName = Object.fromEntries((opts.values ?? []).map((name, i) => [valueColumn(i), name]));
  for (const [name, unit] of Object.entries(opts.units ?? {})) p.overrideByName(name, [{ id: 'unit', value: unit }]);
  p.transformations([
    ...(opts.merge ? [{ id: 'merge', options: {} }] : []),
    { id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true, instance: true }, renameByName } },
  ]);
  return size(p, s);
}

export function barGauge(title: string, unit: string, queries: DataqueryBuilder[], s: Size = { w: 12, h: 8 }) {
  const p = new bargauge.PanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .unit(unit)
    .displayMode(BarGaugeDisplayMode.Gradient)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  for (const q of queries) p.withTarget(q);
  return size(p, s);
}

export function pieChart(title: string, unit: string, queries: DataqueryBuilder[], s: Size = { w: 8, h: 8 }) {
  const p = new piechart.PanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .unit(unit)
    .pieType(piechart.PieChartType.Donut)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  for (const q of queries) p.withTarget(q);
  return size(p, s);
}

export function heatmapPanel(title: string, queries: DataqueryBuilder[], s: Size = { w: 24, h: 9 }) {
  const p = new heatmap.PanelBuilder().title(title).datasource(DATASOURCE).calculate(false).unit('s');
  for (const q of queries) p.withTarget(q);
  return size(p, s);
}

export function stateTimeline(
  title: string,
  queries: DataqueryBuilder[],
  s: Size = { w: 24, h: 6 },
  steps: Array<[number | null, string]> = [
    [null, 'red'],
    [1, 'green'],
  ],
) {
  const p = new statetimeline.PanelBuilder().title(title).datasource(DATASOURCE).thresholds(thresholds(steps));
  for (const q of queries) p.withTarget(q);
  return size(p, s);
}

export const row = (title: string) => new RowBuilder(title);

type Variable = 'router' | 'interface' | 'client' | 'target' | 'host';

/** A dashboard with the data source and router variables (and those asked for), browser time. */
export function dashboard(uid: string, title: string, variables: Variable[] = []): DashboardBuilder {
  const d = new DashboardBuilder(title)
    .uid(uid)
    .tags(['routerscope', 'openwrt'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .link(
      new DashboardLinkBuilder('routerscope')
        .type(DashboardLinkType.Dashboards)
        .tags(['routerscope'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  const v = (name: string, label: string, q: string, allValue = '.+') =>
    new QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query(q)
      .definition(q)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue(allValue);
  d.withVariable(v('router', 'Router', Q.routers));
  // "All" WANs also keeps series with no WAN at all (a target pinged by the routing table).
  if (variables.includes('interface')) d.withVariable(v('interface', 'WAN', Q.wans, '.*'));
  if (variables.includes('target')) d.withVariable(v('target', 'Ping target', Q.targets));
  if (variables.includes('client')) d.withVariable(v('client', 'Client', Q.clients));
  if (variables.includes('host')) d.withVariable(v('host', 'Host', Q.hosts).multi(false).includeAll(false));
  // Any label a ping target carries (country, group...) filters every query.
  if (variables.includes('target')) d.withVariable(new AdHocVariableBuilder('filter').label('Filter').datasource(DATASOURCE));
  return d;
}

export function failoverAnnotations(): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('WAN events')
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor('orange')
    .expr('changes(openwrt_interface_events_total{router=~"$router", event=~"master_changed|tracker_down|down|ppp_down"}[2m]) > 0')
    .titleFormat('{{interface}} {{event}}')
    .step('1m');
}

/**
 * Grafana fixes missing panel ids and refIds on load, but the JSON would not be stable: give
 * panels ids in order and each panel's queries refIds A, B, C...
 */
export function finalize(d: Dashboard): Dashboard {
  let id = 1;
  const visit = (panels: unknown[] | undefined) => {
    for (const p of (panels ?? []) as Array<{ id?: number; targets?: Array<{ refId?: string }>; panels?: unknown[] }>) {
      p.id = id++;
      p.targets?.forEach((t, i) => (t.refId = String.fromCharCode(65 + i)));
      visit(p.panels);
    }
  };
  visit(d.panels);
  return d;
}
