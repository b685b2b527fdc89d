// The consumer faults of a lab page (the basics and consumers labs): a select of the group's members and
// buttons that kill, close or restart the chosen one, and one that adds a member. The server names a member
// `<group.id>-<n>` and refuses a fault that would change nothing (docs/protocol.md, `fault` with `target`);
// the buttons are disabled where it would, so a person sees why before trying.
import { el } from "./retries.js";

// What each member state says, with a symbol as well as a word (never colour alone).
export const MEMBER_STATE = {
  consuming: "● consuming", idle: "○ idle: no partition left for it", joining: "↻ in a rebalance",
  killed: "✕ killed", closed: "■ closed", failed: "✕ failed",
};
const RUNNING = new Set(["consuming", "idle", "joining"]);

// What a fault does, said when it is sent.
const SAID = {
  kill_consumer: (m) => `${m}'s process is killed: no commit, no LeaveGroup. The coordinator notices only after session.timeout.ms.`,
  close_consumer: (m) => `${m} is closed: it commits, then leaves the group at once (a static member does not send LeaveGroup).`,
  restart_consumer: (m) => `${m} starts again under the same name.`,
  add_consumer: (g) => `A new consumer joins the group ${g}.`,
};

export function running(state) {
  return RUNNING.has(state);
}

/** ``box``: the [data-member-faults] group; ``group``: the group id that add_consumer names. */
export function attachMemberFaults(box, ctx, group) {
  const select = box.querySelector("[data-member-target]");
  let states = new Map();
  let names = "";

  function refresh() {
    const state = states.get(select.value);
    for (const button of box.querySelectorAll("button[data-fault]")) {
      const action = button.dataset.fault;
      if (action === "add_consumer") continue;
      button.disabled = !state || (action === "restart_consumer" ? running(state) : !running(state));
      button.setAttribute("aria-label", `${button.textContent.trim()}: ${select.value || "no consumer"}`);
    }
  }

  box.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-fault]");
    if (!button || button.disabled) return;
    const action = button.dataset.fault;
    const target = action === "add_consumer" ? group : select.value;
    if (!target) return;
    ctx.send("fault", { action, target });
    ctx.narrate(SAID[action](target));
  });
  select.addEventListener("change", refresh);

  return {
    /** The members now: [{ name, state }]. */
    update(members) {
      states = new Map(members.map((m) => [m.name, m.state]));
      const joined = members.map((m) => m.name).join(" ");
      if (joined !== names) {
        names = joined;
        const chosen = select.value;
        select.replaceChildren(...members.map((m) => el("option", { value: m.name }, m.name)));
        if (states.has(chosen)) select.value = chosen;
      }
      for (const option of select.options) option.textContent = `${option.value} (${MEMBER_STATE[states.get(option.value)] ?? ""})`;
      refresh();
    },
  };
}
