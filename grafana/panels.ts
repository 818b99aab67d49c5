// Small helpers over grafana-foundation-sdk so each dashboard file reads as a list of panels, and
// the post-pass that gives every panel an id and every query a refId, deterministically.
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import {
  BarGaugeDisplayMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
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
  readonly legend?: string;
  readonly instant?: boolean;
  readonly format?: 'table' | 'heatmap';
  readonly interval?: string;
}

export function query(expr: string, options: QueryOptions = {}): DataqueryBuilder {
  const q = new DataqueryBuilder().datasource(DATASOURCE).expr(expr);
  if (options.legend) q.legendFormat(options.legend);
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
  opts: { stack?: boolean; description?: string } = {},
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
  if (opts.description) p.description(opts.description);
  if (opts.stack) p.stacking(new StackingConfigBuilder().mode(StackingMode.Normal)).fillOpacity(40);
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

export function tablePanel(title: string, queries: DataqueryBuilder[], s: Size = { w: 12, h: 8 }, merge = false) {
  const p = new table.PanelBuilder().title(title).datasource(DATASOURCE);
  for (const q of queries) p.withTarget(q);
  p.transformations([
    ...(merge ? [{ id: 'merge', options: {} }] : []),
    { id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true, instance: true } } },
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

type Variable = 'router' | 'interface' | 'client';

/** A dashboard with the data source and router variables (and those asked for), browser time. */
export function dashboard(uid: string, title: string, variables: Variable[] = []): DashboardBuilder {
  const d = new DashboardBuilder(title)
    .uid(uid)
    .tags(['routerscope', 'openwrt'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  const v = (name: string, label: string, q: string) =>
    new QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query(q)
      .definition(q)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.+');
  d.withVariable(v('router', 'Router', Q.routers));
  if (variables.includes('interface')) d.withVariable(v('interface', 'WAN', Q.wans));
  if (variables.includes('client')) d.withVariable(v('client', 'Client', Q.clients));
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
