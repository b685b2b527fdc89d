// Entry point: each page feature is its own module and starts only where its markup is.
import { initTheme } from "./theme.js";
import { initSearch } from "./search.js";
import { initGlossaryFilter } from "./glossary.js";
import { initShortcutSetting } from "./shortcuts.js";
import { initProjector } from "./projector.js";

initTheme();
initSearch();
initGlossaryFilter();
initShortcutSetting();
initProjector();
