// Accord's timeline and health page: every figure comes from the GraphQL API.
//
//   partnerships            -> the partnership chooser
//   timeline(from, to)     -> vis-timeline (lanes, items, ranges): the window on screen,
//                             then its neighbours as the person pans or zooms
//   node(id: eventId)       -> the selected event's details
//   healthSeries(MONTH)     -> ECharts charts and the CSV download
//   health(asOf, knownAt)   -> the four questions' cards
//   checkInRounds(...)      -> the trust card's check-in rounds (rounds.js)
//   decisions(...)          -> the decisions table, a page at a time
//   GET /forms.json         -> the recording forms (forms.js), offered by `myRole`
//   partnershipEvents       -> live updates (live.js)

import {
  AuthenticationRequired,
  HEALTH,
  HEALTH_SERIES,
  MEMBERS,
  MY_ROLE,
  PARTNERS,
  PARTNERSHIPS,
  allNodes,
  bearerToken,
  currentSession,
  graphql,
  loadSession,
  setToken,
  signOut,
} from "./api.js";
import { HealthCharts } from "./charts.js";
import { addDays, dayEnd, daysBetween, isDay, isoDay, longDay, setTimeZone, timeZone, today } from "./dates.js";
import { DecisionsTable } from "./decisions.js";
import { EventDetails } from "./details.js";
import { el, replaceChildren } from "./dom.js";
import { download, seriesCsv, slug, timelineJson } from "./exports.js";
import { FormDialog, allowed, loadCatalogue } from "./forms.js";
import { LiveEvents } from "./live.js";
import { STATUS, renderCards } from "./health.js";
import { renderRounds } from "./rounds.js";
import { HistoryTimeline, TIMELINE_WINDOW, renderLegend } from "./timeline.js";
import { Workbooks } from "./workbooks.js";

const $ = (selector) => document.querySelector(selector);

const state = {
  partnerships: [],
  partnership: null,
  start: null, // the partnership's first day
  end: null, // the last day the slider reaches: today
  asOf: null,
  knownAt: "",
  timeline: null,
  series: [],
  catalogue: null, // GET /forms.json; null: the server has no forms, the page is read-only
  role: null, // myRole in the open partnership (null: the server does not say)
  goals: [], // the goals active as of the as-of day, listed in the goals card
};
const requests = { timeline: 0, series: 0, health: 0 };

// The page is ready (body[data-ready], with data-ready-ms: milliseconds since navigation)
// once the timeline's first window, the four questions and the charts are drawn for the
// partnership opened: what the page benchmark waits for (bench/page.py).
const drawn = new Set();

function notReady() {
  drawn.clear();
  delete document.body.dataset.ready;
  delete document.body.dataset.readyMs;
}

function drawnNow(part) {
  drawn.add(part);
  if (drawn.has("timeline") && drawn.has("health") && drawn.has("charts") && !document.body.dataset.ready) {
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = "true";
  }
}

const ui = {
  select: $("#partnership-select"),
  range: $("#as-of-range"),
  asOfDate: $("#as-of-date"),
  knownAt: $("#known-at-date"),
  alert: $("#alert"),
  status: $("#status"),
};

const details = new EventDetails($("#event-details"), {
  actions: (event) => {
    const kind = state.catalogue?.kinds.find((k) => k.mutation === "retractEntry");
    if (!kind || !allowed(kind, state.role) || event.retracted) return null;
    const recordedAs = state.catalogue.kinds.find((k) => k.type === event.type);
    if (recordedAs?.retractable === false) return null;
    if (["PARTNERSHIP_FORMED", "ENTRY_RETRACTED", "ROLE_GRANTED", "ROLE_REVOKED"].includes(event.type)) {
      return null;
    }
    return actionButton(kind, { eventId: event.id });
  },
});
const charts = new HealthCharts($("#charts"));
const workbooks = new Workbooks($("#spreadsheets"), {
  onRecorded: () => refreshSoon(),
  announce: (text) => announce(text),
  // The page's days are whole days in its zone, as for every query.
  moment: () => ({ asOf: dayEnd(state.asOf), knownAt: state.knownAt ? dayEnd(state.knownAt) : null }),
});
const timeline = new HistoryTimeline($("#timeline"), {
  onSelect: (item) => {
    announce(`Selected: ${item.content}`);
    details.show(item.eventId, { knownAt: state.knownAt, label: item.content });
  },
  onAsOfDragged: (day) => setAsOf(day, { immediate: true }),
  onLoaded: (loaded) => showLoaded(loaded),
  onError: (error) => showError(error),
});
const decisions = new DecisionsTable($("#decisions"), {
  onShowEvent: (decision) => {
    timeline.selectEvent(decision.eventId, decision.occurredAt);
    details.show(decision.eventId, { knownAt: state.knownAt, moveFocus: true, label: decision.title });
  },
});

