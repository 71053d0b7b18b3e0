// The decisions table for audits: `decisions(from, to, category, partnerId, knownAt)`,
// filtered by the API (not in the browser), every page fetched.

import { el, humanise, replaceChildren } from "./dom.js";
import { dateTime, dayEnd, dayStart, shortDay } from "./dates.js";
import { DECISIONS, allNodes } from "./api.js";

function partnerNames(partners) {
  if (!partners.length) return "–";
  return el("ul", { className: "partners" }, partners.map((partner) => el("li", {}, partner.name)));
}

export class DecisionsTable {
  /**
   * @param {HTMLElement} section  the #decisions section
   * @param {(decision: object, button: HTMLElement) => void} onShowEvent
   */
  constructor(section, { onShowEvent }) {
    this.section = section;
    this.form = section.querySelector("#decision-filters");
    this.partner = section.querySelector("#filter-partner");
    this.category = section.querySelector("#filter-category");
    this.from = section.querySelector("#filter-from");
    this.to = section.querySelector("#filter-to");
    this.body = section.querySelector("tbody");
    this.caption = section.querySelector("caption");
    this.count = section.querySelector("#decisions-count");
    this.onShowEvent = onShowEvent;
    this.request = 0;
    this.context = null;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.load();
    });
    this.form.addEventListener("reset", () => setTimeout(() => this.load(), 0));
  }

  /** A new partnership or "as known at": reset the filters' options and reload. */
  async open({ partnershipId, knownAt, partners }) {
    this.context = { partnershipId, knownAt };
    const chosen = this.partner.value;
    replaceChildren(
      this.partner,
      el("option", { value: "" }, "Any partner"),
      partners.map((partner) => el("option", { value: partner.id }, `${partner.name} (${partner.id})`)),
    );
    if (partners.some((partner) => partner.id === chosen)) this.partner.value = chosen;
    await this.load();
  }

  /** The filters as the API takes them: "from" and "to" are whole days in the page's zone. */
  filters() {
    return {
      partnerId: this.partner.value || null,
      category: this.category.value || null,
      from: dayStart(this.from.value),
      to: dayEnd(this.to.value),
    };
  }

  async load() {
    if (!this.context) return;
    const request = ++this.request;
    const filters = this.filters();
    this.section.setAttribute("aria-busy", "true");
    this.count.textContent = "Loading decisions…";
    try {
      const { nodes, totalCount } = await allNodes(
        DECISIONS,
        { id: this.context.partnershipId, knownAt: dayEnd(this.context.knownAt), ...filters },
        (data) => data.partnership?.decisions,
      );
      if (request !== this.request) return;
      this.render(nodes, totalCount, filters);
    } catch (error) {
      if (request !== this.request) return;
      this.count.textContent = `Could not load the decisions: ${error.message}`;
    } finally {
      if (request === this.request) this.section.setAttribute("aria-busy", "false");
    }
  }

  render(decisions, totalCount, filters) {
    const active = Object.values(filters).some(Boolean);
    const retracted = decisions.filter((decision) => decision.retracted).length;
    const text =
      `${totalCount} decision${totalCount === 1 ? "" : "s"}` +
      (active ? " match the filters" : " recorded") +
      (retracted ? `, ${retracted} of them retracted` : "") +
      ".";
    this.count.textContent = text;
    this.section.dataset.count = String(totalCount);
    this.caption.textContent = active ? "Decisions matching the filters" : "All decisions";
    replaceChildren(
      this.body,
      decisions.length
        ? decisions.map((decision) => this.row(decision))
        : el("tr", {}, el("td", { colspan: "12" }, "No decisions match.")),
    );
  }

  row(decision) {
    const button = el(
      "button",
      { type: "button", className: "small", "aria-label": `Event for decision ${decision.id}` },
      "Event",
    );
    button.addEventListener("click", () => this.onShowEvent(decision, button));
    return el(
      "tr",
      { className: decision.retracted ? "retracted" : null, dataset: { decisionId: decision.id } },
      el("td", {}, el("time", { datetime: decision.occurredAt }, shortDay(decision.occurredAt))),
      el("td", { className: "title-cell" }, el("span", { className: "title" }, decision.title), el("br"),
        el("code", { className: "id" }, decision.id)),
      el("td", {}, humanise(decision.category)),
      el("td", {}, String(decision.significance)),
      el("td", {}, humanise(decision.method)),
      el("td", {}, partnerNames(decision.decidedBy)),
      el("td", {}, partnerNames(decision.consulted)),
      el("td", {}, partnerNames(decision.dissentedBy)),
      el("td", { className: "rationale" }, decision.rationale ?? "–"),
      el("td", {}, el("time", { datetime: decision.recordedAt }, dateTime(decision.recordedAt)),
        el("br"), `by ${decision.recordedBy}`),
      el("td", {}, decision.retracted ? "Retracted" : "Stands"),
      el("td", {}, button),
    );
  }
}
