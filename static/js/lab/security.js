// The security lab's renderer: the three threats (each shown or blocked, and by which layer), the clients'
// cards (their configs and who the brokers take them for), the denied calls with Kafka's error and the
// authorizer's log line, the brokers' security settings, the connections as a table, the layers drawn on the
// cluster picture (security-overlay.js) and the bytes of the selected message (security-bytes.js).
// Everything is drawn from frame.lab (app/live/labs/security_watch.py); events only narrate.
import { createByteView, el } from "./security-bytes.js";
import { createOverlay } from "./security-overlay.js";

const STATUS = { shown: "✕ shown", blocked: "✓ blocked", waiting: "… waiting" };
const SWITCHES = ["encryption", "authentication", "authorisation"];

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const threatsBox = q("[data-sec-threats]");
  const cardsBox = q("[data-sec-cards]");
  const denialsBox = q("[data-sec-denials]");
  const serverBox = q("[data-sec-server]");
  const reauthBox = q("[data-sec-reauth]");
  const table = q("[data-lab-table] tbody");
  const bytes = createByteView(q("[data-sec-bytes]"), ctx);
  const overlay = ctx.picture ? createOverlay(q("[data-flow-stage]")) : null;
  const told = new Set();
  const drawn = new Map(); // section -> the data it was last drawn from: a section is rebuilt only when that changes

  function changed(section, data) {
    const key = JSON.stringify(data);
    if (drawn.get(section) === key) return false;
    drawn.set(section, key);
    return true;
  }

  // A message picked on the picture (a click, or the arrow keys on the stage) is followed by the byte view, if
  // the eavesdropper kept it. The picture's own listeners run first (they were added first) and set its focus.
  const stage = q("[data-flow-stage]");
  const follow = () => {
    const picked = ctx.picture?.focused ?? null;
    if (picked !== null) bytes.select(picked);
  };
  stage?.addEventListener("click", follow);
  stage?.addEventListener("keydown", (e) => { if (e.key.startsWith("Arrow")) follow(); });

  const deleteButton = q("[data-sec-delete]");
  deleteButton.addEventListener("click", () => ctx.send("fault", { action: "delete_topics", target: "fleet-0" }));

  function threats(list) {
    if (!changed("threats", list)) return;
    threatsBox.replaceChildren(...list.map((t) => {
      const li = el("li", { class: "sec-threat", "data-sec-threat": t.id, "data-status": t.status });
      li.append(el("span", { class: "sec-status" }, STATUS[t.status]), el("strong", {}, ` ${t.title}`),
        el("span", { class: "sec-layer-name" }, ` (${t.layer})`), el("p", {}, t.text));
      if (t.id === "deletion") li.append(deleteButton); // the threat's own trigger, kept across redraws
      return li;
    }));
  }

  function cards(list) {
    if (!changed("cards", list)) return;
    cardsBox.replaceChildren(...list.map((c) => {
      const card = el("article", { class: "sec-card", "data-sec-card": c.name, "data-state": c.state, "data-principal": c.principal ?? "" });
      card.append(el("h4", {}, `${c.name}: ${c.role}`));
      card.append(el("pre", { class: "sec-props" }, c.configs.length ? c.configs.join("\n") : "# no security configs: PLAINTEXT, no credentials"));
      card.append(el("p", { class: "sec-card-state" }, c.text));
      const extra = [`${c.records} records ${c.name === "admin" ? "written" : "read"}`];
      if (c.reauths) extra.push(`${c.reauths} re-authentications`);
      card.append(el("p", { class: "sec-card-extra" }, extra.join(" · ")));
      if (c.failure?.client_log && c.state !== "connected") card.append(el("p", { class: "sec-log" }, c.failure.client_log));
      return card;
    }));
  }

  function denials(view) {
    if (!changed("denials", [view.denials, view.admin])) return;
    const rows = [...view.denials].reverse().map((d) => {
      const li = el("li", { class: "sec-denial", "data-sec-denial": d.api, "data-principal": d.principal });
      li.append(el("p", {}, `${d.principal}: ${d.api} needs ${d.operation} on ${d.resource_type.toLowerCase()} ${d.resource}: ${d.error}`),
        el("p", { class: "sec-log" }, `INFO ${d.log}`));
      return li;
    });
    for (const r of [...view.admin].reverse()) {
      const li = el("li", { class: "sec-denial", "data-sec-admin": r.client });
      li.append(el("p", {}, `${r.client}: Admin.deleteTopics(${r.topics.join(", ")}): ` +
        (r.exception ? `${r.exception}: ${r.message}` : "deleted")));
      rows.unshift(li);
    }
    denialsBox.replaceChildren(...(rows.length ? rows : [el("li", { class: "sec-none" }, "None yet.")]));
  }

  function tableRows(view) {
    if (!changed("table", view.links)) return;
    table.replaceChildren(...view.links.map((l) => {
      const tr = el("tr");
      for (const v of [l.client, `broker ${l.broker}`, l.protocol ?? "", l.tls ?? "none", l.principal ?? "", l.state, l.reauths ?? 0]) {
        tr.append(el("td", {}, String(v)));
      }
      return tr;
    }));
  }

  function switchesNote(settings) {
    // "all together" decides the three others while it is on: say so beside them.
    for (const name of SWITCHES) {
      const row = root.querySelector(`[data-lab-setting="${name}"]`);
      if (!row) continue;
      let note = row.querySelector(".sec-overridden");
      const on = settings["all together"] === "on";
      if (on && !note) row.append((note = el("span", { class: "sec-overridden" }, "set by \u201call together\u201d")));
      if (!on && note) note.remove();
      row.dataset.overridden = String(on);
    }
  }

  return {
    events(list) {
      for (const e of list) {
        if (e.kind === "channel.failed" && !e.retriable && !told.has(`f${e.client}`)) {
          told.add(`f${e.client}`);
          told.add(`s${e.client}`); // its consumer stops with the same exception: said once
          ctx.narrate(`${e.client} failed to authenticate (${e.exception}).`);
        } else if (e.kind === "consumer.failed" && !told.has(`s${e.client}`)) {
          told.add(`s${e.client}`);
          ctx.narrate(`${e.client} stopped: ${e.message}.`);
        } else if (e.kind === "admin.result") {
          ctx.narrate(e.exception ? `${e.client}'s deleteTopics failed: ${e.exception}: ${e.message}` : `${e.client} deleted ${e.topics.join(", ")}.`);
        } else if (e.kind === "channel.reauthenticated" && !told.has("reauth")) {
          told.add("reauth");
          ctx.narrate(`${e.client} re-authenticated on its open connection to broker ${e.broker} in ${e.took_ms} ms ` +
            `(SaslHandshake and SaslAuthenticate, no new TCP or TLS): its session lasts ${e.session_lifetime_ms / 1000} s ` +
            "(connections.max.reauth.ms).");
        } else if (e.kind === "channel.ready" && !told.has("ready")) {
          told.add("ready"); // the first connection says what a set-up costs; the badges say the rest
          ctx.narrate(`${e.client} connected to broker ${e.broker} as ${e.principal} (${e.security_protocol}${e.tls_version ? `, ${e.tls_version}` : ""}) ` +
            `after ${e.setup_ms} ms of set-up.`);
        }
      }
    },
    render(frame) {
      const view = frame.lab;
      if (!view) return;
      threats(view.threats);
      cards(view.cards);
      denials(view);
      tableRows(view);
      setText(serverBox, [...view.server_properties, ...(view.acls.length ? ["", "# ACLs (kafka-acls --list)", ...view.acls] : [])].join("\n"));
      setText(reauthBox, view.layers.reauth_ms && view.layers.protocol.startsWith("SASL_")
        ? `connections.max.reauth.ms=${view.layers.reauth_ms}: ${view.reauths} re-authentications so far, each on its open connection (KIP-368).` : "");
      switchesNote(frame.settings);
      root.dataset.protocol = view.layers.protocol;
      overlay?.draw(ctx.picture.layout, view);
      bytes.update(view.captures);
    },
    reset() {
      told.clear();
      drawn.clear();
      bytes.reset();
    },
  };
}
