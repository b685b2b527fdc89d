// Figures over the last 2 s of virtual time exist once a first half second has finished: at the
// batching lab's starting speed (1/50 of real time) that takes 25 s of wall time. Until then a
// figure says what the run has done so far, from Kafka's whole-run metrics and the run's totals,
// and says that it is that; it never says "measuring…".
export function soFarNote(now) {
  return `so far (${(now / 1000).toFixed(2)} s)`;
}

/** The windowed text once the window has data, else the text for the run so far (null: nothing has happened yet). */
export function windowOrSoFar(window, windowed, soFar) {
  if (window.measured) return windowed;
  return soFar ?? "nothing answered yet";
}

/** Records (or bytes) per second over the run so far. */
export function perSecond(count, now) {
  return now > 0 ? (count * 1000) / now : 0;
}
