// Recording from the page: one form for any mutation, built from the server's catalogue
// of event kinds (GET /forms.json), sent through the page's one GraphQL client (api.js).
//
// The DOM contract (tests and users' scripts rely on it): `<form data-mutation="NAME">`;
// each control named by its input field; list fields a group of checkboxes; `shares` rows
// named `shares.N.partnerId` / `shares.N.share`; a field's error in
// `[data-error-for="FIELD"]` linked by aria-describedby; other errors in `[role=alert]`.

import { CHOICES, GOAL_DATES, NoAnswer, RECORDED, allNodes, graphql, mutationText } from "./api.js";
import { zonedDateTime, zonedInstant, zonedLocal } from "./dates.js";
import { el, replaceChildren } from "./dom.js";

/** The catalogue of forms, or null when the server has none (the page stays read-only). */
export async function loadCatalogue() {
  try {
    const response = await fetch(new URL("forms.json", document.baseURI), {
      headers: { accept: "application/json" },
    });
    if (!response.ok) return null;
    const catalogue = await response.json();
    return Array.isArray(catalogue?.kinds) ? catalogue : null;
  } catch {
    return null;
  }
}

/** Move focus to a control, or to the first control of a group (a fieldset). After an
 * error the focus goes to the first answer to correct, or to the form's alert when the
 * error is about no one answer (the alert can take focus, but is no stop for Tab). */
function focusOn(target) {
  if (!target) return;
  const control = target.matches("fieldset") ? target.querySelector("input, select") : target;
  control?.focus?.();
}

const RANK = { VIEWER: 0, RECORDER: 1, ADMIN: 2 };

/** Whether an actor with `role` is offered `kind` (null: role unknown, the server decides). */
export function allowed(kind, role) {
  if (role === null || role === undefined) return true;
  return (RANK[role] ?? -1) >= (RANK[kind.needs] ?? 1) && role !== "VIEWER";
}

const CHOICE_CONTROLS = new Set(["partner", "partners", "goal", "commitment", "role", "shares"]);
// A choice the person made (or the page made for them, beside a goal) that is not valid at
// the entry's occurredAt stays chosen, marked, and explained beside it: the API judges.
const NOT_THEN = { partner: "not a partner then", goal: "not active then", commitment: "not open then" };
const REFUSED = "As it stands, the record will refuse this entry.";
const keeps = (control) => Object.hasOwn(NOT_THEN, control ?? "");
const NUMERIC = new Set(["integer", "number"]);

function commitmentLabel(commitment) {
  const amount = `${commitment.quantity} ${commitment.unit}`;
  const status = commitment.status.toLowerCase();
  return `${commitment.partner.name}: ${commitment.kind.toLowerCase().replace("_", " ")} ${amount} (${status}, id ${commitment.id})`;
}

/**
 * One open form: built from a catalogue `kind` (after the catalogue's `common` fields,
 * occurredAt, which every mutation takes), with its own idempotency key and expected version.
 */
export class RecordingForm {
  constructor(kind, { catalogue, partnership, preset = {}, known = {}, onRecorded, onShowEvent, onClose }) {
    this.kind = kind;
    this.timeZone = catalogue.timeZone || "Europe/London";
    this.partnership = partnership; // {id, name, version} or null for formPartnership
    this.fields = [...(catalogue.common ?? []), ...kind.fields];
    this.preset = preset;
    this.onRecorded = onRecorded;
    this.onShowEvent = onShowEvent;
    this.onClose = onClose;
    this.key = crypto.randomUUID();
    this.version = partnership?.version ?? null;
    this.sending = false;
    this.choices = null;
    this.names = new Map(); // partner id -> name, for naming an item in an error
    // goals and commitments seen (the page's goal beside which the form opened, and every
    // list of choices since), for naming one kept chosen when it is not valid then
    this.known = {
      goal: new Map((known.goals ?? []).map((goal) => [goal.id, goal])),
      commitment: new Map(),
    };
    this.goalDates = null; // a promise of each goal's set and retired moments, once asked
    this.prefix = `f-${kind.mutation}`;
    this.form = this.build();
  }

  // ---- building ----

