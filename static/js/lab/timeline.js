// The timeline: a slider over the virtual time the run has reached, with a mark for each
// control applied. Letting go seeks: back, the server replays the run from its seed and log;
// forward (after going back), it runs on from where it is.
import { Slider } from "./slider.js";

function clock(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
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
    update(tl) {
      slider.step = Math.max(1, Math.round(tl.horizon / 100));
      slider.setRange(0, tl.horizon);
      slider.set(tl.now);
      now.textContent = `${clock(tl.now)} / ${clock(tl.horizon)}`;
      const key = JSON.stringify(tl.marks);
      if (key === shownMarks) return;
      shownMarks = key;
      marks.replaceChildren(...tl.marks.map(([t, kind, a, b]) => {
        const li = document.createElement("li");
        li.style.setProperty("--at", `${tl.horizon ? (t / tl.horizon) * 100 : 0}%`);
        li.textContent = kind === "config" ? `${clock(t)}: ${a}=${b}` : `${clock(t)}: ${a.replace("_", " ")}${b === null ? "" : ` ${b}`}`;
        return li;
      }));
    },
  };
}
