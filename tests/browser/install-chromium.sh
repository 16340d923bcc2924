#!/bin/sh
# Install Debian's chromium for the browser test (tests/browser), with no recommended packages.
# Run as root on Debian or Ubuntu; the test calls it when no chromium is found. No browser is downloaded
# by Playwright: the test drives this package's binary (/usr/bin/chromium).
set -eu
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends chromium; then
    # A fresh container has no package lists (or stale ones): update once, then try again.
    apt-get update
    apt-get install -y --no-install-recommends chromium
fi
command -v chromium
