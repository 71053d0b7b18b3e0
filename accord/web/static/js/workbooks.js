// Spreadsheets on the page: the registers template and the partnership's workbook to
// download, and a filled workbook to upload (docs/API.md, Workbook upload). A workbook is
// first checked (?dryRun=true: what each sheet would record, or every refusal with its
// cell), then "Record all" sends it again to be recorded, with a progress bar while it
// uploads. Only a RECORDER or ADMIN is offered the upload; the server still decides.

import { callerHeaders } from "./api.js";
import { el, replaceChildren } from "./dom.js";
import { download } from "./exports.js";

function endpoint(path) {
  return new URL(path, document.baseURI).toString();
}

function authorised(headers = {}) {
  return callerHeaders(headers);
}

/** POST the file; `progress(fraction)` while it uploads, then `sent()` once all of it
 * is sent (the server is still judging and recording). Resolves to {status, body}. */
function send(url, file, progress, sent) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    for (const [name, value] of Object.entries(authorised())) request.setRequestHeader(name, value);
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress(event.loaded / event.total);
    });
    request.upload.addEventListener("load", () => sent());
    request.addEventListener("load", () => resolve({ status: request.status, body: request.response }));
    request.addEventListener("error", () => reject(new Error("no answer from the server")));
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
}

function entries(count) {
  return `${count} ${count === 1 ? "entry" : "entries"}`;
}

