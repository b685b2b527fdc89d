// The security lab's byte view: the real bytes of the message the eavesdropper captured, selected on the
// picture or from the list, in the style of "The Illustrated TLS Connection": offset, hex and ASCII, each
// byte tagged with the field it belongs to. On PLAINTEXT the record keys and values (and a PLAIN password)
// can be read off the ASCII column; under TLS the top layer is real ciphertext of the same message, and the
// frame inside is what the other end of that session decrypted. The server builds the bytes
// (POST /api/labs/security/bytes, app/live/labs/security_bytes.py); this module asks and draws.
const READABLE = new Set(["key", "value", "auth_bytes", "mechanism", "client_id", "topic", "name"]);
const TYPES = { produce: "produce request", "fetch.response": "fetch answer", sasl_authenticate: "SaslAuthenticate",
  sasl_handshake: "SaslHandshake", tls: "TLS handshake", api_versions: "ApiVersions" };
// The captures the list offers as buttons: records and credentials.
const LISTED = new Set(["produce", "fetch.response", "sasl_authenticate"]);
// A new capture is fetched at most this often when none is pinned (each makes a TLS session on the server).
const AUTO_EVERY_MS = 2500;

export function el(tag, attrs = {}, text) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function who(x) {
  return typeof x === "string" ? x : `broker ${x}`;
}

export function captureText(c) {
  return `${TYPES[c.type] ?? c.type} ${who(c.src)} → ${who(c.dst)}${c.encrypted ? " ◈" : ""}`;
}

function fieldClass(field) {
  if (!field) return "sec-f-none";
  if (READABLE.has(field)) return "sec-f-readable";
  if (field === "encrypted_fragment") return "sec-f-cipher";
  if (/^(content_type|legacy_record_version|length|level|description)$/.test(field)) return "sec-f-record";
  return "sec-f-field";
}

function layerView(layer) {
  const fig = el("figure", { class: "sec-layer", "data-sec-layer": "", "data-readable": String(layer.readable) });
  fig.append(el("figcaption", {}, layer.name));
  const table = el("table", { class: "sec-hex" });
  table.append(el("caption", { class: "sec-sr" }, `${layer.name}: offset, bytes in hex, the same bytes as ASCII`));
  const body = el("tbody");
  for (const row of layer.rows) {
    const tr = el("tr");
    tr.append(el("th", { scope: "row", class: "sec-off" }, row.offset.toString(16).padStart(4, "0")));
    const hex = el("td", { class: "sec-hexcol" });
    const ascii = el("td", { class: "sec-ascii" });
    row.hex.forEach((h, i) => {
      const field = row.fields[i];
      const cls = fieldClass(field);
      if (i) hex.append(" ");
      hex.append(el("span", { class: cls, title: field ?? "" }, h));
      ascii.append(el("span", { class: cls, title: field ?? "" }, row.ascii[i]));
    });
    tr.append(hex, ascii);
    body.append(tr);
  }
  table.append(body);
  fig.append(table);
  return fig;
}

