#!/usr/bin/env bash
# A mass-storage recorder docked through real libusb: the harness makes bot_device.py, serving a
# FAT32 card made by mkfs.vfat and mtools (Tests/volumes/make-recorder-image.sh, the card
# Tests/cli/mass-storage.sh docks through the simulator), a USB device with interface 08/06/50
# and the device database's test ids 1209:0002, and the unmodified recorder-gatewayd finds it
# through udev and reads it with libusb. The store is compared with The Sleuth Kit reading the
# same image (fls -r -p paths under data/, icat bytes) and the bag checked with bagit.py. Then a
# STALL on bulk IN in the middle of a data phase and one on bulk OUT (a CBW): the gateway clears
# the halt, finds the transport out of step and does reset recovery (the harness answers the
# Bulk-Only Mass Storage Reset and logs it): recovered or interrupted, never a wrong file.
# Usage: Tests/umockdev/mass-storage.sh BIN_DIR
set -uo pipefail
bin="$1"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
failures=0
. "$root/Tests/cli/support/checks.sh"
compare() { python3 "$root/Tests/cli/support/sleuthkit_compare.py" "$@"; }

image="$work/card.img"
"$root/Tests/volumes/make-recorder-image.sh" "$image" || { echo "FAIL cannot make the test image"; exit 1; }
cat > "$work/s.json" <<EOF
{"schema": 1, "recorders": [{"identity": {"serial": "M000001"}, "port": "1-1.2",
  "storage": {"image": "card.img", "inquiry": {"vendor": "TESTCAM", "product": "Body Recorder", "revision": "1.00"}}}]}
EOF

# gateway HARNESS-ARGS...: the production gateway, unmodified, under the harness, on a fresh store.
gateway() {
    rm -rf "$work/store" "$work/state"
    printf 'store = %s/store\nstate = %s/state\n' "$work" "$work" > "$work/gw.conf"
    timeout 300 python3 "$here/harness.py" --sim "$here/bot_device.py" --scenario "$work/s.json" --timeout 280 "$@" \
        -- "$bin/recorder-gatewayd" --config "$work/gw.conf" --idle-exit 2 --json --control-socket none \
        > "$work/out.json" 2> "$work/log"
    echo $? > "$work/rc"
}
expect() { # expect PYTHON: true of r (the one recorder), d (the summary) and rc
    python3 - "$work" "$1" <<'PY'
import json, sys
w = sys.argv[1]
rc = int(open(w + "/rc").read())
try:
    d = json.load(open(w + "/out.json"))
except ValueError:
    d = {"recorders": []}
r = d["recorders"][0] if d["recorders"] else {}
ok = eval(sys.argv[2])
if not ok:
    print("     | rc %d, %s" % (rc, json.dumps(r, ensure_ascii=False)))
    print("".join("     | " + l for l in open(w + "/log").readlines()[-20:]))
sys.exit(0 if ok else 1)
PY
}
logged() { grep -q "$1" "$work/log" || { echo "     | not in the log: $1"; return 1; }; }
bags_validate() {
    local bag ok=0
    for bag in "$work"/store/bags/*/; do
        python3 -m bagit --validate "$bag" > /dev/null 2>&1 || { echo "     | bagit rejects $bag"; ok=1; }
    done
    [ -n "$(ls "$work/store/bags" 2> /dev/null)" ] && return $ok
}

gateway --dock M000001
check "umockdev: the gateway found the mass-storage recorder through udev (1209:0002, the test model)" \
    logged "bay 1-1.2: recorder-gateway test mass-storage recorder (simulator and umockdev) docked"
check "umockdev: the dock over libusb (class 08/06/50) completes, serial M000001 (iSerialNumber), all 13 files verified, exit 0" \
    expect "rc == 0 and r['bay'] == '1-1.2' and r['serial'] == 'M000001' and r['result'] == 'completed' and r['files'] == 13 and r['verified'] == 13"
check "umockdev: the bag validates (bagit.py)" bags_validate
check "umockdev: custody paths are fls -r -p's (stored under data/ by the evidence format's rules), every file's bytes icat's" compare "$image" "$work/store"
check "umockdev: the harness saw no ioctl it does not know" sh -c "! grep -q 'UNKNOWN IOCTL' '$work/log'"

# STALL on bulk IN at the 40th IN transfer carrying data (inside a READ's data phase: the card's
# metadata and files take hundreds), and on bulk OUT at the 30th OUT transfer (a CBW).
for stall in "--stall-in M000001:40" "--stall-out M000001:30"; do
    gateway --dock M000001 $stall
    check "umockdev $stall: recovered (completed, all verified) or interrupted" \
        expect "(rc == 0 and r['result'] == 'completed' and r['verified'] == 13) or (rc == 1 and r.get('result') == 'interrupted')"
    check "umockdev $stall: the halt was cleared (CLEAR_HALT)" logged "USBDEVFS_CLEAR_HALT 0x.*: the endpoint runs again"
    # Out of step after the halt (the rest of the data where the CSW should be; a CBW lost), the
    # gateway recovers as BOT §5.3.4 orders: the class reset, then CLEAR_HALT on both pipes.
    check "umockdev $stall: reset recovery (Bulk-Only Mass Storage Reset, then both halts cleared)" \
        python3 - "$work/log" <<'PY'
import sys
log = open(sys.argv[1], errors="replace").read().splitlines()
resets = [i for i, l in enumerate(log) if "Bulk-Only Mass Storage Reset" in l]
after = " ".join(log[resets[0]:]) if resets else ""
sys.exit(0 if resets and "USBDEVFS_CLEAR_HALT 0x81" in after and "USBDEVFS_CLEAR_HALT 0x01" in after else 1)
PY
    check "umockdev $stall: nothing stored differs from icat" compare "$image" "$work/store" --partial
done

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
