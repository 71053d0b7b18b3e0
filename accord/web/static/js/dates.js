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
