// Dates and times as the page shows and takes them.
//
// The API's instants are UTC, and stay so. The page shows every instant in the
// deployment's time zone (`ACCORD_TIMEZONE`, served in /forms.json as `timeZone`; set
// with `setTimeZone` once the page has it, UTC until then or when the server does not
// say), each time with the zone's short name ("30 Jun 2024, 10:30:00 BST").
//
// The page's days (the as-of slider and date, "as known at", the decisions' "from" and
// "to", and `?asOf=` / `?knownAt=` in the address) are calendar days in that zone too: a
// day `YYYY-MM-DD` means the whole of that day there. So the page never sends a bare
// date (which the API reads as a UTC day): `dayEnd(day)` is the day's last microsecond
// there, what "as of" and "as known at" a day mean, and `dayStart(day)` its first, with
// the zone's offset then (`2024-06-30T23:59:59.999999+01:00`). An event shown as
// happening on 30 June is counted as of 30 June, whatever the zone.

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

let zone = "UTC";
const cache = new Map();

/** One Intl formatter per zone and options (building one is slow; using one is not). */
function formatter(timeZone, locale, options) {
  const key = `${timeZone}|${locale}|${JSON.stringify(options)}`;
  let made = cache.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    cache.set(key, made);
  }
  return made;
}

const LONG = { day: "numeric", month: "long", year: "numeric" };
const SHORT = { day: "numeric", month: "short", year: "numeric" };
const TIME = { ...SHORT, hour: "2-digit", minute: "2-digit", second: "2-digit" };
const MINUTES = { ...SHORT, hour: "2-digit", minute: "2-digit" };
const PARTS = { year: "numeric", month: "2-digit", day: "2-digit", hourCycle: "h23" };

/** Show times in `timeZone` (an IANA name) from now on; an unknown name keeps the last. */
export function setTimeZone(timeZone) {
  if (!timeZone) return;
  try {
    formatter(timeZone, "en-GB", LONG);
    zone = timeZone;
  } catch {
    console.warn(`unknown time zone ${timeZone}: times stay in ${zone}`);
  }
}

/** The zone the page shows times in. */
export function timeZone() {
  return zone;
}

/** The zone's short name at an instant: BST, CET, EDT where there is one, else GMT+9. */
function zoneName(ms, timeZone) {
  const name = (locale) =>
    formatter(timeZone, locale, { timeZoneName: "short" })
      .formatToParts(new Date(ms))
      .find((piece) => piece.type === "timeZoneName")?.value ?? "";
  const british = name("en-GB");
  if (!/^GMT[+-]/.test(british)) return british;
  const american = name("en-US");
  return /^GMT[+-]/.test(american) || !american ? british : american;
}

/** The zone's offset from UTC, in minutes, at the instant `ms`. */
function offsetMinutes(ms, timeZone) {
  const part = formatter(timeZone, "en-GB", { timeZoneName: "longOffset" })
    .formatToParts(new Date(ms))
    .find((piece) => piece.type === "timeZoneName");
  const match = /GMT([+-])(\d{1,2}):?(\d{2})?/.exec(part?.value ?? "");
  if (!match) return 0;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

const pad = (number) => String(number).padStart(2, "0");

function offsetText(minutes) {
  const size = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${pad(Math.floor(size / 60))}:${pad(size % 60)}`;
}

/** A wall-clock time `YYYY-MM-DDTHH:MM:SS[.ffffff]` in `timeZone` -> ISO 8601 with its offset then. */
function wallInstant(wall, timeZone) {
  const asUtc = Date.parse(`${wall.slice(0, 19)}Z`);
  let offset = offsetMinutes(asUtc, timeZone);
  offset = offsetMinutes(asUtc - offset * 60_000, timeZone);
  return `${wall}${offsetText(offset)}`;
}

/** An instant's wall-clock time in the zone, as if it were UTC (ms): for charts' axes. */
export function wallClock(value) {
  const ms = new Date(value).getTime();
  return ms + offsetMinutes(ms, zone) * 60_000;
}

/** The zone's offset from UTC at an instant, in minutes (for vis-timeline's moment). */
export function zoneOffset(value) {
  return offsetMinutes(new Date(value).getTime(), zone);
}

// ---- days ----

/** The day of an instant in the zone, as `YYYY-MM-DD` (a day stays itself). */
export function isoDay(value) {
  if (typeof value === "string" && DAY.test(value)) return value;
  const parts = Object.fromEntries(
    formatter(zone, "en-GB", PARTS)
      .formatToParts(new Date(value))
      .map((piece) => [piece.type, piece.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Today in the zone, `YYYY-MM-DD`. */
export function today() {
  return isoDay(Date.now());
}

/** Whole days from day `from` to day `to` (both `YYYY-MM-DD`): calendar arithmetic. */
export function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

/** The day `days` after day `from`. */
export function addDays(from, days) {
  return new Date(Date.parse(from) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whether `text` is a real `YYYY-MM-DD` day. */
export function isDay(text) {
  const ms = Date.parse(text);
  return DAY.test(text) && !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/** The first instant of a day in the zone, with its offset (null for no day). */
export function dayStart(day) {
  return day ? wallInstant(`${day}T00:00:00`, zone) : null;
}

/** The last microsecond of a day in the zone, with its offset (null for no day): what
 * "as of" or "as known at" a day means. */
export function dayEnd(day) {
  return day ? wallInstant(`${day}T23:59:59.999999`, zone) : null;
}

/** A day as a calendar date, or an instant's day in the zone, in a format. */
function dayText(value, options) {
  if (typeof value === "string" && DAY.test(value)) {
    return formatter("UTC", "en-GB", options).format(new Date(`${value}T00:00:00Z`));
  }
  return formatter(zone, "en-GB", options).format(new Date(value));
}

/** `2024-06-30` (or an instant that day in the zone) -> `30 June 2024`. */
export function longDay(value) {
  return dayText(value, LONG);
}

/** `2024-06-30` (or an instant that day in the zone) -> `30 Jun 2024`. */
export function shortDay(value) {
  return dayText(value, SHORT);
}

/** An instant -> `30 Jun 2024, 10:30:00 BST`, in the zone. */
export function dateTime(value) {
  const date = new Date(value);
  return `${formatter(zone, "en-GB", TIME).format(date)} ${zoneName(date.getTime(), zone)}`;
}

// ---- wall-clock time in a zone (the recording forms' date-time controls) ----

/** An instant -> `YYYY-MM-DDTHH:MM`, the wall-clock time in `timeZone` (for datetime-local). */
export function zonedLocal(value, timeZone) {
  const ms = new Date(value).getTime();
  return new Date(ms + offsetMinutes(ms, timeZone) * 60_000).toISOString().slice(0, 16);
}

/** `YYYY-MM-DDTHH:MM` in `timeZone` -> ISO 8601 with that zone's offset then. */
export function zonedInstant(local, timeZone) {
  return wallInstant(`${local.slice(0, 16)}:00`, timeZone);
}

/** An instant -> `30 Jun 2024, 10:30 BST` in `timeZone`, with the zone's short name. */
export function zonedDateTime(value, timeZone) {
  const date = new Date(value);
  return `${formatter(timeZone, "en-GB", MINUTES).format(date)} ${zoneName(date.getTime(), timeZone)}`;
}
