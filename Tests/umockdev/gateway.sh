#!/usr/bin/env bash
# recorder-gatewayd, unmodified, in device mode (libudev + libusb) against simulated recorders
# made USB devices by harness.py: coldplug, hotplug, unplug and resume, device-side disconnect,
# stalled endpoints (CLEAR_HALT), opens refused with EACCES (the udev rule's race on hotplug).
# Usage: Tests/umockdev/gateway.sh BIN_DIR      (BIN_DIR has recorder-gatewayd and recorder-sim)
# Needs: umockdev gir1.2-umockdev-1.0 python3-gi.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

check() { # check NAME PYTHON-EXPRESSION-ON-r (the summary JSON), rc (exit status)
    local name="$1" expr="$2"
    if python3 -c "
import json, sys
r = json.load(open('$work/out.json')); rc = int(open('$work/rc').read())
sys.exit(0 if ($expr) else 1)" 2> /dev/null; then
        echo "ok   $name"
    else
        echo "FAIL $name"; sed 's/^/     | /' "$work/log"; cat "$work/out.json" 2> /dev/null | sed 's/^/     > /'
        failures=$((failures + 1))
    fi
}

check_that() { # check_that NAME COMMAND...: the command succeeds
    local name="$1"; shift
    if "$@" > /dev/null 2>&1; then
        echo "ok   $name"
    else
        echo "FAIL $name"; sed 's/^/     | /' "$work/log"; failures=$((failures + 1))
    fi
}

logged() { # logged TEXT...: the run's log (harness and gateway) holds every TEXT
    python3 -c "import sys; t = open(sys.argv[1]).read(); sys.exit(0 if all(x in t for x in sys.argv[2:]) else 1)" "$work/log" "$@"
}
journal() { # journal SQL: the first column of the first row, from the run's journal
    python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" \
        "$work/state/journal.sqlite" "$1"
}

conf_extra=""   # more gateway.conf lines for the next gateway runs
gateway() { # gateway SCENARIO HARNESS-ARGS...: one gateway run with an empty store
    local scenario="$1"; shift
    rm -rf "$work/store" "$work/state"
    printf 'password.default = 000000\nstore = %s/store\nstate = %s/state\n%s' "$work" "$work" "$conf_extra" > "$work/gw.conf"
    timeout 300 python3 "$here/harness.py" --sim "$bin/recorder-sim" --scenario "$scenario" --timeout 240 "$@" \
        -- "$bin/recorder-gatewayd" --config "$work/gw.conf" --idle-exit 2 --json > "$work/out.json" 2> "$work/log"
    echo $? > "$work/rc"
}

# one recorder with a 48 MiB and a 16 MiB video, on a USB 2.0 bay
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
rec = {"identity": {"serial": "G000001", "officerNumber": "200001"}, "password": "000000", "port": "1-1.2",
       "recordings": [
           {"id": 1, "kind": "video", "path": "DCIM/100MEDIA/20261126_081502_0001.MP4", "size": "48MiB",
            "start": "2026-11-26T08:15:02+08:00"},
           {"id": 2, "kind": "video", "path": "DCIM/100MEDIA/20261126_093011_0002.MP4", "size": "16MiB",
            "start": "2026-11-26T09:30:11+08:00"}]}
json.dump({"schema": 1, "recorders": [rec]}, open(work + "/one.json", "w"))
rec["faults"] = [{"kind": "disconnect", "afterBytes": "10MB"}]
json.dump({"schema": 1, "recorders": [rec]}, open(work + "/disconnect.json", "w"))
PY

# An idle kiosk: no recorder ever docks; --idle-exit ends the run, and that is not a failure.
echo '{"schema": 1, "recorders": []}' > "$work/none.json"
gateway "$work/none.json"
check "idle: no recorder docked, --idle-exit exits 0" "rc == 0 and r['totals']['recorders'] == 0"

gateway "$work/one.json" --dock G000001
check "coldplug: every file verified over libusb" "rc == 0 and r['totals']['allVerified'] and r['totals']['verified'] == 2 and r['recorders'][0]['bay'] == '1-1.2'"

