// A lab's keys: Space plays or pauses, S (or .) steps one event, [ and ] (or - and +) slow down and
// speed up. They work with the focus anywhere in the lab, and on the lab's slide in projector mode.
// Arrow keys and PageUp/PageDown pressed in a lab stay in it: they never turn the projector's slide.
// Single keys obey the page's shortcut setting (WCAG 2.1.4), and a control keeps the keys it uses.
import { isTyping, shortcutsOn } from "../shortcuts.js";

const CONTROLS = "button, a[href], input, select, textarea, summary, [role='slider']";
const ARROWS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "PageUp", "PageDown"];

export function attachLabKeys(root, { playPause, step, faster, slower }) {
  const onSlide = () => document.documentElement.dataset.mode === "projector" && root.dataset.current !== undefined;
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const inLab = root.contains(event.target);
    const loose = event.target === document.body || event.target?.id === "main";
    if (!inLab && !(loose && onSlide())) return;
    if (!shortcutsOn()) return;
    const action = {
      " ": event.target.closest?.(CONTROLS) ? null : playPause,
      s: step, S: step, ".": step,
      "]": faster, "+": faster, "=": faster,
      "[": slower, "-": slower,
    }[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }, true);
  // Bubbling: after a slider or the picture used an arrow, and before the projector sees it.
  root.addEventListener("keydown", (event) => {
    if (ARROWS.includes(event.key)) event.preventDefault();
  });
}
