#!/usr/bin/env bash
# Browser tests drive Debian's chromium through playwright-core; install it when it is missing.
set -uo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || {
    echo "could not install chromium" >&2
    exit 1
  }
  exit 0
fi
echo "chromium is not installed and cannot be installed here (need root and apt-get)" >&2
exit 1
