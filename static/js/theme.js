// The light/dark toggle: overrides prefers-color-scheme and remembers the choice.
const KEY = "brokerlab.theme";
const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

function current() {
  return document.documentElement.dataset.theme || (systemDark.matches ? "dark" : "light");
}

function show(button) {
  const dark = current() === "dark";
  button.setAttribute("aria-pressed", String(dark));
  button.textContent = "Dark theme";
}

export function initTheme() {
  const button = document.querySelector("[data-theme-toggle]");
  if (!button) return;
  show(button);
  button.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem(KEY, next); } catch (e) { /* not remembered, still applied */ }
    show(button);
  });
  systemDark.addEventListener("change", () => show(button));
}
