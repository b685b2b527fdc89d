// A classic (blocking) script, so a theme chosen earlier applies before the first paint.
// With no choice stored, no data-theme is set and the CSS follows prefers-color-scheme.
(function () {
  try {
    var theme = localStorage.getItem("brokerlab.theme");
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  } catch (e) { /* storage may be disabled; the system theme then applies */ }
})();
