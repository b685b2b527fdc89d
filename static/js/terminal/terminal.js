// The lab terminal: a command line on the lab's socket. Each line is a `command` control and each Ctrl+C /
// Ctrl+D a `signal` (docs/protocol.md), logged by the server like a slider move, so seek and links replay
// them. What the tools print comes back in frames (`frame.terminal.output`) and is appended here as text.
// Keyboard only: Enter, Up/Down (history), Tab (completion), Ctrl+C, Ctrl+D, Ctrl+L; the output is a log
// region a screen reader follows.
import { complete, commonPrefix } from "./complete.js";

// Lines of output kept on screen (a console consumer left running fills it fast).
const MAX_LINES = 4000;
const HISTORY_KEY = "brokerlab.terminal.history";
const HISTORY_MAX = 200;

function loadHistory() {
  try { return JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]"); } catch { return []; }
}

function saveHistory(history) {
  try { sessionStorage.setItem(HISTORY_KEY, JSON.stringify(history.slice(-HISTORY_MAX))); } catch { /* this page only */ }
}

export function attachTerminal(root, { send }) {
  const box = root.querySelector("[data-terminal]");
  if (!box) return null;
  const q = (sel) => box.querySelector(sel);
  const panel = q(".term-panel");
  const toggle = q("[data-terminal-toggle]");
  const output = q("[data-terminal-output]");
  const input = q("[data-terminal-input]");
  const prompt = q("[data-terminal-prompt]");
  const hint = q("[data-terminal-hint]");
  let words = { tools: {}, builtins: [] };
  let topics = [];
  let files = [];
  let job = null;
  const history = loadHistory();
  let cursor = history.length;
  let draft = "";

  function open(show) {
    panel.hidden = !show;
    toggle.setAttribute("aria-expanded", String(show));
    box.toggleAttribute("data-terminal-open", show);
    if (show) input.focus();
  }
  toggle.addEventListener("click", () => open(panel.hidden));

  function append(stream, text) {
    if (!text) return;
    const last = output.lastElementChild;
    if (last && last.dataset.stream === stream) last.append(text);
    else {
      const span = document.createElement("span");
      span.dataset.stream = stream;
      span.textContent = text;
      output.append(span);
    }
    trim();
    output.scrollTop = output.scrollHeight;
  }

  function trim() {
    let lines = (output.textContent.match(/\n/g) || []).length;
    while (lines > MAX_LINES && output.firstElementChild) {
      lines -= (output.firstElementChild.textContent.match(/\n/g) || []).length;
      output.firstElementChild.remove();
    }
  }

  function note(text) {
    append("note", text.split("\n").map((l) => `[brokerlab] ${l}\n`).join(""));
  }

  function showPrompt(text) {
    prompt.textContent = text;
    box.dataset.job = job ?? "";
  }

  function run(line) {
    send("command", { line });
    if (line.trim() && !job) {
      if (history[history.length - 1] !== line) history.push(line);
      saveHistory(history);
    }
    cursor = history.length;
    draft = "";
  }

  q("[data-terminal-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    const line = input.value;
    input.value = "";
    hint.textContent = "";
    run(line);
  });

  function signal(name) {
    send("signal", { name });
  }

  input.addEventListener("keydown", (event) => {
    if (event.ctrlKey && !event.altKey && !event.metaKey) {
      const key = event.key.toLowerCase();
      // Ctrl+C copies a selection, as in any page; without one it interrupts, as in a terminal.
      if (key === "c" && input.selectionStart === input.selectionEnd) {
        event.preventDefault();
        input.value = "";
        signal("interrupt");
      } else if (key === "d" && input.value === "") {
        event.preventDefault();
        signal("eof");
      } else if (key === "l") {
        event.preventDefault();
        output.replaceChildren();
      }
      return;
    }
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      if (!history.length) return;
      event.preventDefault();
      if (cursor === history.length) draft = input.value;
      cursor = Math.max(0, Math.min(history.length, cursor + (event.key === "ArrowUp" ? -1 : 1)));
      input.value = cursor === history.length ? draft : history[cursor];
      input.setSelectionRange(input.value.length, input.value.length);
    } else if (event.key === "Tab" && !event.shiftKey && input.value.trim() !== "" && !job) {
      // Tab completes; on an empty line it moves focus on, as everywhere else on the page.
      event.preventDefault();
      const { prefix, matches } = complete(input.value, words, topics, files);
      if (matches.length === 1) {
        input.value = input.value.slice(0, input.value.length - prefix.length) + matches[0] + " ";
        hint.textContent = "";
      } else if (matches.length > 1) {
        const common = commonPrefix(matches);
        input.value = input.value.slice(0, input.value.length - prefix.length) + common;
        hint.textContent = `${matches.length} completions: ${matches.slice(0, 12).join("  ")}${matches.length > 12 ? "  …" : ""}`;
      } else {
        hint.textContent = "No completion.";
      }
    }
  });

  q("[data-terminal-interrupt]").addEventListener("click", () => { signal("interrupt"); input.focus(); });
  q("[data-terminal-eof]").addEventListener("click", () => { signal("eof"); input.focus(); });
  q("[data-terminal-clear]").addEventListener("click", () => { output.replaceChildren(); input.focus(); });
  q("[data-terminal-copy]").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(output.textContent);
      hint.textContent = "Output copied.";
    } catch {
      // No clipboard permission: select the text, so Ctrl+C copies it.
      const range = document.createRange();
      range.selectNodeContents(output);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      output.focus();
      hint.textContent = "Output selected: press Ctrl+C to copy it.";
    }
  });

  if (box.hasAttribute("data-terminal-open")) panel.hidden = false;

  return {
    hello(message) {
      if (message.terminal) words = message.terminal;
    },
    frames(frames) {
      for (const frame of frames) {
        if (frame.reset && output.childElementCount) {
          note(`The run jumped to ${(frame.timeline.now / 1000).toFixed(2)} s of virtual time: the cluster is as it was then, `
            + "with the lines typed before that time run again.");
        }
        const t = frame.terminal;
        if (!t) continue;
        for (const [stream, text] of t.output) append(stream, text);
        job = t.job;
        topics = t.topics;
        files = t.files ?? [];
        showPrompt(t.prompt);
      }
      const last = frames[frames.length - 1];
      if (last.playback?.state === "paused" && job && !box.dataset.pausedNoted) {
        box.dataset.pausedNoted = "1";
        note("The lab is paused: the running tool waits for the run's time to move on (Play, or Step).");
      } else if (last.playback?.state !== "paused") delete box.dataset.pausedNoted;
    },
    error(message) {
      if (message.ref === "command" || message.ref === "signal") note(`Not run: ${message.message}`);
    },
    open,
  };
}
