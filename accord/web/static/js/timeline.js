// The partnership's history on a vis-timeline, fed by the API's `timeline { groups items }`.
// Items are rendered as text by a template (never as HTML); tooltips are escaped.
//
// Only what is seen is sent (issue 19): the timeline loads the window on screen (by
// default the year around the as-of date) through `timeline(from, to)`, then, as the
// person pans or zooms (`rangechanged`), the windows next to it. Windows are whole
// years on a grid anchored at the first one, each fetched at most once for a view
// (consecutive missing ones in one request); an item's `id` and `end` never depend on
// the window asked for (API.md, Timeline), so windows merge by id. Every window of a view
// is asked for with the view's one `asOf`, the instant the view opened, so a tenure still
// open ends at the same instant in each; a new view (a new entry seen live, another
// "as known at") takes the instant it opens.
//
// Dense lanes are clustered: time is cut into periods of about 1/60 of the window's width
// (a power of two of hours, so that a small zoom or a pan keeps them), and where a lane
// has more than CLUSTER_OVER items starting in one period they are drawn as one summary
// box ("12"; its tooltip says how many, and selecting it zooms into it); elsewhere the
// items themselves. vis-timeline is handed only what is near the window (a window's
// width either side), so a year of 2,000 entries is drawn as a few hundred boxes, and
// "Whole history" as the whole span in summaries. (vis-timeline's own `cluster` option
// took over a second to place a thousand items.)

import { el, escapeHtml, replaceChildren } from "./dom.js";
import { dayEnd, isoDay, shortDay, zoneOffset } from "./dates.js";

const DAY_MS = 86_400_000;
const AS_OF = "as-of";
const LABEL_SPAN_MS = 550 * DAY_MS;
const HOUR_MS = 3_600_000;
/** A lane's items starting in one period are summarised when there are more than this. */
const CLUSTER_OVER = 3;
/** Periods across the window. */
const PERIODS = 60;
const CLUSTER = "cluster";
/** One window of the grid the timeline is fetched by. */
export const WINDOW_MS = 365 * DAY_MS;

/** `timeline(from, to)` for one window: vis-timeline's groups and items. */
export const TIMELINE_WINDOW = `
  query TimelineWindow($id: ID!, $from: DateTime!, $to: DateTime!, $knownAt: DateTime,
                       $asOf: DateTime!) {
    partnership(id: $id) {
      id
      timeline(from: $from, to: $to, knownAt: $knownAt, asOf: $asOf) {
        groups { id content }
        items { id group content start end type className title eventId }
        latest
      }
    }
  }`;
// Selecting an item brings it into view, keeping the zoom.
const FOCUS = { focus: true, zoom: false, animation: false };

/** The item types the API's `className` names, for the legend. */
const LEGEND = [
  ["partnership-formed", "Partnership formed"],
  ["partner-joined", "Partner joined"],
  ["partner-left", "Partner left"],
  ["risk-shares-agreed", "Risk shares agreed"],
  ["goal-set", "Goal set"],
  ["goal-revised", "Goal revised"],
  ["goal-endorsed", "Goal endorsed"],
  ["goal-reaffirmed", "Goal reaffirmed"],
  ["goal-retired", "Goal retired"],
  ["decision-recorded", "Decision"],
  ["commitment-made", "Commitment (made to due)"],
  ["commitment-delivered", "Delivery"],
  ["commitment-released", "Commitment released"],
  ["leader-appointed", "Leadership tenure"],
  ["leader-departed", "Leader departed"],
  ["trust-check-in-recorded", "Trust check-in"],
  ["retracted", "Retracted (struck through)"],
];

function isRetracted(item) {
  return (item.className ?? "").split(/\s+/).includes("retracted");
}

/** The text an item shows: its content, marked when retracted (not by colour alone). */
function itemText(item) {
  return isRetracted(item) ? `${item.content} (retracted)` : item.content;
}

