// The timeline: a slider over the virtual time the run has reached, with a mark for each
// control applied. Letting go seeks: back, the server replays the run from its seed and log;
// forward (after going back), it runs on from where it is. The same action repeated one after
// another (Flush, Flush, Flush) is one mark with its count, so the list stays readable.
import { Slider } from "./slider.js";

function clock(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function actionText([, kind, a, b]) {
  return kind === "config" ? `${a}=${b}` : `${a.replace("_", " ")}${b === null ? "" : ` ${b}`}`;
}

/** Runs of the same action: [{from, to, text, count}]. */
export function groupMarks(marks) {
  const groups = [];
  for (const mark of marks) {
    const text = actionText(mark);
    const last = groups.at(-1);
    if (last && last.text === text && mark[1] === "fault") {
      last.to = mark[0];
      last.count += 1;
    } else groups.push({ from: mark[0], to: mark[0], text, count: 1 });
  }
  return groups;
}

export function createTimeline(el, onSeek) {
  const slider = new Slider(el.querySelector("[data-slider]"), {
    min: 0, max: 0, step: 10, value: 0, format: (v) => `${clock(v)} of virtual time`, onCommit: (t) => onSeek(t),
  });
  const marks = el.querySelector("[data-lab-marks]");
  const now = el.querySelector("[data-lab-clock]");
  let shownMarks = "";
  return {
    slider,
    /** `seeking`: a seek asked for and not yet in a frame, so the slider stays where the learner put it. */
    update(tl, { seeking = false } = {}) {
      slider.step = Math.max(1, Math.round(tl.horizon / 100));
      slider.setRange(0, tl.horizon);
      if (!seeking) slider.set(tl.now);
      now.textContent = `${clock(tl.now)} / ${clock(tl.horizon)}`;
      const key = JSON.stringify(tl.marks);
      if (key === shownMarks) return;
      shownMarks = key;
      marks.replaceChildren(...groupMarks(tl.marks).map((g) => {
        const li = document.createElement("li");
        li.style.setProperty("--at", `${tl.horizon ? (g.from / tl.horizon) * 100 : 0}%`);
        li.textContent = g.count > 1 ? `${clock(g.from)} to ${clock(g.to)}: ${g.text} ×${g.count}` : `${clock(g.from)}: ${g.text}`;
        li.dataset.count = String(g.count);
        return li;
      }));
    },
  };
}