  build() {
    const kind = this.kind;
    this.alert = el("div", { className: "form-alert", role: "alert", tabindex: "-1", "data-alert": true });
    this.result = el("div", { className: "form-result", role: "status" });
    const form = el(
      "form",
      {
        className: "record-form",
        novalidate: true,
        "data-mutation": kind.mutation,
        "aria-describedby": kind.help ? `${this.prefix}-help` : null,
        onSubmit: (event) => {
          event.preventDefault();
          this.submit();
        },
      },
      kind.help ? el("p", { className: "hint", id: `${this.prefix}-help` }, kind.help) : null,
      this.alert,
      this.fields.map((field) => this.buildField(field)),
      el(
        "div",
        { className: "form-buttons" },
        el("button", { type: "submit" }, "Record"),
        el("button", { type: "button", onClick: () => this.onClose?.() }, "Cancel"),
      ),
      this.result,
    );
    return form;
  }

  id(name) {
    return `${this.prefix}-${name.replaceAll(".", "-")}`;
  }

  errorBox(name) {
    return el("p", { className: "field-error", id: `${this.id(name)}-error`, "data-error-for": name });
  }

  describedBy(field) {
    return [field.help ? `${this.id(field.name)}-hint` : null, `${this.id(field.name)}-error`]
      .filter(Boolean)
      .join(" ");
  }

  buildField(field) {
    const { name, control } = field;
    const label = field.label || name;
    const hint = field.help ? el("p", { className: "hint", id: `${this.id(name)}-hint` }, field.help) : null;
    if (control === "partners" || control === "shares") {
      const group = el("div", { className: "choices", "data-group": name });
      const extra =
        control === "shares"
          ? el("button", { type: "button", className: "small", onClick: () => this.addShareRow() }, "Add a row")
          : null;
      // partners ticked at one moment and not active at the entry's: kept ticked, and why
      const groupNote = control === "partners" ? this.choiceNote(name) : null;
      if (groupNote) group.addEventListener("change", () => this.explainChoices());
      const describedBy = [this.describedBy(field), groupNote?.id].filter(Boolean).join(" ");
      return el(
        "fieldset",
        { className: "field", "data-field": name, "aria-describedby": describedBy },
        el("legend", {}, label, field.required ? el("span", { className: "required" }, " (required)") : null),
        hint,
        group,
        extra,
        groupNote,
        this.errorBox(name),
      );
    }
    const attrs = {
      id: this.id(name),
      name,
      "aria-describedby": this.describedBy(field),
      "aria-required": field.required ? "true" : null,
    };
    let input;
    let list = null;
    if (control === "textarea") {
      input = el("textarea", { ...attrs, rows: 3, maxlength: field.maxLength });
    } else if (control === "select" || keeps(control)) {
      input = el("select", attrs);
      if (control === "select") this.fillSelect(input, field, field.options ?? []);
      if (control === "goal") input.addEventListener("change", () => this.goalChosen(input.value));
      if (keeps(control)) input.addEventListener("change", () => this.explainChoices());
    } else if (control === "boolean") {
      input = el("input", { ...attrs, type: "checkbox", value: "true" });
    } else if (NUMERIC.has(control)) {
      input = el("input", {
        ...attrs,
        type: "number",
        inputmode: control === "integer" ? "numeric" : "decimal",
        step: control === "integer" ? "1" : "any",
        min: field.min,
        max: field.max,
      });
      if (field.default !== undefined) input.value = String(field.default);
    } else if (control === "datetime") {
      input = el("input", { ...attrs, type: "datetime-local", step: "60" });
      if (name === "occurredAt") {
        input.value = zonedLocal(Date.now(), this.timeZone);
        input.max = zonedLocal(Date.now() + 86_400_000, this.timeZone);
        input.addEventListener("change", () => {
          input.dataset.touched = "true";
          this.loadChoices();
        });
      }
    } else {
      input = el("input", { ...attrs, type: "text", maxlength: field.maxLength, autocomplete: "off" });
      if (control === "role") {
        list = el("datalist", { id: `${this.id(name)}-list` });
        input.setAttribute("list", list.id);
      }
    }
    const preset = this.preset[name];
    if (preset !== undefined && preset !== null) input.value = String(preset);
    const zone =
      control === "datetime" ? el("span", { className: "zone" }, ` (${this.timeZone} time)`) : null;
    const note =
      name === "occurredAt"
        ? el(
            "p",
            { className: "hint", id: `${this.id(name)}-hint` },
            field.help ||
              "Leave it as now, or set an earlier moment to backdate the entry: it is then judged " +
                "and counted as of that moment, while the record still shows when you entered it.",
          )
        : hint;
    if (name === "occurredAt" && !field.help) input.setAttribute("aria-describedby", `${this.id(name)}-hint ${this.id(name)}-error`);
    const choiceNote = keeps(control) ? this.choiceNote(name) : null;
    if (choiceNote) {
      input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby")} ${choiceNote.id}`);
    }
    const wrapper = el(
      "div",
      { className: control === "boolean" ? "field check" : "field", "data-field": name },
      control === "boolean" ? input : null,
      el("label", { for: attrs.id }, label, zone, field.required ? el("span", { className: "required" }, " (required)") : null),
      control === "boolean" ? null : input,
      list,
      note,
      choiceNote,
      this.errorBox(name),
    );
    return wrapper;
  }

