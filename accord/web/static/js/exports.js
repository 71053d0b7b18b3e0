// Downloads: the timeline as vis-timeline JSON (the API's groups and items as returned),
// and the health series as CSV (one row per sample, one column per figure).

const KINDS = ["FUNDING", "STAFF", "IN_KIND"];
const QUESTIONS = ["TRUE_PARTNERSHIP", "COMMON_GOALS", "TRUST", "WHO_DOES_THE_WORK"];

/** Offer `text` as a file download. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `Riverside Integrated Care` -> `riverside-integrated-care`. */
export function slug(name) {
  return (
    String(name)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "partnership"
  );
}

/** vis-timeline JSON: `{groups, items}` as the API's `timeline` returned them. */
export function timelineJson(timeline) {
  return `${JSON.stringify({ groups: timeline.groups, items: timeline.items }, null, 2)}\n`;
}

/** Every partner that appears in the series, by id: `[{id, name}]`. */
export function seriesPartners(series) {
  const partners = new Map();
  for (const sample of series) {
    for (const share of sample.power.shares) partners.set(share.partner.id, share.partner.name);
  }
  return [...partners].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, name]) => ({ id, name }));
}

function kindValue(list, kind) {
  return list.find((entry) => entry.kind === kind)?.value ?? null;
}

/** The CSV columns: a header and how to read each from a `Health` sample. */
export function seriesColumns(series) {
  const columns = [
    ["asOf", (h) => h.asOf],
    ["trust.index", (h) => h.trust.index],
    ["trust.perceived", (h) => h.trust.perceived],
    ["trust.respondents", (h) => h.trust.respondents],
    ["trust.reliabilityMean", (h) => h.trust.reliabilityMean],
    ["trust.reliabilityMin", (h) => h.trust.reliabilityMin],
    ["power.decisionCount", (h) => h.power.decisionCount],
    ["power.equality", (h) => h.power.equality],
    ["power.equity", (h) => h.power.equity],
  ];
  for (const partner of seriesPartners(series)) {
    columns.push([
      `power.decisionShare.${partner.id}`,
      (h) => h.power.shares.find((share) => share.partner.id === partner.id)?.decisionShare ?? null,
    ]);
  }
  for (const kind of KINDS) {
    columns.push([`capacity.fulfilment.${kind}`, (h) => kindValue(h.capacity.fulfilment, kind)]);
  }
  columns.push(
    ["capacity.vacantRoles", (h) => h.capacity.vacantRoles],
    ["capacity.longestVacancyDays", (h) => h.capacity.longestVacancyDays],
    ["goals.activeGoals", (h) => h.goals.activeGoals],
    ["goals.coverage", (h) => h.goals.coverage],
    ["goals.agreement", (h) => h.goals.agreement],
    ["goals.stalenessDays", (h) => h.goals.stalenessDays],
    ["check.classification", (h) => h.check.classification],
  );
  for (const question of QUESTIONS) {
    columns.push([
      `check.${question}`,
      (h) => h.check.answers.find((answer) => answer.question === question)?.status ?? null,
    ]);
  }
  return columns;
}

function csvField(value) {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV of a health series: nulls are empty fields, numbers unrounded. */
export function seriesCsv(series) {
  const columns = seriesColumns(series);
  const lines = [columns.map(([name]) => csvField(name)).join(",")];
  for (const sample of series) {
    lines.push(columns.map(([, read]) => csvField(read(sample))).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