// ---- recording: the forms, where they are offered, and live updates ----

let forms = null;

const live = new LiveEvents({
  onEvent: (event) => {
    if (state.partnership) state.partnership.version = Math.max(state.partnership.version, event.position);
    announce(`Recorded: ${event.summary}`);
    refreshSoon();
  },
  onState: (text) => {
    const shown = { live: "Live: new entries appear as they are recorded.", reconnecting: "Reconnecting…", ended: "" };
    $("#live-status").textContent = shown[text] ?? "";
    $("#live-status").dataset.live = text;
  },
});

function actionButton(kind, preset = {}, { text = kind.title, label = null, known = {} } = {}) {
  return el(
    "button",
    {
      type: "button",
      className: "small",
      "data-open-form": kind.mutation,
      "aria-label": label,
      onClick: (click) =>
        forms.open(kind.mutation, { partnership: state.partnership, preset, known, opener: click.currentTarget }),
    },
    text,
  );
}

/** Whether a kind is about one goal (it has a goal to choose): offered beside each goal. */
function aboutOneGoal(kind) {
  return kind.fields.some((field) => field.control === "goal");
}

/** The kinds of a page section the actor is offered (those about one goal: beside it). */
function offered(section) {
  if (!state.catalogue || !state.partnership) return [];
  return state.catalogue.kinds.filter((kind) => {
    if (!kind.inPartnership || !allowed(kind, state.role)) return false;
    if (section === "ROLES") return ["grantRole", "revokeRole"].includes(kind.mutation);
    if (kind.mutation === "retractEntry" || section === "RECORD") return false;
    if (section === "GOAL") return aboutOneGoal(kind);
    return kind.section === section && !aboutOneGoal(kind);
  });
}

/** The goals active as of the as-of day, in the goals card, each with its actions (the
 * goal already chosen in the form they open). */
function renderGoals(card) {
  const kinds = offered("GOAL");
  const list = el(
    "div",
    { className: "goal-list", "data-role": "goals" },
    el("h4", {}, "Goals"),
    state.goals.length
      ? el(
          "ul",
          { className: "goals" },
          state.goals.map((goal) =>
            el(
              "li",
              { dataset: { goalId: goal.id } },
              el("span", { className: "goal-statement" }, goal.statement),
              el("span", { className: "goal-version" }, ` (version ${goal.version})`),
              kinds.length
                ? el(
                    "div",
                    { className: "record-actions goal-actions" },
                    kinds.map((kind) =>
                      actionButton(kind, { goalId: goal.id }, {
                        text: kind.action ?? kind.title,
                        label: `${kind.action ?? kind.title}: ${goal.statement}`,
                        known: { goals: [goal] }, // kept chosen even if not active at occurredAt
                      }),
                    ),
                  )
                : null,
            ),
          ),
        )
      : el("p", { className: "hint" }, "No goals were active then."),
  );
  const shown = card.querySelector(":scope > .goal-list");
  if (shown) {
    shown.replaceWith(list);
  } else {
    card.append(list);
  }
}

function fillActions(container, sections) {
  const kinds = sections.flatMap((section) => offered(section));
  replaceChildren(container, kinds.map((kind) => actionButton(kind)));
  container.hidden = !kinds.length;
}

const CARD_SECTIONS = {
  COMMON_GOALS: ["GOALS"],
  TRUST: ["TRUST"],
  WHO_DOES_THE_WORK: ["COMMITMENTS", "LEADERSHIP"],
};

function renderActions() {
  for (const container of document.querySelectorAll("main > section > .record-actions")) {
    fillActions(container, [container.dataset.section]);
  }
  for (const [question, sections] of Object.entries(CARD_SECTIONS)) {
    const card = document.querySelector(`#health-cards article[data-question="${question}"]`);
    if (!card) continue;
    if (question === "COMMON_GOALS") renderGoals(card);
    let container = card.querySelector(":scope > .record-actions");
    if (!container) {
      container = el("div", { className: "record-actions", dataset: { sections: sections.join(" ") } });
      card.append(container);
    }
    fillActions(container, sections);
  }
}

