#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (playwright-core drives it; Playwright's own
# browser download cannot work on these machines). Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "install-chromium: $(chromium --version 2>/dev/null || echo present)"
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "install-chromium: $(chromium --version)"
