// The selected event, as `node(id: eventId)` returns it: who recorded it and when, its
// data, whether it is retracted (as known at the page's "as known at"), and its hash.

import { el, humanise, replaceChildren } from "./dom.js";
import { dateTime, dayEnd, longDay } from "./dates.js";
import { EVENT, graphql } from "./api.js";

function row(term, ...value) {
  return [el("dt", {}, term), el("dd", {}, ...value)];
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

/** One value of the data: an instant (such as `dueAt`) in the page's zone, the rest as text. */
function dataValue(value) {
  if (value !== null && typeof value === "object") return el("pre", {}, JSON.stringify(value, null, 2));
  if (typeof value === "string" && INSTANT.test(value)) return el("time", { datetime: value }, dateTime(value));
  return el("span", {}, value === null ? "null" : String(value));
}

/** An event's `data` as a definition list (nested values as indented JSON text). */
function dataList(data) {
  const entries = Object.entries(data ?? {});
  if (!entries.length) return el("p", {}, "No data fields.");
  return el(
    "dl",
    { className: "data-list" },
    entries.map(([key, value]) => row(key, dataValue(value))),
  );
}

export class EventDetails {
  /** `actions(event)`: what may be done with a shown event (a node, or null). */
  constructor(section, { actions = () => null } = {}) {
    this.section = section;
    this.actions = actions;
    this.body = section.querySelector("#details-body");
    this.empty = section.querySelector("#details-empty");
    this.heading = section.querySelector("#details-heading");
    this.request = 0;
  }

  clear() {
    this.request += 1;
    this.section.removeAttribute("data-event-id");
    this.empty.hidden = false;
    replaceChildren(this.body);
  }

  /** Fetch and show one event as known at the day `knownAt` (empty: now); `moveFocus`
   * when asked from elsewhere on the page. */
  async show(eventId, { knownAt, moveFocus = false, label = "" } = {}) {
    const request = ++this.request;
    this.section.setAttribute("aria-busy", "true");
    this.empty.hidden = true;
    replaceChildren(this.body, el("p", {}, label ? `Loading ${label}…` : "Loading the event…"));
    try {
      const data = await graphql(EVENT, { id: eventId, knownAt: dayEnd(knownAt) });
      if (request !== this.request) return;
      const event = data.node;
      if (!event) {
        replaceChildren(this.body, el("p", {}, "This event is not visible to you."));
        return;
      }
      this.render(event, knownAt);
      this.section.dataset.eventId = event.id;
    } catch (error) {
      if (request !== this.request) return;
      replaceChildren(this.body, el("p", { className: "error" }, `Could not load the event: ${error.message}`));
    } finally {
      if (request === this.request) this.section.setAttribute("aria-busy", "false");
    }
    if (moveFocus) {
      this.section.scrollIntoView({ block: "start" });
      this.heading.focus({ preventScroll: true });
    }
  }

  render(event, knownAt) {
    const asKnown = knownAt ? ` (as known at ${longDay(knownAt)})` : " (as known now)";
    replaceChildren(
      this.body,
      el("p", { className: "summary", id: "details-summary" }, event.summary),
      el(
        "dl",
        { className: "event-fields" },
        row("Type", humanise(event.type)),
        row(
          "Status",
          el(
            "span",
            { className: event.retracted ? "badge retracted" : "badge stands", id: "details-retracted" },
            event.retracted ? "Retracted" : "Not retracted",
          ),
          asKnown,
        ),
        row("Happened", el("time", { datetime: event.occurredAt }, dateTime(event.occurredAt))),
        row("Recorded", el("time", { datetime: event.recordedAt }, dateTime(event.recordedAt))),
        row("Recorded by", el("span", { id: "details-recorded-by" }, event.recordedBy)),
        row("Position in the history", String(event.position)),
        row("Event id", el("code", { id: "details-event-id" }, event.id)),
        row("Hash (SHA-256)", el("code", { className: "hash", id: "details-hash" }, event.hash)),
        row(
          "Previous hash",
          event.previousHash
            ? el("code", { className: "hash" }, event.previousHash)
            : "none (the first event)",
        ),
      ),
      el("h4", {}, "Data recorded"),
      dataList(event.data),
      this.actions(event),
    );
  }
}