async function renderPeople() {
  const people = $("#people");
  const kinds = offered("ROLES");
  people.hidden = !kinds.length;
  if (!kinds.length) return;
  fillActions(people.querySelector(".record-actions"), ["ROLES"]);
  const body = $("#people-body");
  try {
    const data = await graphql(MEMBERS, { id: state.partnership.id });
    const members = data.partnership?.members;
    replaceChildren(
      body,
      members?.length
        ? el(
            "ul",
            { className: "members" },
            members.map((member) =>
              el("li", {}, `${member.actor}: ${member.role.toLowerCase()} since ${longDay(member.since)}`),
            ),
          )
        : el("p", { className: "hint" }, "Grant a role to let someone see or record this partnership."),
    );
  } catch {
    replaceChildren(body, el("p", { className: "hint" }, "Grant or revoke a person's role here."));
  }
}

async function loadRole() {
  try {
    const data = await graphql(MY_ROLE, { id: state.partnership.id });
    state.role = data.partnership?.myRole ?? null;
    if (data.partnership) state.partnership.version = data.partnership.version;
  } catch {
    state.role = null; // a server without myRole: offer the forms, the server decides
  }
}

let refreshTimer = null;

/** Reload what an entry changes, once for a burst of entries. */
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshNow, 100);
}

async function refreshNow() {
  clearTimeout(refreshTimer);
  if (!state.partnership) return;
  showFacts(state.partnership);
  state.end = today() < state.start ? state.start : today();
  await Promise.all([loadHealth(), loadTimeline({ keep: true }), loadSeries(), loadDecisions()]);
}

async function recorded(event, partnership, kind) {
  if (kind.mutation === "formPartnership") {
    state.partnerships.push(partnership);
    state.partnerships.sort((a, b) => a.name.localeCompare(b.name, "en-GB"));
    replaceChildren(
      ui.select,
      state.partnerships.map((p) => el("option", { value: p.id }, p.name)),
    );
    ui.select.disabled = false;
    ui.select.value = partnership.id;
    const opened = state.partnerships.find((p) => p.id === partnership.id);
    await openPartnership(opened);
    // then its first partners join, unless the person has closed the form meanwhile
    const dialog = $("#record-dialog");
    if (dialog.open && dialog.dataset.mutation === "formPartnership") {
      forms.open("joinPartner", { partnership: state.partnership });
    }
    return;
  }
  if (state.partnership?.id === partnership.id) {
    state.partnership.version = Math.max(state.partnership.version, partnership.version);
    refreshSoon();
  }
}

async function showRecorded(eventId) {
  await refreshNow();
  await timeline.selectEvent(eventId);
  details.show(eventId, { knownAt: state.knownAt, moveFocus: true });
}

function showFacts(partnership) {
  $("#partnership-facts").textContent =
    `Formed ${longDay(partnership.formedAt)}. ${partnership.version} events recorded. Id ${partnership.id}.`;
}

function announce(text) {
  ui.status.textContent = text;
}

function showError(error) {
  if (error instanceof AuthenticationRequired) {
    askForToken();
    return;
  }
  ui.alert.hidden = false;
  ui.alert.textContent = `Something went wrong: ${error.message}`;
  console.warn(error);
}

function clearError() {
  ui.alert.hidden = true;
  ui.alert.textContent = "";
}

let tokenGiven = false;

function askForToken() {
  const form = $("#token-form");
  form.hidden = false;
  showSignedIn(currentSession());
  if (tokenGiven) {
    ui.alert.hidden = false;
    ui.alert.textContent = "That bearer token was not accepted: check it and try again.";
  }
  $("#token-input").focus();
}

function busy(selector, value) {
  $(selector).setAttribute("aria-busy", value ? "true" : "false");
}

// ---- the address bar keeps the view: ?partnership=ID&asOf=DAY&knownAt=DAY (days in the
// deployment's zone, dates.js) ----

function readAddress() {
  const params = new URLSearchParams(window.location.search);
  return {
    partnership: params.get("partnership"),
    asOf: isDay(params.get("asOf") ?? "") ? params.get("asOf") : null,
    knownAt: isDay(params.get("knownAt") ?? "") ? params.get("knownAt") : "",
    event: params.get("event"), // a recorded entry's link: select it on the timeline
  };
}