export class HistoryTimeline {
  /**
   * @param {HTMLElement} container
   * @param {(item: object) => void} onSelect  called with the API item selected
   * @param {(day: string) => void} onAsOfDragged  called when the as-of line is dragged
   * @param {(loaded: {items: number, from: number, to: number, windows: number}) => void}
   *   onLoaded  called each time a window's items are drawn
   */
  constructor(container, { onSelect, onAsOfDragged, onLoaded = () => {}, onError = () => {} }) {
    this.container = container;
    this.onError = onError;
    this.onSelect = onSelect;
    this.onLoaded = onLoaded;
    this.items = new vis.DataSet();
    this.groups = new vis.DataSet();
    this.ordered = [];
    this.byId = new Map();
    this.selectedId = null;
    this.quiet = false; // the view shows a quiet partnership at its latest entry
    this.view = 0; // the current view (a partnership, as known at a day): its windows
    this.fetched = new Set(); // window indexes asked for in this view
    this.grid = 0; // where window 0 starts
    this.span = { first: 0, last: 0 };
    this.loadWindow = null;
    this.pending = new Set();
    this.shown = new Map();
    this.drawn = null;
    this.timeline = new vis.Timeline(container, this.items, this.groups, {
      // Show the deployment's zone, like every other time on the page (dates.js): each
      // date at the zone's offset then (summer time included).
      moment: (date) => {
        const moment = vis.moment(date);
        return moment.utcOffset(zoneOffset(moment.valueOf()));
      },
      orientation: { axis: "top", item: "top" },
      stack: true,
      maxHeight: 880,
      minHeight: 320,
      verticalScroll: true,
      zoomKey: "ctrlKey",
      zoomMin: DAY_MS,
      zoomMax: 30 * 365 * DAY_MS,
      showCurrentTime: true,
      selectable: true,
      multiselect: false,
      margin: { item: { horizontal: 2, vertical: 4 }, axis: 6 },
      tooltip: { followMouse: true, overflowMethod: "cap", delay: 250 },
      groupOrder: "order",
      template: (item) => {
        if (!item) return "";
        if (item.count) {
          return el("span", { className: "cluster-text", "data-cluster": String(item.count) }, `${item.count}`);
        }
        return el("span", { className: "item-text", "data-item-id": item.id }, itemText(item));
      },
      groupTemplate: (group) => el("span", { className: "group-text" }, group ? group.content : ""),
    });
    this.timeline.on("select", (props) => {
      const id = props.items[0];
      const summary = id === undefined ? null : this.items.get(id);
      if (summary?.count) {
        // A summary: zoom into its period (its items are then drawn themselves).
        this.timeline.setSelection([]);
        const start = Date.parse(summary.start);
        const period = summary.period;
        this.timeline.setWindow(start - period / 2, start + period * 1.5, { animation: false });
        return;
      }
      this.selectedId = id ?? null;
      if (id !== undefined && this.byId.has(id)) this.onSelect(this.byId.get(id));
    });
    // Over a long span, point items show as dots only (their text in the tooltip and the
    // details), so lanes stay readable; zoomed in, they show their text too.
    this.timeline.on("rangechanged", () => {
      this.fitLabels();
      this.draw();
      this.ensureLoaded().catch((error) => this.onError(error));
    });
    this.timeline.on("timechanged", (props) => {
      if (props.id === AS_OF) onAsOfDragged(isoDay(props.time));
    });
    container.addEventListener("keydown", (event) => this.keydown(event));
    // The lane labels scroll when the lanes are taller than the timeline: let keyboard
    // users reach that scroll too (it moves the lanes with it).
    const lanes = container.querySelector(".vis-panel.vis-left");
    if (lanes) {
      lanes.tabIndex = 0;
      lanes.setAttribute("role", "region");
      lanes.setAttribute("aria-label", "Lanes: scroll up and down to see every lane");
    }
  }

