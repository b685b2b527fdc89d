// "Copy link": says what it shares ("this run at 12.4 s, speed 0.5×, 3 actions"), copies the link with
// navigator.clipboard, and where that is missing or refused, with a selected text field and the
// browser's copy command; if even that fails, the link stays selected for Ctrl+C. Every outcome is
// said in a live region.

export function speedLabel(v) {
  return v >= 1 ? "1× (real time)" : `${v}×`;
}

/** What a link to this run opens: its moment, speed and actions. */
export function describeRun({ t, speed, paused, actions }) {
  const at = `${paused ? "paused " : ""}at ${(t / 1000).toFixed(1)} s`;
  return `this run ${at}, speed ${speedLabel(speed)}, ${actions === 0 ? "no actions" : actions === 1 ? "1 action" : `${actions} actions`}`;
}

async function copyText(text, field) {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return "copied";
    }
  } catch { /* refused (no permission, not a secure context): the fallback below */ }
  field.hidden = false;
  field.value = text;
  field.focus();
  field.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch { /* an old or strict browser: the field stays selected */ }
  return copied ? "copied" : "selected";
}

/** root: the lab; current(): {url, t, speed, paused, actions} or null before the first frame. */
export function attachShare(root, current) {
  const q = (sel) => root.querySelector(sel);
  const button = q("[data-lab-copy]");
  const what = q("[data-lab-share-what]");
  const said = q("[data-lab-share-said]");
  const field = q("[data-lab-share-field]");
  button.addEventListener("click", async () => {
    const run = current();
    if (!run) {
      said.textContent = "Nothing to share yet: the lab has not started.";
      return;
    }
    const description = describeRun(run);
    const outcome = await copyText(run.url, field);
    said.textContent = outcome === "copied" ? `Link copied: ${description}.`
      : `This browser did not let the page copy, so the link is selected in the box: press Ctrl+C (⌘C) to copy ${description}.`;
    root.dataset.labShared = run.url;
  });
  return {
    update(run) {
      const text = describeRun(run);
      if (what.textContent !== text) what.textContent = text;
    },
  };
}
