#!/bin/sh
# Prints the path of a Chromium the browser tests can launch:
#   1. the one Playwright installed for itself, if any;
#   2. a `chromium` on the PATH;
#   3. as root with neither, Debian's `chromium` package, installed now.
# Prints nothing when none can be had; the browser tests then fail and say so.
set -u
PY=${PY:-python3}
own=$("$PY" - <<'PYEOF' 2>/dev/null
from playwright.sync_api import sync_playwright
with sync_playwright() as p:
    print(p.chromium.executable_path)
PYEOF
)
if [ -n "$own" ] && [ -x "$own" ]; then echo "$own"; exit 0; fi
for name in chromium chromium-browser; do
  found=$(command -v "$name" 2>/dev/null) && { echo "$found"; exit 0; }
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "find-chromium: installing Debian's chromium package" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  command -v chromium 2>/dev/null
fi
exit 0