export class Workbooks {
  constructor(root, { onRecorded = () => {}, announce = () => {}, moment = () => ({}) } = {}) {
    this.root = root;
    this.moment = moment; // {asOf, knownAt}: the days the page shows (null: today)
    this.onRecorded = onRecorded;
    this.announce = announce;
    this.partnership = null;
    this.checked = null; // the file last checked without a refusal
    this.form = root.querySelector("#import-form");
    this.file = root.querySelector("#import-file");
    this.result = root.querySelector("#import-result");
    this.record = root.querySelector("#import-record");
    this.progress = root.querySelector("#import-progress");
    // What the server takes (accord/web/uploads.py, UPLOAD_LIMITS), stated by the input.
    this.maxBytes = Number(root.querySelector("#import-limits").dataset.fileBytes);
    root.querySelector("#export-xlsx").addEventListener("click", () => this.downloadWorkbook());
    root.querySelector("#export-pdf").addEventListener("click", () => this.downloadBoardPack());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.check();
    });
    this.file.addEventListener("change", () => this.reset());
    this.record.addEventListener("click", () => this.recordAll());
  }

  /** Show the partnership's downloads, and the upload if `role` may record (null: the
   * server does not say; offer it, the server decides). */
  show(partnership, role) {
    this.partnership = partnership;
    this.form.hidden = !(role === null || role === "RECORDER" || role === "ADMIN");
    this.file.value = "";
    this.reset();
  }

  reset() {
    this.checked = null;
    this.record.hidden = true;
    this.progress.hidden = true;
    replaceChildren(this.result);
  }

  async downloadWorkbook() {
    const { asOf, knownAt } = this.moment();
    const params = new URLSearchParams();
    if (asOf) params.set("asOf", asOf);
    if (knownAt) params.set("knownAt", knownAt);
    const url = endpoint(`partnerships/${this.partnership.id}/export.xlsx?${params}`);
    const response = await fetch(url, { headers: authorised() });
    if (!response.ok) {
      this.say("error", `The workbook could not be made (HTTP ${response.status}).`);
      return;
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "");
    download(name ? name[1] : "partnership.xlsx", await response.blob(), response.headers.get("content-type"));
  }

  /** The board pack (GET /partnerships/{id}/report.pdf), as of the page's days, as the
   * workbook is; `since` is left to the server (90 days before as-of). */
  async downloadBoardPack() {
    const { asOf, knownAt } = this.moment();
    const params = new URLSearchParams();
    if (asOf) params.set("asOf", asOf);
    if (knownAt) params.set("knownAt", knownAt);
    const url = endpoint(`partnerships/${this.partnership.id}/report.pdf?${params}`);
    this.say("info", "Making the board pack…");
    const response = await fetch(url, { headers: authorised() });
    if (!response.ok) {
      this.say("error", `The board pack could not be made (HTTP ${response.status}).`);
      return;
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "");
    download(name ? name[1] : "board-pack.pdf", await response.blob(), response.headers.get("content-type"));
    this.say("info", "The board pack is downloaded.");
  }

  async check() {
    const file = this.file.files[0];
    if (!file) {
      this.say("error", "Choose a workbook (.xlsx) to check.");
      this.file.focus();
      return;
    }
    this.reset();
    if (file.size > this.maxBytes) {
      const limit = `${Math.round(this.maxBytes / 1048576)} MiB`;
      this.say("error", `${file.name}: this file is over ${limit}: split the workbook and import each part.`);
      return;
    }
    this.say("info", `Checking ${file.name}…`);
    const answer = await this.upload(file, true);
    if (!answer) return;
    if (answer.status === 200) {
      this.checked = file;
      const total = answer.body.entries;
      replaceChildren(
        this.result,
        el("p", { className: "import-ok", tabindex: "-1" }, `${file.name}: ${entries(total)} to record, nothing recorded yet.`),
        el(
          "ul",
          { className: "import-sheets" },
          answer.body.sheets.map((sheet) =>
            el("li", {}, `${sheet.sheet}: ${entries(sheet.entries)}, ${sheet.from}${sheet.to !== sheet.from ? ` to ${sheet.to}` : ""}`),
          ),
        ),
      );
      this.record.hidden = total === 0;
      this.result.firstChild.focus();
      this.announce(`${entries(total)} to record`);
    } else {
      this.showRefusal(answer);
    }
  }

  async recordAll() {
    const file = this.checked;
    if (!file) return;
    this.record.hidden = true;
    this.say("info", `Recording ${file.name}…`);
    const answer = await this.upload(file, false);
    if (!answer) return;
    if (answer.status === 200) {
      this.checked = null;
      this.file.value = "";
      this.say("ok", `Recorded ${entries(answer.body.recorded)} from ${file.name}.`);
      this.announce(`Recorded ${entries(answer.body.recorded)}`);
      this.onRecorded(answer.body);
    } else {
      this.showRefusal(answer);
    }
  }

  async upload(file, dryRun) {
    const url = endpoint(`partnerships/${this.partnership.id}/import${dryRun ? "?dryRun=true" : ""}`);
    this.progress.value = 0;
    this.progress.setAttribute("aria-label", "Sending the workbook");
    delete this.progress.dataset.state;
    this.progress.hidden = false;
    try {
      return await send(
        url,
        file,
        (fraction) => {
          this.progress.value = Math.round(fraction * 100);
        },
        () => {
          // All sent; the server is judging (and recording): no fraction to show.
          this.progress.removeAttribute("value");
          this.progress.dataset.state = "recording";
          const doing = dryRun ? "Checking…" : "Recording…";
          this.progress.setAttribute("aria-label", doing);
          this.say("info", `${doing} ${file.name} is sent; the server is ${dryRun ? "checking" : "recording"} it.`);
        },
      );
    } catch (error) {
      this.say("error", `${error.message}: nothing may have been recorded; check the timeline before sending again.`);
      return null;
    } finally {
      this.progress.hidden = true;
    }
  }

  showRefusal(answer) {
    const refusals = answer.body?.refusals ?? [];
    if (!refusals.length) {
      const message = answer.body?.errors?.[0]?.message ?? `HTTP ${answer.status}`;
      this.say("error", `Not recorded: ${message}`);
      return;
    }
    replaceChildren(
      this.result,
      el(
        "p",
        { className: "import-refused", tabindex: "-1" },
        `Nothing was recorded: ${refusals.length === 1 ? "1 refusal" : `${refusals.length} refusals`}` +
          (answer.body.more ? " shown; there may be more" : "") +
          ". Correct these cells and check the workbook again.",
      ),
      el(
        "table",
        { className: "import-refusals" },
        el("caption", {}, "Refusals, by cell"),
        el("thead", {}, el("tr", {}, ["Cell", "Field", "Code", "Message"].map((h) => el("th", { scope: "col" }, h)))),
        el(
          "tbody",
          {},
          refusals.map((r) => el("tr", {}, el("td", {}, r.where), el("td", {}, r.field), el("td", {}, r.code), el("td", {}, r.message))),
        ),
      ),
    );
    this.result.firstChild.focus();
    this.announce(`${refusals.length} refusals: nothing was recorded`);
  }

  say(kind, text) {
    replaceChildren(this.result, el("p", { className: `import-${kind}`, tabindex: "-1" }, text));
    if (kind !== "info") this.result.firstChild.focus();
  }
}
