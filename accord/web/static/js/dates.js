// Dates: the API's instants are UTC, and a bare date (YYYY-MM-DD) given as `asOf`,
// `knownAt` or `to` means the end of that day. The page works in whole UTC days.

const DAY_MS = 86_400_000;

const DATE = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const DATE_SHORT = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
});
const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** The UTC day of an instant or date string, as `YYYY-MM-DD`. */
export function isoDay(value) {
  return new Date(value).toISOString().slice(0, 10);
}

/** Today's UTC day, `YYYY-MM-DD`. */
export function today() {
  return isoDay(Date.now());
}

/** Whole days from day `from` to day `to` (both `YYYY-MM-DD`). */
export function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

/** The day `days` after day `from`. */
export function addDays(from, days) {
  return isoDay(Date.parse(from) + days * DAY_MS);
}

/** Whether `text` is a real `YYYY-MM-DD` day. */
export function isDay(text) {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && isoDay(Date.parse(text)) === text;
}

/** `2024-06-30` -> `30 June 2024`. */
export function longDay(value) {
  return DATE.format(new Date(value));
}

/** An instant -> `30 Jun 2024`. */
export function shortDay(value) {
  return DATE_SHORT.format(new Date(value));
}

/** An instant -> `30 Jun 2024, 09:30:00 UTC`. */
export function dateTime(value) {
  return `${DATE_TIME.format(new Date(value))} UTC`;
}

// ---- wall-clock time in the deployment's zone (the recording forms) ----

const pad = (number) => String(number).padStart(2, "0");

/** The zone's offset from UTC, in minutes, at the instant `ms`. */
function offsetMinutes(ms, timeZone) {
  const part = new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(new Date(ms))
    .find((piece) => piece.type === "timeZoneName");
  const match = /GMT([+-])(\d{1,2}):?(\d{2})?/.exec(part?.value ?? "");
  if (!match) return 0;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

/** An instant -> `YYYY-MM-DDTHH:MM`, the wall-clock time in `timeZone` (for datetime-local). */
export function zonedLocal(value, timeZone) {
  const ms = new Date(value).getTime();
  return new Date(ms + offsetMinutes(ms, timeZone) * 60_000).toISOString().slice(0, 16);
}

/** `YYYY-MM-DDTHH:MM` in `timeZone` -> ISO 8601 with that zone's offset then. */
export function zonedInstant(local, timeZone) {
  const wall = `${local.slice(0, 16)}:00`;
  const asUtc = Date.parse(`${wall}Z`);
  let offset = offsetMinutes(asUtc, timeZone);
  offset = offsetMinutes(asUtc - offset * 60_000, timeZone);
  const size = Math.abs(offset);
  return `${wall}${offset < 0 ? "-" : "+"}${pad(Math.floor(size / 60))}:${pad(size % 60)}`;
}

/** An instant -> `30 Jun 2024, 10:30` in `timeZone`, with the zone's name. */
export function zonedDateTime(value, timeZone) {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(value));
}
