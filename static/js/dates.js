// One date format everywhere, as the server's pages write it ("Thu 26 Nov 2026, 05:01"),
// in the patient's time zone, not the device's: an entry waiting on the device reads the
// same as it will once synced.
const ZONE_KEY = 'journal-timezone';
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');

/** The patient's zone: the page names it; the offline page (nobody's) uses the last one. */
export function patientZone() {
  const line = document.querySelector('meta[name="journal-timezone"]');
  try {
    if (line?.content) localStorage.setItem(ZONE_KEY, line.content);
    return line?.content || localStorage.getItem(ZONE_KEY) || undefined;
  } catch (error) {
    return line?.content || undefined;
  }
}

/** A wall-clock time ("2026-11-26T05:01") as [year, month, day, hour, minute], or null. */
function wallClock(text) {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?$/.exec(text || '');
  return match ? match.slice(1).map(Number) : null;
}

/** An instant's wall-clock time in ``zone``. */
function inZone(date, zone) {
  let format;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  } catch (error) {
    format = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, Number(p.value)]));
  return [parts.year, parts.month, parts.day, parts.hour % 24, parts.minute];
}

/** "Thu 26 Nov 2026, 05:01" for an entry (its written_at_local, else written_at), or
 * ``fallback`` when it has no usable time. */
export function formatWhen(entry, fallback = 'Just now') {
  let parts = wallClock(entry.written_at_local) || wallClock(entry.written_at);
  if (!parts && entry.written_at) {
    const date = new Date(entry.written_at);
    if (!Number.isNaN(date.getTime())) parts = inZone(date, patientZone());
  }
  if (!parts) return fallback;
  const [year, month, day, hour, minute] = parts;
  const weekday = DAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
  return `${weekday} ${pad(day)} ${MONTHS[month - 1]} ${year}, ${pad(hour)}:${pad(minute)}`;
}