function writeAddress() {
  const params = new URLSearchParams();
  if (state.partnership) params.set("partnership", state.partnership.id);
  if (state.asOf && state.asOf !== state.end) params.set("asOf", state.asOf);
  if (state.knownAt) params.set("knownAt", state.knownAt);
  const query = params.toString();
  window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
}

// ---- choosing a partnership ----

// ---- who is signed in: a session (POST /signin) or a bearer token ----

let sessionChecked = false;

async function checkSession() {
  if (bearerToken()) return;
  const signedIn = await loadSession();
  sessionChecked = true;
  showSignedIn(signedIn);
}

function showSignedIn(signedIn) {
  $("#who").hidden = !signedIn;
  $("#who-name").textContent = signedIn ? signedIn.actor : "";
  if (signedIn) $("#token-form").hidden = true;
}

$("#sign-out").addEventListener("click", async () => {
  $("#sign-out").disabled = true;
  try {
    await signOut();
  } finally {
    // Nothing private stays on the page, nor in the history the back button walks.
    document.body.replaceChildren();
    window.location.replace(new URL("signin", document.baseURI));
  }
});

// A page brought back by the back button (after a sign-out) is never shown as it was.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload();
});

async function start() {
  clearError();
  if (!sessionChecked) await checkSession();
  try {
    const [{ nodes }, catalogue] = await Promise.all([
      allNodes(PARTNERSHIPS, {}, (data) => data.partnerships),
      state.catalogue ? state.catalogue : loadCatalogue(),
    ]);
    state.partnerships = nodes;
    state.catalogue = catalogue;
    // Times are shown in the deployment's zone once the server says which (dates.js).
    setTimeZone(catalogue?.timeZone);
    $("#page-zone").textContent = timeZone();
  } catch (error) {
    showError(error);
    return;
  }
  if (state.catalogue && !forms) {
    forms = new FormDialog($("#record-dialog"), {
      catalogue: state.catalogue,
      onRecorded: recorded,
      onShowEvent: (eventId) => showRecorded(eventId),
    });
    forms.partnershipNow = () => state.partnership;
  }
  const canForm = Boolean(forms?.kind("formPartnership"));
  $("#new-partnership").hidden = !canForm;
  const address = readAddress();
  if (!state.partnerships.length) {
    replaceChildren(ui.select, el("option", { value: "" }, "No partnerships recorded yet"));
    $("#partnership-name").textContent = "No partnerships yet";
    $("#partnership-purpose").textContent = canForm
      ? "Start one with “New partnership” at the top of the page, then add its partners."
      : "None has been recorded yet; run `accord demo` to see an example.";
    ["#health", "#timeline-section", "#trends", "#decisions"].forEach((s) => busy(s, false));
    return;
  }
  replaceChildren(
    ui.select,
    state.partnerships.map((partnership) => el("option", { value: partnership.id }, partnership.name)),
  );
  ui.select.disabled = false;
  const chosen =
    state.partnerships.find((partnership) => partnership.id === address.partnership) ??
    state.partnerships[0];
  ui.select.value = chosen.id;
  state.knownAt = address.knownAt;
  await openPartnership(chosen, address.asOf);
  if (address.event && chosen.id === address.partnership) {
    await timeline.selectEvent(address.event);
    details.show(address.event, { knownAt: state.knownAt, moveFocus: true });
  }
}

async function openPartnership(partnership, asOf = null) {
  clearError();
  state.partnership = partnership;
  state.start = isoDay(partnership.formedAt);
  state.end = today() < state.start ? state.start : today();
  state.asOf = clampDay(asOf ?? state.end);
  state.goals = [];
  details.clear();
  notReady();

  $("#partnership-name").textContent = partnership.name;
  $("#partnership-purpose").textContent = partnership.purpose;
  showFacts(partnership);
  document.title = `${partnership.name}: timeline and health (Accord)`;

  const days = daysBetween(state.start, state.end);
  ui.range.max = String(days);
  ui.range.disabled = false;
  ui.asOfDate.min = state.start;
  ui.asOfDate.max = state.end;
  ui.asOfDate.disabled = false;
  ui.knownAt.max = state.end;
  ui.knownAt.disabled = false;
  ui.knownAt.value = state.knownAt;
  $("#as-of-min").textContent = longDay(state.start);
  $("#as-of-max").textContent = longDay(state.end);
  showAsOf();
  writeAddress();
  state.role = null;
  renderActions();
  if (state.catalogue) {
    await loadRole();
    if (state.partnership !== partnership) return;
    showFacts(partnership);
    renderActions();
    renderPeople();
  }
  workbooks.show(partnership, state.catalogue ? state.role : "VIEWER");
  live.follow(partnership.id, partnership.version);
  await Promise.all([loadHealth(), loadTimeline(), loadSeries(), loadDecisions()]);
}

