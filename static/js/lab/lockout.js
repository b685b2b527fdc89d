// A lab whose session is closed or refused: every control that needs the session is disabled and
// described by the reason (aria-describedby, and a tooltip), so nothing looks usable that is not.
// Controls that work without a session (the partitioner's key form, the codec comparison, the
// what-if curves, copy link, Retry) are marked data-lab-offline and stay as they are.
const CONTROLS = "button, input, select, textarea, [role='slider']";

function usable(root) {
  return [...root.querySelectorAll(CONTROLS)].filter((el) => !el.closest("[data-lab-offline]"));
}

export function lockControls(root, reasonId, reason) {
  for (const el of usable(root)) {
    if (el.dataset.labLocked === undefined) {
      // What the control was before, to put back: disabled by its renderer (a Kill button for a dead broker) or not.
      el.dataset.labLocked = el.getAttribute("role") === "slider" ? (el.getAttribute("aria-disabled") ?? "") : String(el.disabled);
      el.dataset.labTitle = el.getAttribute("title") ?? "";
      const described = (el.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
      el.setAttribute("aria-describedby", [...described, reasonId].join(" "));
    }
    if (el.getAttribute("role") === "slider") el.setAttribute("aria-disabled", "true");
    else el.disabled = true;
    el.title = reason;
  }
  root.dataset.labClosed = "";
}

export function unlockControls(root, reasonId) {
  for (const el of root.querySelectorAll("[data-lab-locked]")) {
    const was = el.dataset.labLocked;
    if (el.getAttribute("role") === "slider") {
      if (was) el.setAttribute("aria-disabled", was);
      else el.removeAttribute("aria-disabled");
    } else el.disabled = was === "true";
    const described = (el.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && id !== reasonId);
    if (described.length) el.setAttribute("aria-describedby", described.join(" "));
    else el.removeAttribute("aria-describedby");
    if (el.dataset.labTitle) el.title = el.dataset.labTitle;
    else el.removeAttribute("title");
    delete el.dataset.labLocked;
    delete el.dataset.labTitle;
  }
  delete root.dataset.labClosed;
}
