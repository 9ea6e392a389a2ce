#!/usr/bin/env bash
# Make sure a Chromium is there for tests/test_browser.py (the report in a real browser).
# Debian's package at /usr/bin/chromium; installed with apt-get when missing (CI runs as root).
set -uo pipefail
if [ -x /usr/bin/chromium ] || [ -n "${WAVELENS_CHROMIUM:-}" ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
        echo "ensure_chromium: /usr/bin/chromium is missing and this user cannot install it (not root, no sudo);" \
             "the browser test will be skipped. Install it with: apt-get install -y chromium" >&2
        exit 0
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: no apt-get on this system; install Chromium and set WAVELENS_CHROMIUM=/path/to/chromium" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "ensure_chromium: installing Debian's chromium for the browser test ..." >&2
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq && $SUDO apt-get install -y --no-install-recommends chromium; } \
    || echo "ensure_chromium: apt-get could not install chromium; the browser test will be skipped" >&2
exit 0
