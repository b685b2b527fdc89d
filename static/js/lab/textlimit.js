// A text field's limit in bytes of UTF-8 (the server's number, written into the page by its template as
// data-max-bytes), counted beside it as the learner types or pastes: nothing is cut short silently
// (a maxlength would cut at characters, not bytes, and say nothing), and too much is refused by name.
const encoder = new TextEncoder();

export function attachByteLimit(input, counter) {
  const max = Number(input.dataset.maxBytes);
  const bytes = () => encoder.encode(input.value).length;
  const show = () => {
    const n = bytes();
    counter.textContent = `${n} of at most ${max} bytes`;
    counter.dataset.over = String(n > max);
  };
  input.addEventListener("input", show);
  show();
  return {
    max,
    show,
    /** Why the text is refused (naming the limit and its size), or null. */
    problem(name) {
      const n = bytes();
      return n > max ? `${name} may be at most ${max} bytes in UTF-8; got ${n}` : null;
    },
  };
}
