#!/usr/bin/env bash
# Vendor recorders docked through real libudev and libusb (issue 14, device mode): the harness
# makes vendor_device.py an amba-ascii recorder (4255:0001, bulk 0x01/0x81) and an amba-ctrl one
# (4255:0001, no endpoint but ep 0), and the unmodified recorder-gatewayd tells them apart by
# their interface, unlocks them with the password of its vendor-password-file (mode 0600),
# hears them leave (udev "remove"), and reads each as the disk it comes back as on the same
# devpath (1209:0003, the device database's test vendor disk, served by bot_device.py from a
# FAT32 card made by mkfs.vfat and mtools); the bags pass bagit.py and `recorderctl verify --all`.
# In the same kiosk a USB stick (0781:5567, a plain mass-storage device) and a vendor disk
# plugged in by itself (1209:0003, readAfterUnlockOnly) are refused: said once, shown refused by
# `recorderctl devices`, audited device-refused, never opened (the harness counts no ioctl on
# them), no bag and no session. Then --return-never (never-came-back) and --return-port
# (came-back-elsewhere; the disk on the other port is never opened). The password appears in
# no output, log, store or state file. `recorderctl capture` on both bays records each vendor
# dock through real libusb: every unlock step in order, the disk's wrappers, never the password;
# each capture replays (--replay) into a fresh store with the same payload.
# Waits on events (log lines), never on a fixed time.
# Usage: Tests/umockdev/vendor-dance.sh BIN_DIR
set -uo pipefail
bin="$1"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
harness_pid=""
cleanup() { [ -n "$harness_pid" ] && kill "$harness_pid" 2> /dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
failures=0
. "$root/Tests/cli/support/checks.sh"

image="$work/card.img"
"$root/Tests/volumes/make-recorder-image.sh" "$image" > /dev/null 2>&1 || { echo "FAIL cannot make the test image"; exit 1; }
password="Kq7x9Zp4"     # both families' (amba-ascii takes exactly 8 characters)
printf '%s\n' "$password" > "$work/vendor.pw"; chmod 600 "$work/vendor.pw"

# scenario FILE RECORDERS...: each recorder "ascii", "ctrl", "stick" or "disk" (1209:0003 by itself).
scenario() {
    python3 - "$image" "$password" "$@" <<'PY'
import json, sys
image, password, path = sys.argv[1:4]
kinds = {
    "ascii": {"identity": {"serial": "A1B2C3D"}, "port": "1-1.2", "family": "amba-ascii", "password": password,
              "vendor": {"deviceId": "CAM-0042"}, "storage": {"image": image}},
    "ctrl": {"identity": {"serial": "C7C7C7C"}, "port": "1-1.3", "family": "amba-ctrl", "password": password,
             "storage": {"image": image}},
    "stick": {"identity": {"serial": "STICK01"}, "port": "1-1.5", "usb": {"vendorId": "0781", "productId": "5567"},
              "storage": {"image": image, "inquiry": {"vendor": "SanDisk", "product": "Cruzer Blade", "revision": "1.00"}}},
    "disk": {"identity": {"serial": "LONE003"}, "port": "1-1.6", "usb": {"vendorId": "1209", "productId": "0003"},
             "storage": {"image": image}},
}
json.dump({"schema": 1, "recorders": [kinds[k] for k in sys.argv[4:]]}, open(path, "w"))
PY
}

# start HARNESS-ARGS...: the production gateway, unmodified, under the harness, on a fresh store,
# in the background (harness_pid); its summary in out.json, everything else in log.
# storage-return-wait is $WAIT: generous (60 s) wherever a recorder is to come back, so that a
# busy machine never makes a prompt return look late; short only where it must not return.
start() {
    rm -rf "$work/store" "$work/state" "$work/ctl.sock"
    printf 'store = %s/store\nstate = %s/state\nvendor-password-file = %s/vendor.pw\nstorage-return-wait = %s\n' \
        "$work" "$work" "$work" "${WAIT:-60}" > "$work/gw.conf"
    timeout 300 python3 "$here/harness.py" --sim "$bin/recorder-sim" --storage-sim "$here/bot_device.py" \
        --scenario "$work/s.json" --timeout 280 "$@" \
        -- "$bin/recorder-gatewayd" --config "$work/gw.conf" --idle-exit "${IDLE:-3}" --json --control-socket "$work/ctl.sock" \
        --status-listen none > "$work/out.json" 2> "$work/log" &
    harness_pid=$!
}
# finish: waits for the run; keeps its output, and any store or state file holding the password.
finish() {
    wait "$harness_pid"; echo $? > "$work/rc"; harness_pid=""
    cat "$work/out.json" "$work/log" >> "$work/all-output"
    grep -rlF -- "$password" "$work/store" "$work/state" >> "$work/password-files" 2> /dev/null
}
# expect PYTHON: true of rs (the summaries by serial), d and rc.
expect() {
    python3 - "$work" "$1" <<'PY'
import json, sys
w = sys.argv[1]
rc = int(open(w + "/rc").read())
try:
    d = json.load(open(w + "/out.json"))
except ValueError:
    d = {"recorders": []}
rs = {r["serial"]: r for r in d["recorders"]}
ok = eval(sys.argv[2])
if not ok:
    print("     | rc %d, %s" % (rc, json.dumps(d["recorders"], ensure_ascii=False)[:1500]))
    print("".join("     | " + l for l in open(w + "/log").readlines() if "recorder-gatewayd" in l or "never" in l))
sys.exit(0 if ok else 1)
PY
}
# audit PYTHON: true of es (the store's audit entries, in order).
audit() {
    python3 - "$work/store/audit" "$1" <<'PY'
import glob, json, sys
es = []
for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    es += [json.loads(l) for l in open(f) if l.strip()]
ok = eval(sys.argv[2])
if not ok:
    print("".join("     | %s %s %s\n" % (e.get("event"), e.get("bay"), json.dumps(e.get("detail", {}))[:160]) for e in es[-15:]))
sys.exit(0 if ok else 1)
PY
}
# seen TEXT: waits until the log holds TEXT; false at once when the run ended without it.
seen() {
    while ! grep -qF -- "$1" "$work/log"; do
        kill -0 "$harness_pid" 2> /dev/null || grep -qF -- "$1" "$work/log" || { echo "     | the run ended without: $1"; return 1; }
        sleep 0.05
    done
}
logged_once() { local n; n=$(grep -cF "$1" "$work/log"); [ "$n" -eq 1 ] || { echo "     | $n times in the log: $1"; return 1; }; }
logged() { grep -qF -- "$1" "$work/log" || { echo "     | not in the log: $1"; return 1; }; }
# untouched SERIAL@PORT: the harness's ioctl count for that appearance is empty (never opened).
untouched() { grep -qF "] $1: {}" "$work/log" || { echo "     | $(grep -F "] $1: " "$work/log" || echo "no report for $1")"; return 1; }; }
bags() { ls "$work/store/bags" 2> /dev/null | sort | tr '\n' ' '; }
bags_validate() {
    local bag ok=0
    for bag in "$work"/store/bags/*/; do
        python3 -m bagit --validate "$bag" > /dev/null 2>&1 || { echo "     | bagit rejects $bag"; ok=1; }
    done
    [ -n "$(ls "$work/store/bags" 2> /dev/null)" ] && return $ok
}
no_sessions_of() { # no_sessions_of SERIAL: the journal holds no dock session for it
    python3 - "$work/state/journal.sqlite" "$1" <<'PY'
import sqlite3, sys
n = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute("select count(*) from session where serial = ?", (sys.argv[2],)).fetchone()[0]
sys.exit(0 if n == 0 else 1)
PY
}

echo "# both families docked, a stick and a lone vendor disk refused"
scenario "$work/s.json" ascii ctrl stick disk
start --dock A1B2C3D --dock C7C7C7C --dock STICK01 --dock LONE003
# While the service runs: the refusal is said, and recorderctl devices shows it.
if seen "bay 1-1.5: USB mass storage 0781:5567 is not a recorder; not read" \
    && seen "did not arrive through an unlock on that port; not read"; then
    "$bin/recorderctl" devices --control-socket "$work/ctl.sock" --json > "$work/devices.json" 2> "$work/devices.err"
fi
finish
check "umockdev: both vendor recorders unlocked, switched, back on their port and read: completed, 13 files each, all verified, exit 0" \
    expect "rc == 0 and all(rs[s]['result'] == 'completed' and rs[s]['files'] == 13 == rs[s]['verified'] and rs[s]['dance']['outcome'] == 'returned' for s in ('A1B2C3D', 'C7C7C7C'))"
check "umockdev: the families were told apart by the interface: amba-ascii on bulk 0x01/0x81, amba-ctrl control-only" \
    audit "any(e['event'] == 'vendor-docked' and e['detail']['family'] == 'amba-ascii' and e['bay'] == '1-1.2' and e['detail']['link'].endswith('ep 0x1/0x81') for e in es) and any(e['event'] == 'vendor-docked' and e['detail']['family'] == 'amba-ctrl' and e['bay'] == '1-1.3' and e['detail']['link'].endswith('control only') for e in es)"
check "umockdev: each vendor device's udev remove reached its dance (vendor-departed) before its disk was read" \
    audit "all([e['event'] for e in es if e.get('bay') == b].index('vendor-departed') < [e['event'] for e in es if e.get('bay') == b].index('docked') for b in ('1-1.2', '1-1.3'))"
check "umockdev: the returned disks were the test vendor disk 1209:0003 on the same devpath" \
    logged "A1B2C3D@1-1.2: it comes back as mass storage 1209:0003 at 1-1.2"
check "umockdev: the two bags validate (bagit.py)" bags_validate
verify_all() { "$bin/recorderctl" verify --all --store "$work/store" > /dev/null; }
check "umockdev: recorderctl verify --all accepts the store" verify_all
check "umockdev: the stick is said once: bay 1-1.5: USB mass storage 0781:5567 is not a recorder; not read" \
    logged_once "bay 1-1.5: USB mass storage 0781:5567 is not a recorder; not read"
check "umockdev: the lone 1209:0003 is said once: it did not arrive through an unlock on that port" \
    logged_once "bay 1-1.6: recorder-gateway test vendor recorder's disk (simulator and umockdev, after an unlock only) 1209:0003 did not arrive through an unlock on that port; not read"
check "umockdev: recorderctl devices shows both bays refused" python3 -c "
import json, sys
b = {x['bay']: x for x in json.load(open('$work/devices.json'))['bays']}
ok = b['1-1.5']['state'] == 'refused' and b['1-1.6']['state'] == 'refused' and 'not a recorder' in b['1-1.5']['note']
sys.exit(0 if ok else 1)"
check "umockdev: audited device-refused for both, with their USB ids" \
    audit "sorted((e['bay'], e['detail']['usb']) for e in es if e['event'] == 'device-refused') == [('1-1.5', '0781:5567'), ('1-1.6', '1209:0003')]"
neither_opened() { untouched STICK01@1-1.5 && untouched LONE003@1-1.6; }
check "umockdev: neither was opened (the harness counted no ioctl on them)" neither_opened
no_trace() { [ "$(ls "$work/store/bags" | sed 's/_.*//' | sort | tr '\n' ' ')" = "A1B2C3D C7C7C7C " ] && no_sessions_of STICK01 && no_sessions_of LONE003; }
check "umockdev: no bag and no session of the stick or the lone disk; only the two recorders' bags" no_trace
check "umockdev: no summary row for a refused device" expect "set(rs) == {'A1B2C3D', 'C7C7C7C'}"

echo "# --return-never: the recorder never comes back"
scenario "$work/s.json" ascii
WAIT=3 start --dock A1B2C3D --return-never A1B2C3D
finish
check "umockdev --return-never: never-came-back after the 3 s wait, interrupted, nothing read" \
    expect "rs['A1B2C3D']['dance']['outcome'] == 'never-came-back' and rs['A1B2C3D']['result'] == 'interrupted' and rs['A1B2C3D']['files'] == 0"
check "umockdev --return-never: the harness kept it away" logged "it never comes back (--return-never)"
check "umockdev --return-never: no bag" test -z "$(bags)"

echo "# --return-port: the recorder comes back on another port"
scenario "$work/s.json" ctrl
WAIT=15 start --dock C7C7C7C --return-port C7C7C7C:1-1.7
finish
check "umockdev --return-port: came-back-elsewhere (1-1.3 awaited, 1-1.7 seen), nothing read" \
    expect "rs['C7C7C7C']['dance']['outcome'] == 'came-back-elsewhere' and '1-1.7' in rs['C7C7C7C']['dance']['detail'] and rs['C7C7C7C']['files'] == 0"
elsewhere_refused() { untouched C7C7C7C@1-1.7 && audit "any(e['event'] == 'device-refused' and e['detail']['port'] == '1-1.7' for e in es)"; }
check "umockdev --return-port: the disk on 1-1.7 refused (device-refused) and never opened" elsewhere_refused
check "umockdev --return-port: no bag" test -z "$(bags)"

echo "# recorderctl capture: the next vendor dock in a bay, through real libusb"
# Each bay is armed once the control socket answers, and its recorder docked once the service
# says the bay is armed: events, not times. --idle-exit only has to outlast recorderctl's start.
scenario "$work/s.json" ascii ctrl
rm -f "$work/bay2.capture" "$work/bay3.capture"
IDLE=20 start --dock-on-log "bay 1-1.2: the next dock will be captured" A1B2C3D@1-1.2 \
    --dock-on-log "bay 1-1.3: the next dock will be captured" C7C7C7C@1-1.3
for _ in $(seq 1 600); do
    "$bin/recorderctl" capture 1-1.2 --out "$work/bay2.capture" --control-socket "$work/ctl.sock" > "$work/capture.out" 2>&1 \
        && "$bin/recorderctl" capture 1-1.3 --out "$work/bay3.capture" --control-socket "$work/ctl.sock" >> "$work/capture.out" 2>&1 && break
    sleep 0.1
done
finish
check "umockdev capture: both recorders read" expect "rc == 0 and all(rs[s]['result'] == 'completed' for s in ('A1B2C3D', 'C7C7C7C'))"
check "umockdev capture: each unlock step on the wire, the disk's wrappers, in order" python3 - "$work/bay2.capture" "$work/bay3.capture" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
c = [json.loads(l) for l in open(sys.argv[2])]
ok = all(x[0]["format"] == "recorder-gateway-transfer-capture" for x in (a, c))
sent = [l.get("text") for l in a if l.get("part") == "unlock" and l.get("transfer") == "bulk" and l["dir"] == "out"]
ok = ok and len(sent) == 5 and sent[0] == "@Ver;8;00000000;#" and sent[1] == "@Gdv;8;<password>;#" and sent[4] == "@ATH;8;<password>;#"
ctl = [l for l in c if l.get("part") == "unlock" and l.get("transfer") == "control"]
ok = ok and [(l["dir"], l["setup"]["bRequest"]) for l in ctl][:3] == [("out", "55"), ("in", "55"), ("out", "50")] and ctl[0]["hex"] == "a1 12 00 12 <password>"
for x in (a, c):
    events = [l["event"] for l in x if "event" in l]
    bulk = [l for l in x if l.get("part") == "storage" and l.get("transfer") == "bulk"]
    ok = ok and events.index("departed") < events.index("arrived") < events.index("dance-ended") and events[-1] == "dock-ended"
    ok = ok and bulk[0]["bot"] == "CBW" and any(l["bot"] == "CSW" for l in bulk) and not any("hex" in l for l in bulk if l["bot"] == "data")
sys.exit(0 if ok else 1)
PY
check "umockdev capture: the password in neither file (text, hex, base64)" python3 - "$password" "$work/bay2.capture" "$work/bay3.capture" <<'PY'
import base64, sys
b = sys.argv[1].encode()
blob = b"".join(open(f, "rb").read() for f in sys.argv[2:])
forms = [b, b[:6], b.hex().encode(), " ".join("%02x" % x for x in b).encode()] + [base64.b64encode(b" " * p + b)[4:12] for p in range(3)]
sys.exit(0 if blob and not any(f in blob for f in forms) else 1)
PY
cat "$work/bay2.capture" "$work/bay3.capture" >> "$work/all-output" 2> /dev/null
# Each capture replays (recorder-gatewayd --replay, the same vendor-password-file) into a fresh
# store: the unmodified dance against the recorded transfers, and the captured dock's payload.
for pair in bay2:A1B2C3D bay3:C7C7C7C; do
    bay=${pair%%:*}; serial=${pair#*:}
    rm -rf "$work/replay"
    printf 'store = %s/replay/store\nstate = %s/replay/state\nvendor-password-file = %s/vendor.pw\n' "$work" "$work" "$work" > "$work/replay.conf"
    "$bin/recorder-gatewayd" --replay "$work/$bay.capture" --config "$work/replay.conf" --once --json --control-socket none \
        > "$work/replay.json" 2> "$work/replay.err"
    echo $? > "$work/replay.rc"
    cat "$work/replay.json" "$work/replay.err" >> "$work/all-output"
    check "umockdev capture: $bay replays into a fresh store, exit 0, with the same payload (manifest)" bash -c \
        "test \$(cat '$work/replay.rc') -eq 0 && test -s '$work/$bay.capture' && cmp -s '$work/store/bags/${serial}'_*/manifest-sha256.txt '$work/replay/store/bags'/*/manifest-sha256.txt"
done

password_nowhere() { ! grep -qF -- "$password" "$work/all-output" && [ ! -s "$work/password-files" ]; }
check "the password appears in no output, log, store or state file (of any run)" password_nowhere

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