  /** Where a form says why a choice kept from before is not valid at the entry's moment
   * (announced politely, empty otherwise). */
  choiceNote(name) {
    return el("p", { className: "choice-note", id: `${this.id(name)}-note`, "data-note-for": name, "aria-live": "polite" });
  }

  fillSelect(select, field, options) {
    // the preset (a goal chosen beside it) only until the list is first filled
    const current = select.dataset.filled ? select.value : select.value || this.preset[field.name] || "";
    select.dataset.filled = "true";
    const kept = current !== "" && keeps(field.control) && !options.some((option) => option.value === current);
    const items = [];
    if (!field.required || !options.length || field.control !== "select") {
      items.push(el("option", { value: "" }, options.length || kept ? "Choose…" : "None available then"));
    }
    for (const option of options) items.push(el("option", { value: option.value }, option.label));
    if (kept) {
      const label = `${this.nameOf(field.control, current)} (${NOT_THEN[field.control]})`;
      items.push(el("option", { value: current, dataset: { notThen: "true" } }, label));
    }
    replaceChildren(select, items);
    if (kept || options.some((option) => option.value === current)) select.value = current;
  }

  /** A partner's name, a goal's statement, a commitment's description, or the id. */
  nameOf(control, id) {
    if (control === "partner") return this.names.get(id) ?? id;
    if (control === "goal") return this.known.goal.get(id)?.statement ?? id;
    const commitment = this.known.commitment.get(id);
    return commitment ? commitmentLabel(commitment) : id;
  }

  // ---- choices as of occurredAt ----

  occurredAt() {
    const input = this.control("occurredAt");
    if (!input || !input.value || input.dataset.touched !== "true") return null;
    return zonedInstant(input.value, this.timeZone);
  }

  control(name) {
    return this.form.querySelector(`[name="${CSS.escape(name)}"]`);
  }

  /** Fetch what is valid as of the entry's occurredAt and fill the choice controls. */
  async loadChoices() {
    if (!this.partnership || !this.fields.some((field) => CHOICE_CONTROLS.has(field.control))) return;
    const request = (this.choiceRequest = (this.choiceRequest ?? 0) + 1);
    this.form.setAttribute("aria-busy", "true");
    try {
      const data = await graphql(CHOICES, { id: this.partnership.id, asOf: this.occurredAt() });
      if (request !== this.choiceRequest || !data.partnership) return;
      this.choices = data.partnership;
      this.fillChoices();
      await this.explainChoices();
    } catch (error) {
      this.alert.textContent = `Could not load the choices: ${error.message}`;
    } finally {
      if (request === this.choiceRequest) this.form.setAttribute("aria-busy", "false");
    }
  }

