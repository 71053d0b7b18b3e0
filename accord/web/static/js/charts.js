// Charts over time (ECharts) from `healthSeries(interval: MONTH)`: trust, power,
// decision shares, capacity and goals. Each chart has a text summary and a data table.

import { el, figure, replaceChildren } from "./dom.js";
import { longDay, shortDay, wallClock } from "./dates.js";
import { seriesPartners } from "./exports.js";

// Okabe-Ito colours (distinguishable with colour-vision deficiencies); series are told
// apart by line style and symbol too.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
const LINES = ["solid", "dashed", "dotted", "solid", "dashed", "dotted", "solid"];
const SYMBOLS = ["circle", "rect", "triangle", "diamond", "roundRect", "pin", "arrow"];
const TEXT = "#1f2933";
const MUTED = "#3e4c59";

const KIND_NAMES = { FUNDING: "Funding", STAFF: "Staff", IN_KIND: "In kind" };

function kind(list, name) {
  return list.find((entry) => entry.kind === name)?.value ?? null;
}

/** The charts: each a title, a description, its axes and its series (name + reader). */
function chartSpecs(series) {
  const ratio = { name: "0 to 1", min: 0, max: 1 };
  return [
    {
      id: "trust",
      title: "Trust",
      description: "Trust index, perceived trust, and reliability in keeping commitments (mean and lowest partner), 0 to 1.",
      axes: [ratio],
      series: [
        { name: "Trust index", read: (h) => h.trust.index },
        { name: "Perceived trust", read: (h) => h.trust.perceived },
        { name: "Reliability (mean)", read: (h) => h.trust.reliabilityMean },
        { name: "Reliability (lowest)", read: (h) => h.trust.reliabilityMin },
      ],
    },
    {
      id: "power",
      title: "Power",
      description: "Equality of decision rights and equity (say in proportion to contribution and risk), 0 to 1.",
      axes: [ratio],
      series: [
        { name: "Equality", read: (h) => h.power.equality },
        { name: "Equity", read: (h) => h.power.equity },
      ],
    },
    {
      id: "shares",
      title: "Decision shares",
      description: "Each active partner's share of decision credit over the trailing window; the shares add up to 1.",
      axes: [ratio],
      stacked: true,
      series: seriesPartners(series).map((partner) => ({
        name: partner.name,
        read: (h) => h.power.shares.find((share) => share.partner.id === partner.id)?.decisionShare ?? null,
      })),
    },
    {
      id: "capacity",
      title: "Capacity",
      description: "Fulfilment of commitments due in the window, per resource kind (0 to 1), and vacant leadership roles (bars, right axis).",
      axes: [ratio, { name: "Vacant roles", min: 0, minInterval: 1 }],
      series: [
        ...Object.entries(KIND_NAMES).map(([key, name]) => ({
          name: `Fulfilment: ${name}`,
          read: (h) => kind(h.capacity.fulfilment, key),
        })),
        { name: "Vacant roles", read: (h) => h.capacity.vacantRoles, axis: 1, bar: true },
      ],
    },
    {
      id: "goals",
      title: "Goals",
      description: "Coverage (partners endorsing each goal as it stands) and agreement between their ratings, 0 to 1; days since goals were last set, revised or reaffirmed (right axis).",
      axes: [ratio, { name: "Days", min: 0 }],
      series: [
        { name: "Coverage", read: (h) => h.goals.coverage },
        { name: "Agreement", read: (h) => h.goals.agreement },
        { name: "Staleness (days)", read: (h) => h.goals.stalenessDays, axis: 1 },
      ],
    },
  ];
}

