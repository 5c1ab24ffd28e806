#!/usr/bin/env bash
# System packages the browser test needs (Debian's Chromium; Playwright comes from PyPI).
# Idempotent; a no-op when chromium is already installed.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
