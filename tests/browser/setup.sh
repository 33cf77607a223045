#!/usr/bin/env bash
# What the browser tests need besides Python packages, installed when missing:
#  - Debian's chromium (Playwright's own browser download is not used);
#  - a CJK font, so Chinese labels in pictures and pages are not tofu boxes;
#  - the npm packages Solara's page loads from a CDN (cached for offline use).
# Never fails: if something cannot be installed the browser tests say so (and fail in CI).
# Usage: tests/browser/setup.sh PYTHON
set -u
PY="${1:-python3}"
pkgs=()
command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  pkgs+=(fonts-wqy-microhei)
fi
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
if [ ${#pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${pkgs[*]} for the browser tests (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${pkgs[@]}"; } >/tmp/commgov-apt.log 2>&1 \
      || echo "warning: apt-get install ${pkgs[*]} failed (see /tmp/commgov-apt.log)"
  else
    echo "warning: missing ${pkgs[*]} and cannot apt-get install (not root or no apt-get)"
  fi
fi
"$PY" -m commgov.viz.assets || echo "warning: the page's browser files are incomplete"
exit 0
