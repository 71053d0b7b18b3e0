// The four questions as cards, from `health(asOf, knownAt) { check { ... } }`.
// Status is given by text and a symbol as well as by colour.

import { el, humanise, replaceChildren } from "./dom.js";

export const QUESTIONS = {
  TRUE_PARTNERSHIP: "Is this a true partnership?",
  COMMON_GOALS: "What are your common goals?",
  TRUST: "Where is the trust?",
  WHO_DOES_THE_WORK: "Who is doing the work?",
};

export const STATUS = {
  GREEN: { label: "Green", symbol: "✓", meaning: "working well" },
  AMBER: { label: "Amber", symbol: "!", meaning: "needs attention" },
  RED: { label: "Red", symbol: "✕", meaning: "at risk" },
  INSUFFICIENT_DATA: { label: "Insufficient data", symbol: "?", meaning: "not enough recorded to say" },
};

const CLASSIFICATION = {
  PARTNERSHIP: "a partnership: no partner holds 80% or more of the decision rights",
  CLIENT_SUPPLIER: "client and supplier: one partner takes most decisions and provides most of the funding",
  ADVISORY: "advisory: one partner takes most decisions without providing most of the funding",
  INSUFFICIENT_DATA: "too few decisions or partners to say",
};

function card(answer, classification) {
  const status = STATUS[answer.status] ?? { label: humanise(answer.status), symbol: "", meaning: "" };
  const id = `card-${answer.question.toLowerCase()}`;
  return el(
    "article",
    {
      className: `card status-${answer.status.toLowerCase()}`,
      "aria-labelledby": `${id}-title`,
      dataset: { question: answer.question, status: answer.status },
    },
    el("h3", { id: `${id}-title` }, QUESTIONS[answer.question] ?? humanise(answer.question)),
    el(
      "p",
      { className: "status-line" },
      el("span", { className: "status-badge", "data-role": "status" },
        el("span", { "aria-hidden": "true", className: "status-symbol" }, status.symbol),
        ` ${status.label}`),
      el("span", { className: "status-meaning" }, status.meaning ? ` ${status.meaning}` : ""),
    ),
    answer.question === "TRUE_PARTNERSHIP" && classification
      ? el(
          "p",
          { className: "classification", "data-role": "classification" },
          el("strong", {}, "Pattern: "),
          CLASSIFICATION[classification] ?? humanise(classification),
        )
      : null,
    el("h4", {}, "Evidence"),
    answer.evidence.length
      ? el("ul", { className: "evidence", "data-role": "evidence" },
          answer.evidence.map((line) => el("li", {}, line)))
      : el("p", { "data-role": "evidence" }, "No figures yet."),
    el("h4", {}, "To discuss"),
    el("p", { className: "prompt", "data-role": "prompt" }, answer.prompt),
  );
}

/** Render the cards of one `Health` (its `check`). */
export function renderCards(container, health) {
  const { classification, answers } = health.check;
  replaceChildren(container, answers.map((answer) => card(answer, classification)));
}