bags_ok() { # every bag of the run validates with the LoC tool and with recorderctl verify
    local bag
    for bag in "$work"/store/bags/*/; do python3 -m bagit --validate "$bag" > /dev/null 2>&1 || return 1; done
    "$bin/recorderctl" verify --all --store "$work/store" > /dev/null
}
if bags_ok; then echo "ok   coldplug: the bag validates (bagit, recorderctl verify)"; else echo "FAIL coldplug: the bag does not validate"; failures=$((failures + 1)); fi

gateway "$work/one.json" --redock-after 1 G000001@1-1.4
check "hotplug: docked after the start, found through udev, verified" "rc == 0 and r['totals']['verified'] == 2 and r['recorders'][0]['bay'] == '1-1.4'"

# --keep-link: the scenario's USB 2.0 timing (43 MB/s), so 64 MiB take 1.5 s however fast the build
gateway "$work/one.json" --sim-arg=--keep-link --dock G000001 --unplug-after 0.8 G000001 --redock-after 2 G000001@1-1.2
check "unplugged mid-ingest: the dock is interrupted, the redock resumes and verifies" \
    "len(r['recorders']) == 2 and r['recorders'][0]['result'] == 'interrupted' and r['recorders'][1]['verified'] == 2"

gateway "$work/disconnect.json" --dock G000001
check "device-side disconnect (0xFFFFFFFF): interrupted, device disconnected" \
    "rc == 1 and r['recorders'][0]['result'] == 'interrupted' and any('disconnected' in a for a in map(str, r['recorders'][0]['anomalies']))"

# the bags hold exactly the bytes recorder-sim describe predicts
described_payload() { # described_payload SCENARIO: the run's one bag holds the first recorder's files, byte-exact
    "$bin/recorder-sim" describe "$1" --json > "$work/describe.json" || return 1
    python3 - "$work" <<'PY'
import glob, hashlib, json, sys
work = sys.argv[1]
want = {f["path"]: f["sha256"] for f in json.load(open(work + "/describe.json"))["recorders"][0]["files"]}
bags = glob.glob(work + "/store/bags/*/")
assert len(bags) == 1, bags
for path, sha in want.items():
    got = hashlib.sha256(open(bags[0] + "data/" + path, "rb").read()).hexdigest()
    assert got == sha, (path, got, sha)
PY
}
gateway "$work/one.json" --dock G000001
if described_payload "$work/one.json"; then echo "ok   the bag's payload hashes are the ones recorder-sim describe predicts"; else echo "FAIL the bag's payload differs from recorder-sim describe"; failures=$((failures + 1)); fi

# STALL: the harness halts bulk IN at its 30th transfer with data (a READ reply in the 48 MiB
# file, after half its bytes) and bulk OUT at its 40th transfer (a READ request, not delivered).
# The gateway clears each halt (the harness logs every CLEAR_HALT), sends the stopped frame
# again, resubmits its IN transfers in order, and loses or doubles nothing.
conf_extra="release = release-after-verified"$'\n'
gateway "$work/one.json" --dock G000001 --stall-in G000001:30 --stall-out G000001:40
check "STALL on bulk IN and OUT: cleared, retried, every file verified and released" \
    "rc == 0 and r['recorders'][0]['result'] == 'completed' and r['totals']['verified'] == 2 and r['recorders'][0]['released'] == 2"
check_that "STALL: bulk IN halted mid-reply (after 512 KiB) and the gateway cleared it (CLEAR_HALT 0x81)" \
    logged "endpoint 0x81 STALLs at IN URB #30 carrying data, after 524288 of its" "USBDEVFS_CLEAR_HALT 0x81: the endpoint runs again"
check_that "STALL: bulk OUT halted and the gateway cleared it (CLEAR_HALT 0x01)" \
    logged "endpoint 0x01 STALLs at OUT URB #40" "USBDEVFS_CLEAR_HALT 0x01: the endpoint runs again"
check_that "STALL: the payload is the one recorder-sim describe predicts" described_payload "$work/one.json"
check_that "STALL: the bag validates (bagit, recorderctl verify)" bags_ok

