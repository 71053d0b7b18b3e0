// The partnership's history on a vis-timeline, fed by the API's `timeline { groups items }`.
// Items are rendered as text by a template (never as HTML); tooltips are escaped.

import { el, escapeHtml, replaceChildren } from "./dom.js";
import { dayEnd, isoDay, shortDay, zoneOffset } from "./dates.js";

const DAY_MS = 86_400_000;
const AS_OF = "as-of";
const LABEL_SPAN_MS = 550 * DAY_MS;
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
  return item.className.split(/\s+/).includes("retracted");
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
   */
  constructor(container, { onSelect, onAsOfDragged }) {
    this.container = container;
    this.onSelect = onSelect;
    this.items = new vis.DataSet();
    this.groups = new vis.DataSet();
    this.ordered = [];
    this.byId = new Map();
    this.selectedId = null;
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
        return el("span", { className: "item-text", "data-item-id": item.id }, itemText(item));
      },
      groupTemplate: (group) => el("span", { className: "group-text" }, group ? group.content : ""),
    });
    this.timeline.on("select", (props) => {
      const id = props.items[0];
      this.selectedId = id ?? null;
      if (id !== undefined && this.byId.has(id)) this.onSelect(this.byId.get(id));
    });
    // Over a long span, point items show as dots only (their text in the tooltip and the
    // details), so lanes stay readable; zoomed in, they show their text too.
    this.timeline.on("rangechanged", () => this.fitLabels());
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

  /** Show the API's timeline: `{groups, items}` exactly as `timeline` returned them. */
  show(timeline) {
    this.byId = new Map(timeline.items.map((item) => [item.id, item]));
    const laneOrder = new Map(timeline.groups.map((group, index) => [group.id, index]));
    this.ordered = [...timeline.items].sort(
      (a, b) =>
        Date.parse(a.start) - Date.parse(b.start) ||
        (laneOrder.get(a.group) ?? 0) - (laneOrder.get(b.group) ?? 0),
    );
    // Choose labels or dots before the items are drawn, so they are drawn once.
    let first = Infinity;
    let last = -Infinity;
    for (const item of timeline.items) {
      first = Math.min(first, Date.parse(item.start));
      last = Math.max(last, Date.parse(item.end ?? item.start));
    }
    this.container.classList.toggle("overview", last - first > LABEL_SPAN_MS);
    this.groups.clear();
    this.groups.add(timeline.groups.map((group, index) => ({ ...group, order: index })));
    this.items.clear();
    this.items.add(
      timeline.items.map(({ end, ...item }) => ({
        ...item,
        // Points have no `end` at all (vis-timeline reads a present but null one).
        ...(end ? { end } : {}),
        // vis-timeline puts `title` into its tooltip as HTML: hand it escaped text.
        title: escapeHtml(item.title ?? itemText(item)),
      })),
    );
    this.selectedId = null;
    this.fit();
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

  fit() {
    if (this.items.length) this.timeline.fit({ animation: false });
    this.fitLabels();
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
    this.selectedId = id;
    this.timeline.setSelection([id], FOCUS);
    this.onSelect(this.byId.get(id));
  }

  /** Select the item recording this event, if the timeline shows one. */
  selectEvent(eventId) {
    const item = this.ordered.find((candidate) => candidate.eventId === eventId);
    if (item) {
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