  fillChoices() {
    const { partners, goals, commitments, leadership } = this.choices;
    for (const partner of partners) this.names.set(partner.id, partner.name);
    for (const goal of goals) this.known.goal.set(goal.id, goal);
    for (const commitment of commitments) this.known.commitment.set(commitment.id, commitment);
    const partnerOptions = partners.map((partner) => ({ value: partner.id, label: partner.name }));
    for (const field of this.fields) {
      const input = this.control(field.name);
      if (field.control === "partner") this.fillSelect(input, field, partnerOptions);
      if (field.control === "goal") {
        this.fillSelect(
          input,
          field,
          goals.map((goal) => ({ value: goal.id, label: `${goal.statement} (version ${goal.version})` })),
        );
        if (input.value) this.goalChosen(input.value, { keepTyped: true }); // a goal chosen beside it
      }
      if (field.control === "commitment") {
        const usable = commitments.filter((commitment) => commitment.status !== "RELEASED");
        this.fillSelect(input, field, usable.map((c) => ({ value: c.id, label: commitmentLabel(c) })));
      }
      if (field.control === "role") {
        const list = this.form.querySelector(`#${this.id(field.name)}-list`);
        replaceChildren(
          list,
          leadership.map((role) =>
            el("option", { value: role.role }, role.vacant ? `${role.role} (vacant)` : `${role.role}: ${role.person}`),
          ),
        );
      }
      if (field.control === "partners") this.fillPartners(field, partners);
      if (field.control === "shares" && !this.form.querySelector("[data-share-row]")) {
        for (const partner of partners) this.addShareRow(partner.id, "");
      } else if (field.control === "shares") {
        for (const select of this.form.querySelectorAll("[data-share-row] select")) {
          this.fillSelect(select, { name: select.name, control: "partner", required: true }, partnerOptions);
        }
      }
    }
  }

  /** An endorsement is of the goal's current version: fill it in when a goal is chosen
   * (`keepTyped`: unless the person has typed one). */
  goalChosen(goalId, { keepTyped = false } = {}) {
    const active = this.choices?.goals.find((candidate) => candidate.id === goalId);
    const version = this.control("version");
    // a goal not active then: its latest version known, unless one is typed already
    const goal = active ?? (version?.value === "" ? this.known.goal.get(goalId) : null);
    if (!goal || !version || version.type !== "number") return;
    if (keepTyped && version.value !== "") return;
    version.value = String(goal.version);
  }

  /** Beside each choice kept although not valid at the entry's moment: why, and what to do. */
  async explainChoices() {
    for (const field of this.fields) {
      if (field.control === "partners") {
        const note = this.form.querySelector(`[data-note-for="${CSS.escape(field.name)}"]`);
        const kept = [...this.form.querySelectorAll(`input[name="${field.name}"][data-not-then]:checked`)];
        const names = kept.map((box) => this.nameOf("partner", box.value));
        const text = names.length
          ? `${names.join(", ")} ${names.length === 1 ? "was not an active partner" : "were not active partners"} ` +
            `at the moment in “When it happened”. ${REFUSED}`
          : "";
        if (note && note.textContent !== text) note.textContent = text;
        continue;
      }
      if (!keeps(field.control)) continue;
      const note = this.form.querySelector(`[data-note-for="${CSS.escape(field.name)}"]`);
      const select = this.control(field.name);
      if (!note || !select) continue;
      const chosen = select.selectedOptions[0];
      const text = chosen?.dataset.notThen ? await this.notThen(field.control, select.value) : "";
      if (note.textContent !== text) note.textContent = text;
    }
  }

  async notThen(control, id) {
    const name = this.nameOf(control, id);
    const moment = "the moment in “When it happened”";
    if (control === "partner") return `${name} was not an active partner at ${moment}. ${REFUSED}`;
    if (control === "commitment") {
      return `This commitment was not open (made, and not released) at ${moment}. ${REFUSED}`;
    }
    const { setAt, retiredAt } = await this.goalMoments(id);
    const when = Date.parse(this.occurredAt() ?? new Date().toISOString());
    if (setAt && when < Date.parse(setAt)) {
      return (
        `“${name}” was set on ${zonedDateTime(setAt, this.timeZone)}, after ${moment}: ` +
        `choose a moment from then on, or another goal. ${REFUSED}`
      );
    }
    if (retiredAt && when >= Date.parse(retiredAt)) {
      return (
        `“${name}” was retired on ${zonedDateTime(retiredAt, this.timeZone)}, before ${moment}: ` +
        `choose an earlier moment, or another goal. ${REFUSED}`
      );
    }
    return `“${name}” was not an active goal at ${moment}. ${REFUSED}`;
  }