  /**
   * A new view: forget what was loaded, show the year around `anchor` (or keep the
   * window on screen), and load it.
   * @param {(from: string, to: string, asOf: string) =>
   *   Promise<{groups: object[], items: object[]}>} load
   *   the API's `timeline(from, to, asOf)` for one window (`asOf`: the view's, where a
   *   tenure still open ends)
   * @param {number} anchor  the as-of instant (ms): the default window is the year around it
   * @param {number} first  the history's first instant (ms): nothing is fetched before it
   * @param {number} last  the latest instant the view reaches (ms): today's end
   * @param {boolean} keep  keep the window on screen (a refresh after a new entry)
   */
  async open({ load, anchor, first, last, keep = false }) {
    // A refresh of a quiet partnership's view (shown at its latest entry, not at the
    // as-of date) looks at the as-of date again: the new entry may be there.
    if (this.quiet) keep = false;
    this.quiet = false;
    this.view += 1;
    this.loadWindow = load;
    this.asOf = new Date().toISOString(); // the view's as-of: every window's
    this.container.dataset.viewAsOf = this.asOf;
    this.fetched = new Set();
    this.pending = new Set();
    this.shown = new Map(); // what vis-timeline is handed: id -> its signature
    this.drawn = null; // {period, from, to}: the periods and the span last handed over
    this.span = { first, last: Math.max(last, anchor) };
    let start = anchor - WINDOW_MS / 2;
    let end = anchor + WINDOW_MS / 2;
    if (keep && this.items.length) {
      const window = this.timeline.getWindow();
      start = window.start.valueOf();
      end = window.end.valueOf();
    }
    this.grid = start;
    this.byId = new Map();
    this.ordered = [];
    this.items.clear();
    this.selectedId = null;
    this.container.classList.toggle("overview", end - start > LABEL_SPAN_MS);
    this.timeline.setWindow(start, end, { animation: false });
    this.latest = null;
    const view = this.view;
    await this.ensureLoaded();
    // Nothing recorded in the year around the as-of date (a partnership quiet for a
    // while): show the year up to its latest entry instead of an empty window.
    if (!keep && view === this.view && !this.ordered.length && this.latest !== null && this.latest < start) {
      const at = Math.max(this.latest, first);
      this.quiet = true;
      this.timeline.setWindow(at - WINDOW_MS / 2, at + WINDOW_MS / 2, { animation: false });
      await this.ensureLoaded();
    }
  }

  /** The index of the grid window holding `instant`. */
  windowOf(instant) {
    return Math.floor((instant - this.grid) / WINDOW_MS);
  }

  /** Fetch the windows on screen not yet asked for in this view; resolves once all the
   * windows asked for so far are drawn. */
  ensureLoaded() {
    if (!this.loadWindow) return Promise.resolve();
    const window = this.timeline.getWindow();
    const lowest = this.windowOf(this.span.first);
    const highest = this.windowOf(this.span.last);
    const from = Math.max(lowest, this.windowOf(window.start.valueOf()));
    const to = Math.min(highest, this.windowOf(window.end.valueOf() - 1)); // its end excluded
    const view = this.view;
    let run = null;
    const runs = [];
    for (let index = from; index <= to; index += 1) {
      if (this.fetched.has(index)) {
        run = null;
        continue;
      }
      this.fetched.add(index);
      if (run && run.last === index - 1) {
        run.last = index;
      } else {
        run = { first: index, last: index };
        runs.push(run);
      }
    }
    for (const { first, last } of runs) {
      const start = new Date(this.grid + first * WINDOW_MS).toISOString();
      const end = new Date(this.grid + (last + 1) * WINDOW_MS).toISOString();
      const loading = this.loadWindow(start, end, this.asOf).then(
        (timeline) => {
          if (view === this.view) this.add(timeline, last - first + 1);
        },
        (error) => {
          if (view !== this.view) return;
          // Not loaded: forget it, so that the next move asks again.
          for (let index = first; index <= last; index += 1) this.fetched.delete(index);
          throw error;
        },
      );
      this.pending.add(loading);
      loading.then(
        () => this.pending.delete(loading),
        () => this.pending.delete(loading),
      );
    }
    return Promise.all([...this.pending]);
  }

  /** Add one window's `{groups, items}` (exactly as `timeline` returned them). */
  add(timeline, windows) {
    if (timeline.latest) this.latest = Math.max(this.latest ?? 0, Date.parse(timeline.latest));
    if (!this.groups.length) {
      this.groups.add(timeline.groups.map((group, index) => ({ ...group, order: index })));
    }
    const laneOrder = new Map(this.groups.get().map((group) => [group.id, group.order]));
    for (const item of timeline.items) this.byId.set(item.id, item);
    this.ordered = [...this.byId.values()].sort(
      (a, b) =>
        Date.parse(a.start) - Date.parse(b.start) ||
        (laneOrder.get(a.group) ?? 0) - (laneOrder.get(b.group) ?? 0),
    );
    this.draw(true);
    const loaded = [...this.fetched];
    this.onLoaded({
      items: this.byId.size,
      windows,
      from: this.grid + Math.min(...loaded) * WINDOW_MS,
      to: this.grid + (Math.max(...loaded) + 1) * WINDOW_MS,
    });
  }

