// The narration: important events in words, in a polite live region. Messages are
// gathered and spoken at most once a second, so a screen reader is not flooded; the
// last few stay on screen for everyone.
export class Narrator {
  constructor(el, { keep = 4, everyMs = 1000 } = {}) {
    this.el = el;
    this.keep = keep;
    this.everyMs = everyMs;
    this.pending = [];
    this.timer = null;
  }

  /** `routine`: a count or a retry that recurs; when a second holds more than fits, routine lines
   *  are the ones summarised, so a broker, ISR or leader change is always said. */
  say(text, { routine = false } = {}) {
    if (!this.el || !text) return;
    this.pending.push({ text, routine });
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.everyMs);
  }

  flush() {
    this.timer = null;
    // The same sentence many times in one second (a flush, a burst of refusals) is said once, with a count.
    const counts = new Map();
    for (const { text, routine } of this.pending.splice(0)) {
      const seen = counts.get(text) ?? { n: 0, routine };
      seen.n += 1;
      counts.set(text, seen);
    }
    const lines = [...counts].map(([text, { n, routine }]) => ({ text: n > 1 ? `${text} (${n} times)` : text, routine }));
    if (!lines.length) return;
    const important = lines.filter((l) => !l.routine).map((l) => l.text);
    const routine = lines.filter((l) => l.routine).map((l) => l.text);
    const room = Math.max(0, this.keep - important.length);
    // Past the room, one place goes to the "(and N more)" that stands for the rest.
    const told = routine.length > room ? Math.max(0, room - 1) : routine.length;
    const shown = [...important, ...routine.slice(0, told)];
    if (told < routine.length) shown.push(`(and ${routine.length - told} more)`);
    const item = document.createElement("li");
    item.textContent = shown.join(" ");
    this.el.prepend(item);
    while (this.el.children.length > this.keep) this.el.lastElementChild.remove();
  }

  /** The run jumped (seek, restart): what was said belongs to another moment of it. */
  clear() {
    clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.el?.replaceChildren();
  }
}
