// Whether single-key shortcuts are on (WCAG 2.1.4: a person must be able to turn them off).
// Remembered in localStorage; ignored while typing in a form field.
const KEY = "brokerlab.shortcuts";

export function shortcutsOn() {
  try { return localStorage.getItem(KEY) !== "off"; } catch (e) { return true; }
}

const NOT_TYPING = new Set(["checkbox", "radio", "button", "submit", "reset"]);

export function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target.tagName === "INPUT" && !NOT_TYPING.has(target.type);
}

export function initShortcutSetting() {
  for (const box of document.querySelectorAll("[data-shortcuts-setting]")) {
    box.checked = shortcutsOn();
    box.addEventListener("change", () => {
      try { localStorage.setItem(KEY, box.checked ? "on" : "off"); } catch (e) { /* session only */ }
    });
  }
}