// ECharts shows a time axis in UTC or in the browser's zone only. The page's times are in
// the deployment's zone (dates.js): the axis is UTC, and each instant is placed at its
// wall-clock time in the zone read as UTC, so the axis and tooltips read in that zone.
function option(spec, series, asOf) {
  const times = series.map((h) => wallClock(h.asOf));
  return {
    useUTC: true,
    animation: false,
    aria: { enabled: true, label: { enabled: false }, decal: { show: Boolean(spec.stacked) } },
    textStyle: { color: TEXT, fontFamily: "system-ui, sans-serif" },
    color: COLOURS,
    grid: { left: 48, right: spec.axes.length > 1 ? 56 : 20, top: 56, bottom: 36 },
    legend: { type: "scroll", top: 0, textStyle: { color: TEXT } },
    tooltip: {
      trigger: "axis",
      valueFormatter: (value) => (value === null || value === undefined ? "–" : figure(value)),
    },
    xAxis: {
      type: "time",
      axisLabel: { color: MUTED, hideOverlap: true },
      axisLine: { lineStyle: { color: MUTED } },
    },
    yAxis: spec.axes.map((axis, index) => ({
      type: "value",
      name: axis.name,
      min: axis.min,
      max: axis.max,
      minInterval: axis.minInterval,
      nameTextStyle: { color: MUTED },
      axisLabel: { color: MUTED },
      splitLine: { show: index === 0, lineStyle: { color: "#d9dee4" } },
    })),
    series: spec.series.map((line, index) => ({
      id: `${spec.id}-${index}`,
      name: line.name,
      type: line.bar ? "bar" : "line",
      yAxisIndex: line.axis ?? 0,
      stack: spec.stacked ? "shares" : undefined,
      areaStyle: spec.stacked ? { opacity: 0.75 } : undefined,
      connectNulls: false,
      showSymbol: !spec.stacked,
      symbol: SYMBOLS[index % SYMBOLS.length],
      symbolSize: 6,
      barMaxWidth: 10,
      itemStyle: line.bar ? { color: "#7b8794" } : undefined,
      lineStyle: { width: 2, type: LINES[index % LINES.length] },
      data: series.map((h, sample) => [times[sample], line.read(h)]),
      markLine: index === 0 ? asOfMarker(asOf) : undefined,
    })),
  };
}

function asOfMarker(asOf) {
  return {
    silent: true,
    symbol: "none",
    animation: false,
    lineStyle: { color: TEXT, type: "dashed", width: 1 },
    label: { formatter: "as of", color: TEXT },
    // the as-of day's end in the zone, as wall-clock time read as UTC (see `option`)
    data: asOf ? [{ xAxis: `${asOf}T23:59:59.999Z` }] : [],
  };
}

/** A sentence summing a chart up for screen readers (latest values). */
function summary(spec, series) {
  if (!series.length) return `${spec.title}: no samples.`;
  const last = series[series.length - 1];
  const latest = spec.series
    .map((line) => `${line.name} ${figure(line.read(last))}`)
    .join(", ");
  return `${spec.title}, monthly from ${longDay(series[0].asOf)} to ${longDay(last.asOf)}. ${spec.description} Latest: ${latest}.`;
}

function dataTable(spec, series) {
  return el(
    "details",
    { className: "chart-data" },
    el("summary", {}, `Data table: ${spec.title}`),
    el(
      "div",
      { className: "table-wrap", tabindex: "0", role: "region", "aria-label": `${spec.title} data` },
      el(
        "table",
        {},
        el("caption", {}, `${spec.title}, monthly samples`),
        el(
          "thead",
          {},
          el("tr", {}, el("th", { scope: "col" }, "As of"),
            spec.series.map((line) => el("th", { scope: "col" }, line.name))),
        ),
        el(
          "tbody",
          {},
          series.map((h) =>
            el("tr", {}, el("th", { scope: "row" }, shortDay(h.asOf)),
              spec.series.map((line) => el("td", {}, figure(line.read(h))))),
          ),
        ),
      ),
    ),
  );
}

export class HealthCharts {
  constructor(container) {
    this.container = container;
    this.charts = [];
    this.asOf = null;
    this.resize = new ResizeObserver(() => this.charts.forEach(({ chart }) => chart.resize()));
  }

  show(series, asOf) {
    this.dispose();
    this.asOf = asOf;
    const figures = chartSpecs(series).map((spec) => {
      const canvas = el("div", {
        className: "chart",
        role: "img",
        "aria-label": summary(spec, series),
        id: `chart-${spec.id}`,
      });
      const figureNode = el(
        "figure",
        { className: "chart-figure", "aria-labelledby": `chart-${spec.id}-title` },
        el("h3", { id: `chart-${spec.id}-title` }, spec.title),
        el("figcaption", {}, spec.description),
        canvas,
        dataTable(spec, series),
      );
      return { spec, canvas, figureNode };
    });
    replaceChildren(this.container, figures.map(({ figureNode }) => figureNode));
    for (const { spec, canvas } of figures) {
      const chart = echarts.init(canvas, null, { renderer: "canvas" });
      chart.setOption(option(spec, series, asOf));
      this.charts.push({ spec, chart });
      this.resize.observe(canvas);
    }
  }

  /** Move the "as of" line on every chart. */
  markAsOf(asOf) {
    this.asOf = asOf;
    for (const { spec, chart } of this.charts) {
      if (!spec.series.length) continue;
      chart.setOption({ series: [{ id: `${spec.id}-0`, markLine: asOfMarker(asOf) }] });
    }
  }

  dispose() {
    this.resize.disconnect();
    for (const { chart } of this.charts) chart.dispose();
    this.charts = [];
  }
}
