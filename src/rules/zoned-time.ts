/** Wall-clock time helpers for silence windows: Intl does the time-zone and DST arithmetic, no dependency. */

const formatters = new Map<string, Intl.DateTimeFormat>();
const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Building a formatter is slow; there are few time zones, so each is built once.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True for an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local weekday and minute of day. */
export interface WallClock {
  weekday: number;
  minuteOfDay: number;
}

/** Last answer per time zone: zone offsets are whole minutes, so one UTC minute is one local minute. */
const lastAnswer = new Map<string, { utcMinute: number; clock: WallClock }>();

/** The local weekday (0 = Sunday) and minute of the day (0..1439) of an instant in a time zone. */
export function wallClock(instant: number, timeZone: string): WallClock {
  const utcMinute = Math.floor(instant / 60_000);
  const cached = lastAnswer.get(timeZone);
  if (cached?.utcMinute === utcMinute) return cached.clock;
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const part = (type: string): string => parts.find((item) => item.type === type)?.value ?? '';
  const clock = {
    weekday: weekdays[part('weekday')] ?? 0,
    minuteOfDay: Number(part('hour')) * 60 + Number(part('minute')),
  };
  lastAnswer.set(timeZone, { utcMinute, clock });
  return clock;
}

/** Minutes since midnight of `HH:MM` (`24:00` = 1440, the end of the day); undefined when malformed. */
export function parseClockTime(text: string): number | undefined {
  if (text === '24:00') return 1440;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

const isoWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Milliseconds of an instant given as Unix seconds or milliseconds (told apart by magnitude, as `event_time`) or as
 * ISO 8601 with `Z` or an offset (without one it would depend on the server's zone); undefined when neither.
 */
export function parseInstant(value: string | number): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? (value < 1e12 ? value * 1000 : value) : undefined;
  if (/^\d+$/.test(value)) return parseInstant(Number(value));
  if (!isoWithOffset.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