  /** The period items are summarised by for a window `width` ms wide: a power of two of
   * hours, about 1/PERIODS of the width. */
  periodFor(width) {
    const hours = Math.max(1, width / PERIODS / HOUR_MS);
    return HOUR_MS * 2 ** Math.ceil(Math.log2(hours));
  }

  /** Hand vis-timeline what is near the window: each lane's items, or a summary for a
   * period where they are dense. Only when the periods change, the window leaves what was
   * handed over, or (`changed`) new items came. */
  draw(changed = false) {
    const window = this.timeline.getWindow();
    const start = window.start.valueOf();
    const end = window.end.valueOf();
    const width = end - start;
    const period = this.periodFor(width);
    const drawn = this.drawn;
    if (!changed && drawn && drawn.period === period && drawn.from <= start && end <= drawn.to) return;
    const from = Math.floor((start - width) / period) * period;
    const to = Math.ceil((end + width) / period) * period;
    this.drawn = { period, from, to };
    const periods = new Map(); // lane and period -> items starting in it
    for (const item of this.byId.values()) {
      const itemStart = Date.parse(item.start);
      const itemEnd = item.end ? Date.parse(item.end) : itemStart;
      if (itemEnd < from || itemStart > to) continue;
      const key = `${item.group} ${Math.floor(itemStart / period)}`;
      const listed = periods.get(key);
      if (listed) {
        listed.push(item);
      } else {
        periods.set(key, [item]);
      }
    }
    const wanted = new Map();
    for (const [key, items] of periods) {
      if (items.length <= CLUSTER_OVER) {
        // A copy that differs (another view's end, say) is handed over again.
        for (const item of items) {
          wanted.set(item.id, { item, signature: `item ${item.end ?? ""} ${item.className} ${item.content}` });
        }
        continue;
      }
      const [lane, index] = key.split(" ");
      const periodStart = Number(index) * period;
      const id = `${CLUSTER}:${lane}:${period}:${index}`;
      const count = items.length;
      const summary = {
        id,
        group: lane,
        start: new Date(periodStart).toISOString(),
        end: new Date(periodStart + period * 0.92).toISOString(),
        type: "range",
        className: CLUSTER,
        content: String(count),
        title: escapeHtml(`${count} entries from ${shortDay(periodStart)}: select to zoom in`),
        count,
        period,
      };
      wanted.set(id, { item: summary, signature: String(count) });
    }
    const gone = [...this.shown.keys()].filter((id) => !wanted.has(id));
    const changedItems = [];
    for (const [id, { item, signature }] of wanted) {
      if (this.shown.get(id) === signature) continue;
      this.shown.set(id, signature);
      changedItems.push(item.count ? item : this.visItem(item));
    }
    for (const id of gone) this.shown.delete(id);
    if (gone.length) this.items.remove(gone);
    if (changedItems.length) this.items.update(changedItems);
  }

  /** An API item as vis-timeline takes it. */
  visItem({ end, ...item }) {
    return {
      ...item,
      // Points have no `end` at all (vis-timeline reads a present but null one).
      ...(end ? { end } : {}),
      // vis-timeline puts `title` into its tooltip as HTML: hand it escaped text.
      title: escapeHtml(item.title ?? itemText(item)),
    };
  }

  /** What is loaded, as the API's `{groups, items}` (items in history order). */
  loaded() {
    return {
      groups: this.groups.get().map(({ id, content }) => ({ id, content })),
      items: this.ordered,
    };
  }

  fitLabels() {
    const window = this.timeline.getWindow();
    const overview = window.end - window.start > LABEL_SPAN_MS;
    if (overview !== this.container.classList.contains("overview")) {
      this.container.classList.toggle("overview", overview);
      this.timeline.redraw();
    }
  }