  /** When goal `id` was set and retired (entries not retracted), from the history. */
  async goalMoments(id) {
    this.goalDates ??= allNodes(GOAL_DATES, { id: this.partnership.id }, (data) => data.partnership?.history)
      .then(({ nodes }) => nodes.filter((event) => !event.retracted))
      .catch(() => []);
    const events = await this.goalDates;
    const moment = (type) => events.find((event) => event.type === type && event.data?.goalId === id)?.occurredAt;
    return { setAt: moment("GOAL_SET"), retiredAt: moment("GOAL_RETIRED") };
  }

  fillPartners(field, partners) {
    const group = this.form.querySelector(`[data-group="${field.name}"]`);
    const checked = new Set(
      [...group.querySelectorAll("input:checked")].map((input) => input.value),
    );
    const boxes = partners.map((partner) => ({ value: partner.id, label: partner.name, notThen: false }));
    for (const value of checked) {
      if (partners.some((partner) => partner.id === value)) continue;
      boxes.push({ value, label: `${this.nameOf("partner", value)} (${NOT_THEN.partner})`, notThen: true });
    }
    replaceChildren(
      group,
      partners.length ? null : el("p", { className: "hint" }, "No partners were active then."),
      boxes.map((box) => {
        const id = `${this.id(field.name)}-${box.value}`;
        return el(
          "div",
          { className: "check" },
          el("input", {
            type: "checkbox",
            id,
            name: field.name,
            value: box.value,
            checked: checked.has(box.value),
            dataset: box.notThen ? { notThen: "true" } : {},
          }),
          el("label", { for: id }, box.label),
        );
      }),
    );
  }

  addShareRow(partnerId = "", share = "") {
    const group = this.form.querySelector('[data-group="shares"]');
    const index = group.querySelectorAll("[data-share-row]").length;
    const base = `shares.${index}`;
    const select = el("select", {
      id: this.id(`${base}.partnerId`),
      name: `${base}.partnerId`,
      "aria-describedby": `${this.id(`${base}.partnerId`)}-error`,
    });
    const partners = this.choices?.partners ?? [];
    this.fillSelect(
      select,
      { name: `${base}.partnerId`, control: "partner", required: true },
      partners.map((partner) => ({ value: partner.id, label: partner.name })),
    );
    select.value = partnerId;
    const amount = el("input", {
      id: this.id(`${base}.share`),
      name: `${base}.share`,
      type: "number",
      inputmode: "decimal",
      step: "any",
      min: "0",
      max: "1",
      value: share,
      "aria-describedby": `${this.id(`${base}.share`)}-error`,
    });
    group.append(
      el(
        "div",
        { className: "share-row", "data-share-row": String(index) },
        el("label", { for: select.id }, `Row ${index + 1}: partner`),
        select,
        this.errorBox(`${base}.partnerId`),
        el("label", { for: amount.id }, `Row ${index + 1}: share (0 to 1)`),
        amount,
        this.errorBox(`${base}.share`),
      ),
    );
  }

  // ---- sending ----