// ---- as of, and as known at ----

function clampDay(day) {
  if (day < state.start) return state.start;
  if (day > state.end) return state.end;
  return day;
}

/** Reflect `state.asOf` in the slider, the date input and the markers. */
function showAsOf() {
  ui.range.value = String(daysBetween(state.start, state.asOf));
  ui.range.setAttribute("aria-valuetext", longDay(state.asOf));
  ui.asOfDate.value = state.asOf;
  timeline.markAsOf(state.asOf);
  charts.markAsOf(state.asOf);
}

let settleTimer = null;

/** Move the as-of day. While the slider moves, the controls follow at once; the
 * markers and the cards follow once it rests for a moment. */
function setAsOf(day, { immediate = false } = {}) {
  state.asOf = clampDay(day);
  clearTimeout(settleTimer);
  busy("#health", true);
  const settle = () => {
    showAsOf();
    writeAddress();
    loadHealth();
  };
  if (immediate) {
    settle();
  } else {
    ui.range.setAttribute("aria-valuetext", longDay(state.asOf));
    ui.asOfDate.value = state.asOf;
    settleTimer = setTimeout(settle, 150);
  }
}

ui.range.addEventListener("input", () => {
  setAsOf(addDays(state.start, Number(ui.range.value)));
});
ui.asOfDate.addEventListener("change", () => {
  if (isDay(ui.asOfDate.value)) setAsOf(ui.asOfDate.value, { immediate: true });
});
ui.knownAt.addEventListener("change", () => {
  const value = ui.knownAt.value;
  if (value && !isDay(value)) return;
  setKnownAt(value);
});
$("#known-at-clear").addEventListener("click", () => {
  ui.knownAt.value = "";
  setKnownAt("");
});

function setKnownAt(day) {
  if (day === state.knownAt) return;
  state.knownAt = day;
  writeAddress();
  details.clear();
  announce(day ? `Showing what was known at ${longDay(day)}.` : "Showing everything recorded so far.");
  Promise.all([loadHealth(), loadTimeline(), loadSeries(), loadDecisions()]);
}

function knownAtText() {
  return state.knownAt ? `as known at ${longDay(state.knownAt)}` : "as known now";
}

// ---- the four questions ----

async function loadHealth() {
  const request = ++requests.health;
  const { asOf, knownAt } = state;
  busy("#health", true);
  try {
    const data = await graphql(HEALTH, {
      id: state.partnership.id,
      asOf: dayEnd(asOf),
      knownAt: dayEnd(knownAt),
    });
    if (request !== requests.health) return;
    const health = data.partnership.health;
    state.goals = data.partnership.goals ?? [];
    renderCards($("#health-cards"), health);
    renderRounds($("#health-cards article[data-question='TRUST']"), data.partnership.checkInRounds ?? []);
    renderActions();
    $("#health-context").textContent =
      `As of ${longDay(asOf)}, ${knownAtText()}; windowed figures cover the ${health.windowDays} days to then.`;
    const section = $("#health");
    section.dataset.asOf = asOf;
    section.dataset.knownAt = knownAt;
    busy("#health", false);
    drawnNow("health");
    const statuses = health.check.answers.map((answer) => STATUS[answer.status]?.label ?? answer.status);
    announce(`Four questions as of ${longDay(asOf)}: ${statuses.join(", ")}.`);
  } catch (error) {
    if (request === requests.health) {
      busy("#health", false);
      showError(error);
    }
  }
}

// ---- the timeline ----

/** A new view of the timeline: the year around the as-of date (or, after a new entry,
 * the window on screen), then the windows the person pans or zooms to (timeline.js). */