export function createByteView(box, { narrate }) {
  const list = box.querySelector("[data-sec-captures]");
  const title = box.querySelector("[data-sec-bytes-title]");
  const view = box.querySelector("[data-sec-bytes-view]");
  let captures = [];
  let pinned = null; // a capture the learner chose, or null: follow the newest records
  let shown = null;
  let lastAuto = -Infinity;
  let asked = 0;

  list.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-capture]");
    if (!button) return;
    const id = button.dataset.capture === "auto" ? null : Number(button.dataset.capture);
    pinned = id === null ? null : captures.find((c) => c.id === id) ?? null;
    lastAuto = -Infinity;
    refresh(true);
  });

  // The list offers what carries records or credentials (the picture offers every message): the newest few,
  // kept still while a person points at it or tabs through it, so a button does not move away from them.
  let listed = "";
  function buttons() {
    const offered = captures.filter((c) => LISTED.has(c.type)).reverse().slice(0, 5);
    const ids = offered.map((c) => c.id).join();
    const busy = list.matches(":hover, :focus-within");
    if (ids !== listed && !(busy && listed)) {
      listed = ids;
      list.replaceChildren(el("button", { type: "button", "data-capture": "auto" }, "newest records"),
        ...offered.map((c) => el("button", { type: "button", "data-capture": c.id }, captureText(c))));
    }
    for (const b of list.querySelectorAll("button")) {
      b.setAttribute("aria-pressed", String(b.dataset.capture === "auto" ? pinned === null : pinned?.id === Number(b.dataset.capture)));
    }
  }

  function newest() {
    const records = captures.filter((c) => c.type === "produce" || c.type === "fetch.response");
    return (records.length ? records : captures)[records.length ? records.length - 1 : captures.length - 1] ?? null;
  }

  async function show(capture) {
    shown = capture;
    const ticket = ++asked;
    // The bytes on screen stay until the new ones are ready (following the newest, they change every few seconds).
    if (!view.childElementCount) title.textContent = `Building the bytes of the ${captureText(capture)}…`;
    box.dataset.busy = "true";
    let body;
    try {
      const response = await fetch("/api/labs/security/bytes", { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify(capture) });
      body = await response.json();
      if (!response.ok) throw new Error(body.detail ?? response.statusText);
    } catch (err) {
      if (ticket === asked) {
        delete box.dataset.busy;
        title.textContent = `The bytes could not be built: ${err.message}`;
      }
      return;
    }
    if (ticket !== asked) return; // a newer selection is on its way
    delete box.dataset.busy;
    draw(capture, body);
  }

  function draw(capture, body) {
    box.dataset.encrypted = String(Boolean(body.tls));
    box.dataset.captureId = String(capture.id);
    box.dataset.captureType = capture.type;
    title.textContent = `${body.title}${capture.t !== undefined ? `, sent at ${(capture.t / 1000).toFixed(3)} s` : ""}`;
    const parts = [el("p", { class: "sec-note" }, body.note)];
    const [outer, ...inner] = body.layers;
    parts.push(layerView(outer));
    if (body.readable?.length) {
      const ul = el("ul", { class: "sec-readable", "data-sec-readable": "" });
      for (const r of body.readable) ul.append(el("li", {}, `${r.field}: ${r.text}`));
      parts.push(el("p", { class: "sec-read-head" }, "⚠ Anyone on the path reads:"), ul);
    }
    if (inner.length) {
      const details = el("details", { class: "sec-inside", "data-sec-decrypted": "" });
      details.append(el("summary", {}, `◇ Decrypt with the session's keys: ${body.decrypted_matches ? "the other end reads the same frame" : "?"}` +
        (body.keylog_decrypts ? "; the key log decrypts it too" : "")), ...inner.map(layerView));
      parts.push(details);
    }
    if (body.costs) {
      const c = body.costs;
      parts.push(el("p", { class: "sec-costs", "data-sec-costs": "" }, `The cost, measured now: ${c.plaintext_bytes} → ${c.wire_bytes} bytes on the wire ` +
        `(+${c.wire_bytes - c.plaintext_bytes}), ${c.cpu_us} µs of CPU to encrypt and decrypt it; the handshake took ` +
        `${c.handshake_cpu_ms} ms of CPU and ${c.handshake_bytes} bytes, once per connection.`));
    }
    view.replaceChildren(...parts);
  }

  function refresh(force = false) {
    buttons();
    const target = pinned ?? newest();
    if (!target) return;
    if (target === shown || (shown && target.id === shown.id)) return;
    const now = performance.now();
    if (!force && pinned === null && now - lastAuto < AUTO_EVERY_MS) return;
    lastAuto = now;
    show(target);
  }

  return {
    /** The frame's captures (app/live/labs/security_watch.py), oldest first. */
    update(next) {
      const before = captures.map((c) => c.id).join();
      captures = next;
      if (captures.map((c) => c.id).join() !== before || !shown) refresh();
    },
    /** Pick the capture with this message id, if the eavesdropper kept it (a token focused on the picture). */
    select(id) {
      const found = captures.find((c) => c.id === id);
      if (!found || found === pinned) return false;
      pinned = found;
      refresh(true);
      return true;
    },
    reset() {
      listed = "";
      captures = [];
      pinned = null;
      shown = null;
      asked += 1;
      view.replaceChildren();
      title.textContent = "Waiting for a message to capture…";
      buttons();
    },
    get pinned() { return pinned; },
  };
}