  /** The mutation's input from the controls; `problems` are obvious slips caught here. */
  collect() {
    const input = {};
    const problems = [];
    for (const field of this.fields) {
      const { name, control } = field;
      const label = field.label || name;
      if (control === "partners") {
        const values = [...this.form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
        if (values.length || field.required) input[name] = values;
        continue;
      }
      if (control === "shares") {
        input.shares = [...this.form.querySelectorAll("[data-share-row]")]
          .map((row) => {
            const [select, amount] = [row.querySelector("select"), row.querySelector("input")];
            if (amount.validity.badInput) problems.push([amount.name, "Enter a number between 0 and 1."]);
            return { partnerId: select.value, share: amount.value.trim() === "" ? null : Number(amount.value) };
          })
          .filter((row) => row.partnerId || row.share !== null)
          .map((row) => ({ partnerId: row.partnerId, share: row.share ?? 0 }));
        continue;
      }
      const control_ = this.control(name);
      if (control === "boolean") {
        input[name] = control_.checked;
        continue;
      }
      const value = control_.value.trim();
      if (control === "datetime") {
        if (name === "occurredAt") {
          const when = this.occurredAt();
          if (when) input[name] = when;
        } else if (value) {
          input[name] = zonedInstant(value, this.timeZone);
        } else if (field.required) {
          problems.push([name, `Enter ${label.toLowerCase()}: a date and time.`]);
        }
        continue;
      }
      if (NUMERIC.has(control)) {
        if (control_.validity.badInput) {
          problems.push([name, `Enter a number for ${label.toLowerCase()}.`]);
        } else if (value !== "") {
          const number = Number(value);
          if (control === "integer" && !Number.isInteger(number)) {
            problems.push([name, `Enter a whole number for ${label.toLowerCase()}.`]);
          } else {
            input[name] = number;
          }
        } else if (field.required) {
          problems.push([name, `Enter ${label.toLowerCase()}.`]);
        }
        continue;
      }
      if (value !== "") {
        input[name] = control === "textarea" ? control_.value : value;
      } else if (field.required && control !== "text" && control !== "textarea") {
        problems.push([name, `Choose or enter ${label.toLowerCase()}.`]);
      } else if (field.required) {
        input[name] = ""; // a blank required text: the API's message names it
      }
    }
    return { input, problems };
  }

  clearErrors() {
    this.alert.textContent = "";
    delete this.form.dataset.unanswered;
    replaceChildren(this.result);
    for (const box of this.form.querySelectorAll("[data-error-for]")) box.textContent = "";
    for (const node of this.form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  }

  /** Show an error at the field of a dotted path, or the nearest list it belongs to. */
  showFieldError(path, message) {
    const parts = path.split(".");
    for (let size = parts.length; size > 0; size -= 1) {
      const name = parts.slice(0, size).join(".");
      const box = this.form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (!box) continue;
      let text = message;
      if (size < parts.length && /^\d+$/.test(parts[size])) {
        const index = Number(parts[size]);
        const value = this.lastInput?.[name]?.[index];
        const what = typeof value === "string" ? this.names.get(value) ?? value : null;
        text = `Item ${index + 1}${what ? ` (${what})` : ""}: ${message}`;
      }
      box.textContent = box.textContent ? `${box.textContent} ${text}` : text;
      const target = this.control(name) ?? box.closest("fieldset");
      target?.setAttribute("aria-invalid", "true");
      return target;
    }
    this.alert.textContent = path ? `${path}: ${message}` : message;
    return null;
  }

  async submit() {
    if (this.sending) return; // a double click sends once (and the key would record once)
    this.clearErrors();
    const { input, problems } = this.collect();
    if (problems.length) {
      let first = null;
      for (const [path, message] of problems) first = first ?? this.showFieldError(path, message);
      this.alert.textContent = "Check the highlighted answers: nothing was recorded.";
      focusOn(first ?? this.alert);
      return;
    }
    if (this.kind.inPartnership) {
      input.partnershipId = this.partnership.id;
      input.expectedVersion = this.version;
    }
    input.idempotencyKey = this.key;
    this.lastInput = input;
    this.sending = true;
    this.form.setAttribute("aria-busy", "true");
    let result;
    try {
      const data = await graphql(mutationText(this.kind.mutation), { input });
      result = data[this.kind.mutation];
    } catch (error) {
      // Without an answer the entry may have been recorded: the same key records it once.
      this.alert.textContent =
        error instanceof NoAnswer
          ? `No answer came (${error.message}), so this entry may or may not have been recorded. ` +
            "Choose Record to send it again: it is recorded once, whichever happened."
          : `Nothing was recorded: ${error.message}`;
      if (error instanceof NoAnswer) this.form.dataset.unanswered = "true";
      focusOn(this.alert);
      return;
    } finally {
      this.sending = false;
      this.form.setAttribute("aria-busy", "false");
    }
    await this.answer(result);
  }

  async answer(result) {
    const type = result.__typename;
    if (type.endsWith("Success")) {
      this.succeeded(result);
    } else if (type === "ValidationError") {
      const target = this.showFieldError(result.field ?? "", result.message);
      if (target) this.alert.textContent = "Check the highlighted answer: nothing was recorded.";
      focusOn(target ?? this.alert);
    } else if (type === "VersionConflictError") {
      await this.conflicted(result);
    } else {
      this.alert.textContent = `Nothing was recorded: ${result.message}`;
      focusOn(this.alert);
    }
  }

  async conflicted(result) {
    const since = result.expectedVersion;
    this.version = result.currentVersion;
    let recorded = [];
    try {
      const { nodes } = await allNodes(RECORDED, { id: this.partnership.id }, (data) => data.partnership?.history);
      recorded = nodes.filter((event) => event.position > since).sort((a, b) => a.position - b.position);
    } catch {
      // the explanation below still stands without the list
    }
    const count = result.currentVersion - since;
    replaceChildren(
      this.alert,
      el(
        "p",
        {},
        `Not recorded yet: while this form was open, ${count} ${count === 1 ? "entry was" : "entries were"} ` +
          "recorded by others. Check that your entry still says what you mean, then choose Record to send it again.",
      ),
      recorded.length
        ? el(
            "ul",
            { className: "recorded-since" },
            recorded.map((event) => el("li", {}, `${event.summary} (recorded by ${event.recordedBy})`)),
          )
        : null,
    );
    this.form.dataset.conflict = "true";
    focusOn(this.alert); // what was recorded meanwhile; Tab goes on to the answers
    this.loadChoices();
  }

  succeeded(result) {
    const { event, partnership } = result;
    this.form.dataset.recordedEvent = event.id;
    delete this.form.dataset.conflict;
    delete this.form.dataset.unanswered;
    const when = zonedDateTime(event.occurredAt, this.timeZone);
    const link = el(
      "a",
      {
        href: `?partnership=${encodeURIComponent(partnership.id)}&event=${encodeURIComponent(event.id)}#timeline-section`,
        "data-event-link": event.id,
        onClick: (click) => {
          click.preventDefault();
          this.onShowEvent?.(event.id, partnership);
        },
      },
      "Show it on the timeline",
    );
    replaceChildren(
      this.form,
      el(
        "div",
        { className: "form-success", role: "status", tabindex: "-1" },
        el("p", {}, `Recorded: ${event.summary} (happened ${when}).`),
        el("p", {}, link),
        el(
          "div",
          { className: "form-buttons" },
          el("button", { type: "button", onClick: () => this.onClose?.({ another: this.kind }) }, "Record another"),
          el("button", { type: "button", onClick: () => this.onClose?.() }, "Close"),
        ),
      ),
    );
    this.form.querySelector(".form-success").focus();
    this.onRecorded?.(event, partnership, this.kind);
  }
}

/** The page's form dialog: opens one RecordingForm at a time. */
export class FormDialog {
  constructor(dialog, { catalogue, onRecorded, onShowEvent }) {
    this.dialog = dialog;
    this.catalogue = catalogue;
    this.onRecorded = onRecorded;
    this.onShowEvent = onShowEvent;
    this.title = dialog.querySelector("#record-title");
    this.body = dialog.querySelector("#record-body");
    dialog.querySelector("#record-close").addEventListener("click", () => this.close());
  }

  kind(mutation) {
    return this.catalogue.kinds.find((kind) => kind.mutation === mutation);
  }

  open(mutation, { partnership = null, preset = {}, known = {}, opener = null } = {}) {
    const kind = this.kind(mutation);
    if (!kind) return null;
    this.opener = opener ?? document.activeElement;
    const form = new RecordingForm(kind, {
      catalogue: this.catalogue,
      partnership,
      preset,
      known,
      onRecorded: this.onRecorded,
      onShowEvent: (eventId, recordedIn) => {
        this.close({ restoreFocus: false });
        this.onShowEvent?.(eventId, recordedIn);
      },
      onClose: (options) => {
        if (options?.another) {
          this.open(options.another.mutation, { partnership: this.partnershipNow?.() ?? partnership, opener: this.opener });
        } else {
          this.close();
        }
      },
    });
    this.title.textContent = kind.title;
    this.dialog.dataset.mutation = kind.mutation;
    replaceChildren(
      this.body,
      partnership ? el("p", { className: "context" }, `In ${partnership.name}.`) : null,
      form.form,
    );
    if (!this.dialog.open) this.dialog.showModal();
    form.form.querySelector("input, select, textarea")?.focus();
    form.loadChoices();
    this.current = form;
    return form;
  }

  close({ restoreFocus = true } = {}) {
    if (this.dialog.open) this.dialog.close();
    replaceChildren(this.body);
    this.current = null;
    if (restoreFocus && this.opener?.isConnected) this.opener.focus();
  }
}
