// The trust check-in rounds in the trust card, from
// `checkInRounds(asOf, knownAt) { ... }` (fetched with the four questions' health).
// A table per round: each invited partner's invited, answered and response rate, and
// whether it had too few answers for its check-in to be recorded. What anyone answered
// is never in the API, so never here.

import { el } from "./dom.js";
import { shortDay, timeZone, zonedDateTime } from "./dates.js";

/** A 0..1 fraction as a whole percentage, rounded as the API's evidence rounds it
 * (Python's format: halves to even), so the table and the evidence line agree. */
export function percent(fraction) {
  if (fraction === null || fraction === undefined) return "–";
  const value = fraction * 100;
  const whole = Math.floor(value);
  const rest = value - whole;
  const rounded = rest > 0.5 || (rest === 0.5 && whole % 2 === 1) ? whole + 1 : whole;
  return `${rounded}%`;
}

function people(count) {
  return `${count} ${count === 1 ? "person" : "people"}`;
}

/** `answered by 14 of 20 invited, 70%` (with "so far" while the round is open). */
function overall(round) {
  if (round.answered === null || round.answered === undefined) {
    return (
      `${people(round.invited)} invited. Open then: how many had answered by that day is not kept ` +
      "(a round's figures are those counted at its close)."
    );
  }
  const text = `answered by ${round.answered} of ${round.invited} invited, ${percent(round.responseRate)}.`;
  return round.status === "OPEN" ? `So far ${text}` : `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function when(round) {
  const opened = `opened ${shortDay(round.opensAt)}`;
  if (round.status === "OPEN") return `Open: ${opened}, closes ${zonedDateTime(round.closesAt, timeZone())}.`;
  return `Closed: ${opened}, closed ${shortDay(round.closedAt ?? round.closesAt)}.`;
}

function shortMark(round, part) {
  if (part.enough === true && part.recorded === false) {
    // Enough answers, but nothing stands: the partner had left by the close, or the
    // round's check-in was retracted.
    return el("span", { className: "round-short", "data-role": "not-recorded" }, "not recorded");
  }
  if (part.enough !== false) return null;
  const text =
    round.status === "OPEN"
      ? `too few responses so far (${round.minimumResponses} needed)`
      : "too few responses: not recorded";
  return el("span", { className: "round-short", "data-role": "too-few" }, text);
}

function partnerRow(round, part) {
  const counted = part.answered !== null && part.answered !== undefined;
  return el(
    "tr",
    { dataset: { partnerId: part.partner.id } },
    el("th", { scope: "row" }, el("span", { className: "round-partner" }, part.partner.name), shortMark(round, part)),
    el("td", { className: "number", "data-role": "invited" }, String(part.invited)),
    el("td", { className: "number", "data-role": "answered" }, counted ? String(part.answered) : "not known"),
    el("td", { className: "number", "data-role": "rate" }, counted ? percent(part.responseRate) : "–"),
  );
}

function roundTable(round) {
  const captionId = `round-${round.id}-caption`;
  const open = round.status === "OPEN";
  return el(
    "div",
    {
      className: "round",
      "data-role": "check-in-round",
      dataset: { roundId: round.id, status: round.status },
    },
    el("p", { className: "round-when", "data-role": "round-when" }, when(round)),
    el("p", { className: "round-overall", "data-role": "round-overall" }, overall(round)),
    el(
      "div",
      { className: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": captionId },
      el(
        "table",
        { className: "round-table" },
        el(
          "caption",
          { id: captionId, className: "visually-hidden" },
          `Check-in round opened ${shortDay(round.opensAt)}: ${open ? "open" : "closed"}`,
        ),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { scope: "col" }, "Partner"),
            el("th", { scope: "col", className: "number" }, "Invited"),
            el("th", { scope: "col", className: "number" }, open ? "Answered so far" : "Answered"),
            el("th", { scope: "col", className: "number" }, "Rate"),
          ),
        ),
        el("tbody", {}, round.partners.map((part) => partnerRow(round, part))),
      ),
    ),
    el(
      "p",
      { className: "hint round-minimum" },
      `A partner's check-in is recorded at the close only with at least ${round.minimumResponses} answers.`,
    ),
  );
}

/** Show the rounds (the API's list, in the order opened) in the trust card: the latest
 * first, earlier ones folded away; nothing when there are none. */
export function renderRounds(card, rounds) {
  if (!card) return;
  card.querySelector(":scope > .round-list")?.remove();
  if (!rounds?.length) return;
  const [latest, ...earlier] = [...rounds].reverse();
  const list = el(
    "div",
    { className: "round-list", "data-role": "check-in-rounds" },
    el("h4", {}, "Check-in rounds"),
    roundTable(latest),
    earlier.length
      ? el(
          "details",
          { className: "round-earlier" },
          el("summary", {}, `Earlier rounds (${earlier.length})`),
          earlier.map(roundTable),
        )
      : null,
  );
  const actions = card.querySelector(":scope > .record-actions");
  if (actions) {
    actions.before(list);
  } else {
    card.append(list);
  }
}