async function loadTimeline({ keep = false } = {}) {
  const request = ++requests.timeline;
  const id = state.partnership.id;
  const knownAt = dayEnd(state.knownAt);
  busy("#timeline-section", true);
  const section = $("#timeline-section");
  delete section.dataset.itemCount;
  try {
    await timeline.open({
      load: async (from, to, asOf) => {
        const data = await graphql(TIMELINE_WINDOW, { id, from, to, knownAt, asOf });
        if (request === requests.timeline) section.dataset.requests = String(++timelineRequests);
        return data.partnership.timeline;
      },
      anchor: Date.parse(dayEnd(state.asOf)),
      first: Date.parse(state.partnership.formedAt),
      last: Date.parse(dayEnd(state.end)),
      keep,
    });
    if (request !== requests.timeline) return;
    timeline.markAsOf(state.asOf);
    busy("#timeline-section", false);
    drawnNow("timeline");
  } catch (error) {
    if (request === requests.timeline) {
      busy("#timeline-section", false);
      showError(error);
    }
  }
}

let timelineRequests = 0;

/** What the timeline has loaded: the count, and the span its windows cover. */
function showLoaded({ items, from, to }) {
  state.timeline = timeline.loaded();
  const section = $("#timeline-section");
  section.dataset.itemCount = String(items);
  section.dataset.loadedFrom = new Date(from).toISOString();
  section.dataset.loadedTo = new Date(to).toISOString();
  const groups = state.timeline.groups.length;
  $("#timeline-count").textContent =
    `${items} item${items === 1 ? "" : "s"} in ${groups} lanes loaded, ` +
    `from ${longDay(isoDay(new Date(from)))} to ${longDay(isoDay(new Date(to)))}, ${knownAtText()}` +
    ". Pan or zoom to load more.";
}

$("#zoom-in").addEventListener("click", () => timeline.zoom(0.5));
$("#zoom-out").addEventListener("click", () => timeline.zoom(2));
$("#pan-earlier").addEventListener("click", () => timeline.pan(-0.5));
$("#pan-later").addEventListener("click", () => timeline.pan(0.5));
$("#fit-all").addEventListener("click", () => timeline.fit().catch(showError));
$("#export-timeline").addEventListener("click", () => {
  if (!state.timeline) return;
  download(`${slug(state.partnership.name)}-timeline.json`, timelineJson(state.timeline), "application/json");
});

// ---- health over time ----

async function loadSeries() {
  const request = ++requests.series;
  busy("#trends", true);
  const from = state.partnership.formedAt;
  const to = dayEnd(state.end);
  try {
    const data = await graphql(HEALTH_SERIES, {
      id: state.partnership.id,
      from,
      to,
      knownAt: dayEnd(state.knownAt),
    });
    if (request !== requests.series) return;
    state.series = data.partnership.healthSeries;
    charts.show(state.series, state.asOf);
    drawnNow("charts");
    const section = $("#trends");
    section.dataset.from = from;
    section.dataset.to = to;
    section.dataset.knownAt = state.knownAt;
    section.dataset.samples = String(state.series.length);
    $("#trends-context").textContent =
      `${state.series.length} monthly samples from ${longDay(from)} to ${longDay(to)}, ${knownAtText()}.` +
      " The dashed line marks the as-of date.";
    busy("#trends", false);
  } catch (error) {
    if (request === requests.series) {
      busy("#trends", false);
      showError(error);
    }
  }
}

$("#export-csv").addEventListener("click", () => {
  if (!state.series.length) return;
  download(`${slug(state.partnership.name)}-health-monthly.csv`, seriesCsv(state.series), "text/csv");
});

// ---- decisions ----

async function loadDecisions() {
  const id = state.partnership.id;
  const knownAt = dayEnd(state.knownAt);
  busy("#decisions", true);
  try {
    // Filter options: partners active now; the table adds every partner named in a
    // decision as its pages load (decisions.js).
    const current = await graphql(PARTNERS, { id, knownAt });
    const options = (current.partnership?.partners ?? [])
      .map((partner) => ({ id: partner.id, name: partner.name }))
      .sort((a, b) => a.name.localeCompare(b.name, "en-GB"));
    if (id !== state.partnership.id) return;
    await decisions.open({ partnershipId: id, knownAt: state.knownAt, partners: options });
  } catch (error) {
    busy("#decisions", false);
    showError(error);
  }
}

// ---- the partnership chooser and the token form ----

ui.select.addEventListener("change", () => {
  const chosen = state.partnerships.find((partnership) => partnership.id === ui.select.value);
  if (chosen) openPartnership(chosen);
});

$("#new-partnership").addEventListener("click", (click) => {
  forms?.open("formPartnership", { opener: click.currentTarget });
});

$("#token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setToken($("#token-input").value.trim());
  tokenGiven = true;
  $("#token-form").hidden = true;
  start();
});

renderLegend($("#timeline-legend"));
start();
