#!/usr/bin/env bash
# System packages the tests need from apt: Debian's Chromium (the browser test; Playwright comes
# from PyPI) and a Java runtime (the Spark reader test; pyspark comes from PyPI).
# Idempotent; a no-op when both are installed.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
