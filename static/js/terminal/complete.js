// Tab completion for the lab terminal: tool names, their options, topic names, the terminal's files.
// Pure functions over the words the server sent (hello.terminal) and the frame's topics, so a test can call them.

// The tool a line names, whatever form it is typed in (kafka-topics.sh, bin/kafka-topics.sh, .\bin\windows\kafka-topics.bat).
export function toolOf(word) {
  const base = word.replace(/\\/g, "/").split("/").pop();
  return base.replace(/\.(sh|bat|cmd)$/i, "");
}

// Options after which the next word is a topic name.
const TOPIC_OPTIONS = new Set(["--topic", "--include", "--entity-name"]);
const FILE_OPTIONS = new Set(["--reassignment-json-file", "--topics-to-move-json-file", "--path-to-json-file"]);

// Completions of the word being typed at the end of `line`: { prefix, matches } (matches sorted, unique).
export function complete(line, words, topics = [], files = []) {
  const parts = line.split(/\s+/);
  const current = parts[parts.length - 1];
  const before = parts.slice(0, -1).filter((p) => p !== "");
  let pool;
  if (before.length === 0) {
    pool = [...Object.keys(words.tools), ...words.builtins];
  } else if (current.startsWith("-")) {
    pool = words.tools[toolOf(before[0])] ?? [];
  } else if (TOPIC_OPTIONS.has(before[before.length - 1])) {
    pool = topics;
  } else if (FILE_OPTIONS.has(before[before.length - 1]) || ["cat", "rm"].includes(before[0])) {
    pool = files;
  } else {
    pool = [...topics];
  }
  const matches = [...new Set(pool.filter((w) => w.startsWith(current)))].sort();
  return { prefix: current, matches };
}

// The longest prefix every match shares: what Tab fills in when the matches are several.
export function commonPrefix(matches) {
  if (!matches.length) return "";
  let prefix = matches[0];
  for (const m of matches) while (!m.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
