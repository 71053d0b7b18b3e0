// The decisions table for audits: `decisions(from, to, category, partnerId, knownAt)`,
// filtered by the API (not in the browser), one page at a time: the first page, then
// the next on request ("Show more decisions"), each page fetched once and no row shown
// twice.

import { el, humanise, replaceChildren } from "./dom.js";
import { dateTime, dayEnd, dayStart, shortDay } from "./dates.js";
import { graphql } from "./api.js";

/** Decisions shown per page. */
export const PAGE_SIZE = 50;

export const DECISIONS_PAGE = `
  query DecisionsPage($id: ID!, $first: Int!, $after: String, $from: DateTime, $to: DateTime,
                      $category: DecisionCategory, $partnerId: ID, $knownAt: DateTime) {
    partnership(id: $id) {
      id
      decisions(first: $first, after: $after, from: $from, to: $to, category: $category,
                partnerId: $partnerId, knownAt: $knownAt) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          node {
            id title category significance method rationale occurredAt recordedAt recordedBy
            retracted eventId
            decidedBy { id name } consulted { id name } dissentedBy { id name }
          }
        }
      }
    }
  }`;

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
    this.partners = new Map(); // every partner offered as a filter: id -> name
    this.page = null; // the listing shown: {filters, rows: Set of ids, retracted, cursor, more, total}
    this.more = el(
      "button",
      { type: "button", id: "decisions-more", className: "small", hidden: true },
      "Show more decisions",
    );
    this.more.addEventListener("click", () => this.loadMore());
    section.querySelector(".table-wrap").after(this.more);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.load();
    });
    this.form.addEventListener("reset", () => setTimeout(() => this.load(), 0));
  }

  /** A new partnership or "as known at": reset the filters' options and reload. */
  async open({ partnershipId, knownAt, partners }) {
    this.context = { partnershipId, knownAt };
    this.partners = new Map(partners.map((partner) => [partner.id, partner.name]));
    this.showPartners();
    await this.load();
  }

  /** The partner filter's options: partners active now and every partner named in a
   * decision loaded so far, by name. */
  showPartners() {
    const chosen = this.partner.value;
    const partners = [...this.partners]
      .map(([id, name]) => ({ id, name }))
      .sort((a, b) => a.name.localeCompare(b.name, "en-GB"));
    replaceChildren(
      this.partner,
      el("option", { value: "" }, "Any partner"),
      partners.map((partner) => el("option", { value: partner.id }, `${partner.name} (${partner.id})`)),
    );
    if (this.partners.has(chosen)) this.partner.value = chosen;
  }

  /** Offer the partners named in these decisions too. */
  learnPartners(decisions) {
    let added = false;
    for (const decision of decisions) {
      for (const partner of [...decision.decidedBy, ...decision.consulted, ...decision.dissentedBy]) {
        if (!this.partners.has(partner.id)) {
          this.partners.set(partner.id, partner.name);
          added = true;
        }
      }
    }
    if (added) this.showPartners();
  }

  /** One page of decisions after `cursor`, as the API answers it. */
  async fetchPage(filters, cursor) {
    const data = await graphql(DECISIONS_PAGE, {
      id: this.context.partnershipId,
      knownAt: dayEnd(this.context.knownAt),
      first: PAGE_SIZE,
      after: cursor,
      ...filters,
    });
    return data.partnership?.decisions ?? null;
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

  /** The first page of the listing the filters choose. */
  async load() {
    if (!this.context) return;
    const request = ++this.request;
    const filters = this.filters();
    this.section.setAttribute("aria-busy", "true");
    this.count.textContent = "Loading decisions…";
    this.more.hidden = true;
    try {
      const connection = await this.fetchPage(filters, null);
      if (request !== this.request) return;
      this.page = { filters, rows: new Set(), retracted: 0, cursor: null, next: false, total: 0 };
      replaceChildren(this.body);
      this.append(connection);
    } catch (error) {
      if (request !== this.request) return;
      this.count.textContent = `Could not load the decisions: ${error.message}`;
    } finally {
      if (request === this.request) this.section.setAttribute("aria-busy", "false");
    }
  }

  /** The next page of the listing shown, once (a second click while it loads waits). */
  async loadMore() {
    if (!this.page?.next || this.loadingMore) return;
    const request = this.request;
    this.loadingMore = true;
    this.more.disabled = true;
    this.section.setAttribute("aria-busy", "true");
    try {
      const connection = await this.fetchPage(this.page.filters, this.page.cursor);
      if (request !== this.request) return;
      this.append(connection);
      // Keyboard users carry on from the first new row.
      this.body.querySelector("tr[data-new]")?.querySelector("button")?.focus();
    } catch (error) {
      if (request === this.request) this.count.textContent = `Could not load more decisions: ${error.message}`;
    } finally {
      this.loadingMore = false;
      this.more.disabled = false;
      if (request === this.request) this.section.setAttribute("aria-busy", "false");
    }
  }

  /** Add a page's rows (never one already shown) and say how many are shown of how many. */
  append(connection) {
    const page = this.page;
    const nodes = connection?.edges.map((edge) => edge.node) ?? [];
    const fresh = nodes.filter((decision) => !page.rows.has(decision.id));
    for (const old of this.body.querySelectorAll("tr[data-new]")) delete old.dataset.new;
    this.body.querySelector("tr.empty")?.remove();
    for (const decision of fresh) {
      page.rows.add(decision.id);
      if (decision.retracted) page.retracted += 1;
      const row = this.row(decision);
      row.dataset.new = "true";
      this.body.append(row);
    }
    page.total = connection?.totalCount ?? 0;
    page.cursor = connection?.pageInfo.endCursor ?? page.cursor;
    page.next = Boolean(connection?.pageInfo.hasNextPage) && nodes.length > 0;
    this.learnPartners(fresh);
    this.render(page);
  }

  render(page) {
    const active = Object.values(page.filters).some(Boolean);
    const { total, retracted } = page;
    const shown = page.rows.size;
    const text =
      `${total} decision${total === 1 ? "" : "s"}` +
      (active ? " match the filters" : " recorded") +
      (shown < total ? `; the first ${shown} shown` : "") +
      (retracted ? `, ${retracted} of ${shown < total ? "those" : "them"} retracted` : "") +
      ".";
    this.count.textContent = text;
    this.section.dataset.count = String(total);
    this.section.dataset.shown = String(shown);
    this.caption.textContent = active ? "Decisions matching the filters" : "All decisions";
    if (!shown) {
      this.body.append(el("tr", { className: "empty" }, el("td", { colspan: "12" }, "No decisions match.")));
    }
    this.more.hidden = !page.next;
    this.more.textContent = `Show more decisions (${shown} of ${total} shown)`;
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
