#!/usr/bin/env bash
# The systemd unit passes systemd-analyze verify and keeps its hardening; the udev rules are
# the ones generated from the device database.
# Usage: units.sh BIN_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)"
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
. Tests/cli/support/checks.sh
sed "s|/usr/local/bin/recorder-gatewayd|$bin/recorder-gatewayd|" udev/recorder-gatewayd.service > "$work/recorder-gatewayd.service"
check "systemd-analyze verify accepts the unit" systemd-analyze verify "$work/recorder-gatewayd.service"
score=$(systemd-analyze security --offline=yes "$work/recorder-gatewayd.service" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "     systemd-analyze security exposure: $score"
check "the unit's exposure stays at or below 2.0" python3 -c "import sys; sys.exit(0 if float('${score:-10}') <= 2.0 else 1)"
check "the unit is Type=notify with a watchdog" bash -c "grep -q '^Type=notify' udev/recorder-gatewayd.service && grep -q '^WatchdogSec=' udev/recorder-gatewayd.service"
check "the udev rules match the device database" python3 Tools/udev-rules --check
check "the rules start the service" grep -q 'SYSTEMD_WANTS}+="recorder-gatewayd.service"' udev/70-recorder-gateway.rules
[ "$failures" -eq 0 ] || { echo "$failures unit check(s) failed"; exit 1; }