# An endpoint that stays halted (CLEAR_HALT is answered but does not help): the dock ends as a
# link failure, not a hang or a crash: interrupted, nothing quarantined or released, the
# session open for the next dock to resume.
for stall in "IN --stall-in G000001:30 0x81 0x81" "OUT --stall-out G000001:40 0x01 0x1"; do
    read -r dir option spec address named <<< "$stall"
    gateway "$work/one.json" --dock G000001 "$option" "$spec" --stall-forever
    check "STALL on bulk $dir that clearing does not help: the dock is interrupted, endpoint $named stalled" \
        "rc == 1 and r['recorders'][0]['result'] == 'interrupted' and 'endpoint $named stalled' in r['recorders'][0]['reason']"
    check "STALL on bulk $dir for good: nothing verified, quarantined or released" \
        "r['recorders'][0]['verified'] == 0 and r['recorders'][0]['quarantined'] == 0 and r['recorders'][0]['released'] == 0"
    check_that "STALL on bulk $dir for good: the gateway tried CLEAR_HALT $address" logged "USBDEVFS_CLEAR_HALT $address: the endpoint stays halted"
    check_that "STALL on bulk $dir for good: the session stays open, nothing in the ledger" \
        test "$(journal "select count(*) from session where state = 'open'")-$(journal "select count(*) from ledger")" = "1-0"
done
conf_extra=""

# two recorders at once, in two bays
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
s = json.load(open(work + "/one.json"))
second = json.loads(json.dumps(s["recorders"][0]))
second["identity"] = {"serial": "G000002", "officerNumber": "200002"}
second["port"] = "1-1.3"
s["recorders"].append(second)
json.dump(s, open(work + "/two.json", "w"))
PY
gateway "$work/two.json" --dock G000001 --dock G000002
check "two recorders at once: both verified, each in its bay" \
    "rc == 0 and len(r['recorders']) == 2 and r['totals']['verified'] == 4 and sorted(x['bay'] for x in r['recorders']) == ['1-1.2', '1-1.3']"

# EACCES: the device node is read-only for the first opens, as on a kiosk when the hotplug event
# beats udev's group and mode (the harness runs the gateway without CAP_DAC_OVERRIDE, so the
# kernel refuses it as it refuses the unprivileged service). Three refusals: the gateway says
# so once, keeps trying within its patience (2 s), and the dock succeeds.
gateway "$work/one.json" --redock-after 0.5 G000001 --deny-open G000001:3
check "EACCES on the first 3 opens: the gateway retries and the dock verifies" "rc == 0 and r['totals']['verified'] == 2"
check_that "EACCES: the harness refused 3 opens" grep -q "open #3 of /dev/bus/usb/.* refused: EACCES.*writable from now on" "$work/log"
check_that "EACCES: the gateway logged the refusal once, as a permissions race, and retried" \
    test "$(grep -c "bay 1-1.2: libusb_open 1-1.2: LIBUSB_ERROR_ACCESS .*permissions.*; retrying for up to" "$work/log")" -eq 1
check_that "EACCES: the gateway opened the recorder at its 4th attempt or later" grep -Eq "bay 1-1.2: opened at attempt ([4-9]|[1-9][0-9])$" "$work/log"

# Refused for longer than the patience: the bay reports the error, naming LIBUSB_ERROR_ACCESS
# and permissions, and the gateway runs on: the next recorder (docked once the gateway has
# given up on the first) is ingested.
gateway "$work/two.json" --dock G000002 --deny-open G000002 --dock-on-log "bay 1-1.3: cannot open the recorder" G000001
check "EACCES for good: the bay is given up, the next recorder docked afterwards is verified" \
    "rc == 0 and len(r['recorders']) == 1 and r['recorders'][0]['serial'] == 'G000001' and r['recorders'][0]['bay'] == '1-1.2' and r['totals']['verified'] == 2"
check_that "EACCES for good: the bay's error names LIBUSB_ERROR_ACCESS and permissions" \
    grep -q "bay 1-1.3: cannot open the recorder: libusb_open 1-1.3: LIBUSB_ERROR_ACCESS .*permissions: the service may not write /dev/bus/usb/" "$work/log"

