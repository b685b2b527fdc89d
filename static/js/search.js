// The header search: fetches /api/search-index once, then lists matches as you type.
// A query matches an entry when each of its words occurs in the entry's text
// (the same rule as app/course/search.py, which serves /search without JavaScript).
// Keys: ArrowDown from the box enters the list, ArrowUp/ArrowDown move, Escape returns.
const LIMIT = 8;
let indexPromise = null;

function loadIndex() {
  indexPromise ??= fetch("/api/search-index").then((r) => {
    if (!r.ok) throw new Error(`search index: HTTP ${r.status}`);
    return r.json();
  });
  return indexPromise;
}

export function match(index, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const hits = index.filter((e) => words.every((w) => e.text.includes(w)));
  const rank = (e) => (words.every((w) => e.title.toLowerCase().includes(w)) ? 0 : 2) + (e.kind === "lesson" ? 0 : 1);
  return hits.sort((a, b) => rank(a) - rank(b));
}

function render(list, status, hits, query) {
  list.replaceChildren();
  for (const hit of hits.slice(0, LIMIT)) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = hit.url;
    a.dataset.searchHit = hit.kind;
    a.textContent = hit.title;
    const label = document.createElement("span");
    label.className = "muted";
    label.textContent = ` ${hit.label}`;
    a.append(label);
    li.append(a);
    list.append(li);
  }
  if (hits.length > LIMIT) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `/search?q=${encodeURIComponent(query)}`;
    a.textContent = `All ${hits.length} results`;
    li.append(a);
    list.append(li);
  }
  list.hidden = !query.trim();
  if (!hits.length && query.trim()) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = "No lesson or config matches.";
    list.append(li);
  }
  status.textContent = query.trim() ? `${hits.length} result${hits.length === 1 ? "" : "s"}` : "";
}

export function initSearch() {
  const form = document.querySelector("[data-search]");
  if (!form) return;
  const input = form.querySelector("[data-search-input]");
  const list = form.querySelector("[data-search-results]");
  const status = form.querySelector("[data-search-status]");
  const links = () => [...list.querySelectorAll("a")];

  const update = async () => {
    const query = input.value;
    try {
      const index = await loadIndex();
      if (input.value === query) render(list, status, match(index, query), query);
    } catch (err) {
      status.textContent = "Search is unavailable; press Enter to search on the server.";
    }
  };
  input.addEventListener("focus", () => loadIndex().catch(() => {}), { once: true });
  input.addEventListener("input", update);
  // Words typed before this module ran (a slow page, a quick typist) are searched now.
  if (input.value.trim()) update();
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      list.hidden = false;
      links()[0].focus();
    } else if (event.key === "Escape") {
      list.hidden = true;
    }
  });
  list.addEventListener("keydown", (event) => {
    const all = links();
    const i = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && i < all.length - 1) {
      event.preventDefault();
      all[i + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (i > 0 ? all[i - 1] : input).focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      list.hidden = true;
      input.focus();
    }
  });
  form.addEventListener("focusout", (event) => {
    if (!form.contains(event.relatedTarget)) list.hidden = true;
  });
  input.addEventListener("focus", () => { if (input.value.trim() && list.children.length) list.hidden = false; });
}
