// The glossary's filter box: hides the settings whose text lacks any of the typed words.
export function initGlossaryFilter() {
  const input = document.querySelector("[data-config-filter]");
  if (!input) return;
  const entries = [...document.querySelectorAll("[data-config-entry]")];
  const status = document.querySelector("[data-config-filter-status]");
  input.addEventListener("input", () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const entry of entries) {
      const keep = words.every((w) => entry.dataset.filterText.includes(w));
      entry.hidden = !keep;
      if (keep) shown += 1;
    }
    status.textContent = words.length ? `${shown} of ${entries.length} settings` : `${entries.length} settings`;
  });
}