# a device with odd descriptors beside a good one: ignored with one log line, the good one ingested
for fault in no-bulk wrong-class zero-packet; do
    gateway "$work/two.json" --dock G000001 --dock G000002 --descriptor-fault "G000002:$fault"
    check "odd descriptors ($fault): the device is ignored, the other verified" \
        "rc == 0 and len(r['recorders']) == 1 and r['recorders'][0]['serial'] == 'G000001' and r['totals']['allVerified']"
    lines=$(grep -c "bay 1-1.3: cannot open the recorder" "$work/log")
    if [ "$lines" -eq 1 ]; then echo "ok   odd descriptors ($fault): logged once"; else echo "FAIL odd descriptors ($fault): logged $lines times"; failures=$((failures + 1)); fi
done

# recorderctl capture: a technician records the next dock in a bay; the capture replays to the
# same payload
rm -rf "$work/store" "$work/state"
printf 'password.default = 000000\nstore = %s/store\nstate = %s/state\n' "$work" "$work" > "$work/gw.conf"
# The capture is asked for once the control socket answers, and the recorder is docked once the
# service says the bay is armed: events, not times. --idle-exit only has to outlast the start of
# recorderctl on a busy machine.
# (Arming again is harmless: the bay keeps one capture path.)
(
    for _ in $(seq 1 600); do
        "$bin/recorderctl" capture 1-1.4 --out "$work/bay4.capture" --control-socket "$work/ctl.sock" > "$work/capture.out" 2>&1 && break
        sleep 0.1
    done
) &
timeout 300 python3 "$here/harness.py" --sim "$bin/recorder-sim" --scenario "$work/one.json" --timeout 240 \
    --dock-on-log "bay 1-1.4: the next dock will be captured" G000001@1-1.4 \
    -- "$bin/recorder-gatewayd" --config "$work/gw.conf" --idle-exit 20 --json --control-socket "$work/ctl.sock" > "$work/out.json" 2> "$work/log"
wait
printf 'password.default = 000000\nstore = %s/replay/store\nstate = %s/replay/state\n' "$work" "$work" > "$work/replay.conf"
"$bin/recorder-gatewayd" --replay "$work/bay4.capture" --config "$work/replay.conf" --once --json --control-socket none > "$work/replay.json" 2>> "$work/log"
if [ -s "$work/bay4.capture" ] && cmp -s "$work"/store/bags/*/manifest-sha256.txt "$work"/replay/store/bags/*/manifest-sha256.txt; then
    echo "ok   capture: the next dock in the bay is recorded, and its replay gives the same payload"
else
    echo "FAIL capture and replay"; sed 's/^/     | /' "$work/capture.out" "$work/log"; failures=$((failures + 1))
fi

# recorderctl diagnose --direct: the technician's checks against the USB device itself
timeout 120 python3 "$here/harness.py" --sim "$bin/recorder-sim" --scenario "$work/one.json" --dock G000001 --timeout 100 \
    -- "$bin/recorderctl" diagnose 1-1.2 --direct --password 000000 --json > "$work/diag.json" 2> "$work/log"
echo $? > "$work/rc"
if python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
r = json.load(open(work + "/diag.json")); rc = int(open(work + "/rc").read())
checks = {c["name"]: c for c in r["checks"]}
assert rc == 0 and r["serial"] == "G000001" and r["bay"] == "1-1.2", (rc, r)
assert checks["enumeration"]["result"] == "PASS" and "usb 1-1.2" in checks["enumeration"]["detail"], checks
assert checks["authentication"]["result"] == "PASS" and "MB/s" in checks["read throughput"]["detail"], checks
PY
then echo "ok   diagnose --direct: every check against the USB device itself"; else echo "FAIL diagnose --direct"; sed 's/^/     | /' "$work/log" "$work/diag.json"; failures=$((failures + 1)); fi
timeout 120 python3 "$here/harness.py" --sim "$bin/recorder-sim" --scenario "$work/one.json" --dock G000001 --timeout 100 \
    -- "$bin/recorderctl" diagnose 1-1.2 --direct --password wrong > "$work/diag.txt" 2> "$work/log"
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^FAIL  authentication' "$work/diag.txt"; then echo "ok   diagnose --direct: a wrong password FAILs authentication"; else echo "FAIL diagnose --direct with a wrong password (exit $rc)"; sed 's/^/     | /' "$work/diag.txt" "$work/log"; failures=$((failures + 1)); fi

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
