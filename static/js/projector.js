// Projector mode for a lesson: one `##` section a slide, large type, no chrome.
//   p or the "Projector mode" button  enter / leave      ?projector=1  opens in it
//   ArrowRight, PageDown / ArrowLeft, PageUp             next / previous slide
//   b  blank the screen (again to show it)               Escape  leave
// p and b are single-key shortcuts and obey the shortcuts setting (shortcuts.js).
import { isTyping, shortcutsOn } from "./shortcuts.js";

const root = document.documentElement;

export function initProjector() {
  const slides = [...document.querySelectorAll("[data-slide]")];
  const bar = document.querySelector("[data-projector-bar]");
  if (!slides.length || !bar) return;
  const indicator = bar.querySelector("[data-slide-indicator]");
  const blank = document.querySelector("[data-blank-screen]");
  const more = bar.querySelector("[data-slide-more]");
  let current = 0;

  const active = () => root.dataset.mode === "projector";

  function show(i) {
    current = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach((s, j) => { s.hidden = j !== current; });
    slides.forEach((s, j) => { if (j === current) s.dataset.current = ""; else delete s.dataset.current; });
    indicator.textContent = `Slide ${current + 1} / ${slides.length}`;
    bar.querySelector("[data-slide-prev]").disabled = current === 0;
    bar.querySelector("[data-slide-next]").disabled = current === slides.length - 1;
    window.scrollTo(0, 0);
    // At 28px a long section can be taller than the screen: say so, rather than hide it.
    more.hidden = document.documentElement.scrollHeight <= window.innerHeight + 2;
  }

  function setBlank(on) {
    blank.hidden = !on;
    if (on) root.dataset.blank = ""; else delete root.dataset.blank;
  }

  function setUrl(on) {
    const url = new URL(window.location.href);
    if (on) url.searchParams.set("projector", "1"); else url.searchParams.delete("projector");
    history.replaceState(history.state, "", url);
  }

  function enter() {
    root.dataset.mode = "projector";
    bar.hidden = false;
    show(current);
    setUrl(true);
    document.getElementById("main")?.focus({ preventScroll: true });
  }

  function leave() {
    delete root.dataset.mode;
    setBlank(false);
    bar.hidden = true;
    slides.forEach((s) => { s.hidden = false; delete s.dataset.current; });
    setUrl(false);
    document.querySelector("[data-projector-toggle]")?.focus();
  }

  document.querySelector("[data-projector-toggle]")?.addEventListener("click", () => (active() ? leave() : enter()));
  bar.querySelector("[data-projector-exit]").addEventListener("click", leave);
  bar.querySelector("[data-slide-prev]").addEventListener("click", () => show(current - 1));
  bar.querySelector("[data-slide-next]").addEventListener("click", () => show(current + 1));
  blank.addEventListener("click", () => setBlank(false));

  document.addEventListener("keydown", (event) => {
    // A control that used the key (a lab's slider or timeline moves on arrows and PageUp/PageDown)
    // keeps it: the slide stays put.
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const single = shortcutsOn();
    if ((event.key === "p" || event.key === "P") && single) {
      event.preventDefault();
      active() ? leave() : enter();
      return;
    }
    if (!active()) return;
    if (event.key === "Escape") {
      event.preventDefault();
      leave();
    } else if ((event.key === "b" || event.key === "B") && single) {
      event.preventDefault();
      setBlank(blank.hidden);
    } else if (event.key === "ArrowRight" || event.key === "PageDown") {
      event.preventDefault();
      show(current + 1);
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      event.preventDefault();
      show(current - 1);
    }
  });

  window.addEventListener("resize", () => { if (active()) more.hidden = document.documentElement.scrollHeight <= window.innerHeight + 2; });
  window.addEventListener("scroll", () => {
    if (active() && window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2) more.hidden = true;
  }, { passive: true });

  if (new URLSearchParams(window.location.search).get("projector") === "1") enter();
}