  /** Mark the as-of day (its end in the page's zone, as the page asks the API) with a
   * draggable line. */
  markAsOf(day) {
    const at = Math.floor(Date.parse(dayEnd(day)));
    try {
      this.timeline.setCustomTime(at, AS_OF);
    } catch {
      this.timeline.addCustomTime(at, AS_OF);
      this.timeline.setCustomTimeMarker("As of", AS_OF, false);
    }
    this.timeline.setCustomTimeTitle(`As of ${shortDay(day)} (drag to change)`, AS_OF);
  }

  /** The whole history: its span on screen (clustered), loading what is missing. */
  fit() {
    const margin = (this.span.last - this.span.first) / 50;
    this.timeline.setWindow(this.span.first - margin, this.span.last + margin, { animation: false });
    this.fitLabels();
    return this.ensureLoaded();
  }

  zoom(factor) {
    if (factor > 1) {
      this.timeline.zoomOut(factor - 1, { animation: false });
    } else {
      this.timeline.zoomIn(1 - factor, { animation: false });
    }
  }

  /** Move the window by a share of its width (negative: earlier). */
  pan(share) {
    const window = this.timeline.getWindow();
    const width = window.end - window.start;
    this.timeline.setWindow(
      window.start.valueOf() + width * share,
      window.end.valueOf() + width * share,
      { animation: false },
    );
  }

  /** Select an item by id, bring it into view, and report it. */
  select(id) {
    if (!this.byId.has(id)) return;
    this.reveal(this.byId.get(id));
    this.selectedId = id;
    this.timeline.setSelection([id], FOCUS);
    this.onSelect(this.byId.get(id));
  }

  /** Make sure an item is drawn itself, not in a summary: zoom in around it if need be. */
  reveal(item) {
    for (let tries = 0; tries < 8 && !this.items.get(item.id); tries += 1) {
      const window = this.timeline.getWindow();
      const half = Math.max(DAY_MS, (window.end - window.start) / 4);
      const at = Date.parse(item.start);
      this.timeline.setWindow(at - half, at + half, { animation: false });
      this.draw();
    }
  }

  /** Select the item recording this event; when it happened at `at` (an instant) out of
   * what is loaded, its window is brought on screen and loaded first. */
  async selectEvent(eventId, at = null) {
    let item = this.ordered.find((candidate) => candidate.eventId === eventId);
    if (!item && at) {
      const window = this.timeline.getWindow();
      const half = (window.end - window.start) / 2;
      const instant = Date.parse(at);
      this.timeline.setWindow(instant - half, instant + half, { animation: false });
      await this.ensureLoaded();
      item = this.ordered.find((candidate) => candidate.eventId === eventId);
    }
    if (item) {
      this.reveal(item);
      this.selectedId = item.id;
      this.timeline.setSelection([item.id], FOCUS);
    }
  }

  step(offset) {
    if (!this.ordered.length) return;
    const index = this.ordered.findIndex((item) => item.id === this.selectedId);
    let next;
    if (index < 0) {
      // Start from the first item at or after the window's start.
      const start = this.timeline.getWindow().start.valueOf();
      next = this.ordered.findIndex((item) => Date.parse(item.start) >= start);
      if (next < 0) next = this.ordered.length - 1;
    } else {
      next = Math.min(this.ordered.length - 1, Math.max(0, index + offset));
    }
    this.select(this.ordered[next].id);
  }

  keydown(event) {
    if (event.target !== this.container || event.altKey || event.metaKey || event.ctrlKey) return;
    const actions = {
      ArrowRight: () => this.step(1),
      ArrowLeft: () => this.step(-1),
      Home: () => this.ordered.length && this.select(this.ordered[0].id),
      End: () => this.ordered.length && this.select(this.ordered[this.ordered.length - 1].id),
      PageUp: () => this.pan(-0.5),
      PageDown: () => this.pan(0.5),
      "+": () => this.zoom(0.5),
      "=": () => this.zoom(0.5),
      "-": () => this.zoom(2),
      Enter: () => this.selectedId && this.select(this.selectedId),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }
}

/** The legend: a swatch (decorative) and the type's name, for every colour used. */
export function renderLegend(list) {
  replaceChildren(
    list,
    LEGEND.map(([className, label]) =>
      el(
        "li",
        {},
        el("span", { className: `swatch ${className}`, "aria-hidden": "true" }),
        label,
      ),
    ),
  );
}
