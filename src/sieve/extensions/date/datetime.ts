// RFC 2822 §3.3 and §4.3 date-time values as the date test reads them from header fields, and
// the date parts of RFC 5260 §4.2.

/** An instant and the zone it was written in. */
export interface DateTime {
  /** Milliseconds since the epoch (UTC). */
  readonly time: number;
  /** The zone offset written in the value, in minutes east of UTC. */
  readonly zone: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** RFC 2822 §4.3 obs-zone: the named zones of RFC 822, in minutes east of UTC. */
const NAMED_ZONES: Readonly<Record<string, number>> = {
  ut: 0,
  gmt: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

/** Splits a value into atoms and specials, dropping white space and (nested) comments. */
function tokenize(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(') {
      let depth = 0;
      for (; i < s.length; i++) {
        const d = s[i]!;
        if (d === '\\') i++;
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      if (depth !== 0) return null;
      i++;
    } else if (/[A-Za-z0-9+-]/.test(c)) {
      const start = i;
      while (i < s.length && /[A-Za-z0-9+-]/.test(s[i]!)) i++;
      out.push(s.slice(start, i));
    } else {
      out.push(c);
      i++;
    }
  }
  return out;
}

const DIGITS = /^\d+$/;

function daysInMonth(year: number, month: number): number {
  if (month === 1) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]!;
}

/**
 * Parses an RFC 2822 date-time, with the obsolete syntax of §4.3: two- and three-digit years,
 * named zones, missing seconds, comments anywhere. Like Dovecot, a missing zone, a "." between
 * hour and minute and text after the zone are tolerated. Returns null when the value is not a
 * valid date-time (RFC 5260 §4: "the date test returns false" for such a value), including a
 * day the month does not have.
 */
export function parseDateTime(value: string): DateTime | null {
  const t = tokenize(value);
  if (t === null) return null;
  let k = 0;
  const next = (): string | undefined => t[k++];
  let tok = next();
  if (tok !== undefined && /^[A-Za-z]+$/.test(tok)) {
    // [day-of-week ","]
    if (!DAYS.includes(tok.toLowerCase()) || next() !== ',') return null;
    tok = next();
  }
  if (tok === undefined || !DIGITS.test(tok) || tok.length > 2) return null;
  const day = Number(tok);
  const monthTok = next()?.toLowerCase();
  if (monthTok === undefined) return null;
  let month = MONTHS.indexOf(monthTok);
  if (month < 0) month = MONTH_NAMES.indexOf(monthTok);
  if (month < 0) return null;
  tok = next();
  if (tok === undefined || !DIGITS.test(tok) || tok.length < 2) return null;
  let year = Number(tok);
  // RFC 2822 §4.3: 00–49 are 2000–2049, 50–99 are 1950–1999, three digits add 1900.
  if (tok.length === 2) year += year < 50 ? 2000 : 1900;
  else if (tok.length === 3) year += 1900;
  else if (year < 1900) return null; // RFC 2822 §3.3: "1900 or later"
  tok = next();
  if (tok === undefined || !DIGITS.test(tok) || tok.length > 2) return null;
  const hour = Number(tok);
  const sep = next();
  if (sep !== ':' && sep !== '.') return null;
  tok = next();
  if (tok === undefined || !DIGITS.test(tok) || tok.length !== 2) return null;
  const minute = Number(tok);
  let second = 0;
  let zoneTok = next();
  if (zoneTok === ':' || zoneTok === '.') {
    tok = next();
    if (tok === undefined || !DIGITS.test(tok) || tok.length !== 2) return null;
    second = Number(tok);
    zoneTok = next();
  }
  let zone = 0;
  if (zoneTok !== undefined) {
    const z = parseZone(zoneTok);
    if (z !== null) zone = z;
    else if (/^[A-Za-z]+$/.test(zoneTok)) {
      // RFC 2822 §4.3: named zones not known, and the military zones (wrong in RFC 822), are
      // taken as "-0000".
      zone = NAMED_ZONES[zoneTok.toLowerCase()] ?? 0;
    } else return null;
  }
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return null;
  const time = Date.UTC(year, month, day, hour, minute, second) - zone * 60_000;
  return { time, zone };
}

/** A zone offset "+hhmm" / "-hhmm" in minutes, or null (RFC 5260 §4.1, RFC 2822 §3.3). */
export function parseZone(s: string): number | null {
  const m = /^([+-])(\d\d)([0-5]\d)$/.exec(s);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function formatZone(zone: number, colon: boolean): string {
  const a = Math.abs(zone);
  // RFC 5260 §4.2: an offset of zero has a positive sign.
  return `${zone < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

/** RFC 5260 §4.2: each date part of an instant seen in `zone` (minutes east of UTC). */
export const DATE_PARTS: Readonly<Record<string, (d: Date, zone: number) => string>> = {
  year: (d) => pad(d.getUTCFullYear(), 4),
  month: (d) => pad(d.getUTCMonth() + 1),
  day: (d) => pad(d.getUTCDate()),
  date: (d) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
  // The Modified Julian Day: days since 1858-11-17 (MJD 40587 is 1970-01-01).
  julian: (d) => String(Math.floor(d.getTime() / 86_400_000) + 40_587),
  hour: (d) => pad(d.getUTCHours()),
  minute: (d) => pad(d.getUTCMinutes()),
  second: (d) => pad(d.getUTCSeconds()),
  time: (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  // RFC 3339 §5.6 date-time, with "Z" for a zero offset (RFC 5260 §4.2).
  iso8601: (d, zone) =>
    `${DATE_PARTS.date!(d, zone)}T${DATE_PARTS.time!(d, zone)}${zone === 0 ? 'Z' : formatZone(zone, true)}`,
  std11: (d, zone) =>
    `${WEEKDAY_NAMES[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTH_ABBR[d.getUTCMonth()]} ` +
    `${pad(d.getUTCFullYear(), 4)} ${DATE_PARTS.time!(d, zone)} ${formatZone(zone, false)}`,
  zone: (_d, zone) => formatZone(zone, false),
  weekday: (d) => String(d.getUTCDay()),
};

/** The value of a date part (case-insensitive name) of `time` seen in `zone`, or null for an unknown part. */
export function datePart(part: string, time: number, zone: number): string | null {
  const f = DATE_PARTS[part.toLowerCase()];
  if (!f || !Object.hasOwn(DATE_PARTS, part.toLowerCase())) return null;
  return f(new Date(time + zone * 60_000), zone);
}
