#!/usr/bin/env bash
# The harness's self-test: pyusb (a libusb client that is not ours) against the fake device,
# then against the real `recorder-sim serve` when one is given.
#
# Usage: Tests/umockdev/run-selftest.sh [PATH/recorder-sim]      (or RECORDER_SIM=...)
# Needs: umockdev gir1.2-umockdev-1.0 python3-gi (apt), pyusb (PyPI; a venv is made if needed:
# set PYUSB_PYTHON to an interpreter that has it to skip that).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sim="${1:-${RECORDER_SIM:-}}"
scenario="$here/selftest-scenario.json"
failures=0

for need in umockdev-wrapper; do
    command -v "$need" > /dev/null || { echo "missing $need: sudo apt-get install umockdev gir1.2-umockdev-1.0 python3-gi" >&2; exit 2; }
done

python="${PYUSB_PYTHON:-}"
if [ -z "$python" ]; then
    if /usr/bin/python3 -c 'import usb.core' 2> /dev/null; then
        python=/usr/bin/python3
    else
        venv="${XDG_CACHE_HOME:-$HOME/.cache}/recorder-gateway/pyusb-venv"
        if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import usb.core' 2> /dev/null; then
            echo "creating $venv with pyusb (python3 -m pip install pyusb)"
            /usr/bin/python3 -m venv "$venv" && "$venv/bin/python" -m pip install -q pyusb \
                || { echo "could not install pyusb" >&2; exit 2; }
        fi
        python="$venv/bin/python"
    fi
fi

must_log=""     # the next run's output (harness, devices, selftest) must hold this text
secret=""       # ... and must not hold this one (a password) anywhere
run() { # run LABEL HARNESS-ARGS... -- SELFTEST-ARGS...
    local label="$1"; shift
    local log why=""
    log=$(mktemp)
    if ! timeout 120 /usr/bin/python3 "$here/harness.py" --timeout 90 "$@" > "$log" 2>&1; then
        why="exit status"
    elif [ -n "$must_log" ] && ! grep -qF -- "$must_log" "$log"; then
        why="not in the output: $must_log"
    fi
    if [ -n "$secret" ] && grep -qF -- "$secret" "$log"; then
        why="the password is in the output"
        SECRET="$secret" python3 -c 'import os, sys; p = sys.argv[1]; t = open(p).read()
open(p, "w").write(t.replace(os.environ["SECRET"], "<PASSWORD LEAKED>"))' "$log"
    fi
    if [ -z "$why" ]; then
        echo "ok   $label"
    else
        echo "FAIL $label ($why)"; sed 's/^/     | /' "$log"; failures=$((failures + 1))
    fi
    must_log=""; secret=""
    rm -f "$log"
}

suite() { # suite DEVICE-PROGRAM KIND [--fake]
    local dev="$1" kind="$2" fake="${3:-}"
    local h=(--sim "$dev" --scenario "$scenario")
    local t=("$python" "$here/selftest.py")
    run "$kind: HELLO, coldplug, port path, serial string" "${h[@]}" --dock U000001 -- "${t[@]}" hello --serial U000001 --port 1-1.3
    run "$kind: USB 3 bay (bcdUSB 3.20, 1024-byte packets)" "${h[@]}" --dock U000003 -- "${t[@]}" hello --usb3 --serial U000003 --port 2-1
    run "$kind: several IN reads in flight" "${h[@]}" --dock U000001 -- "${t[@]}" inflight $fake
    run "$kind: control requests and rarer ioctls" "${h[@]}" --dock U000001 -- "${t[@]}" control
    run "$kind: three recorders at once" "${h[@]}" -- "${t[@]}" multi --count 3
    run "$kind: hotplug" "${h[@]}" --redock-after 1.5 U000002@1-1.4 -- "${t[@]}" hotplug
    run "$kind: unplug fails a pending read with No such device" "${h[@]}" --dock U000001 --unplug-after 2 U000001 -- "${t[@]}" unplug
    run "$kind: unplug, then docked again" "${h[@]}" --dock U000001@1-1.3 --unplug-after 1 U000001 --redock-after 2 U000001@1-1.3 -- "${t[@]}" replug
    run "$kind: STALL on IN and OUT until clear_halt, nothing lost" "${h[@]}" --dock U000001 --stall-in U000001:2 --stall-out U000001:3 -- "${t[@]}" stall
    run "$kind: a STALL that clear_halt does not end" "${h[@]}" --dock U000001 --stall-in U000001:2 --stall-forever -- "${t[@]}" stall --forever
    run "$kind: the first 2 opens refused with EACCES, then HELLO" "${h[@]}" --dock U000001 --deny-open U000001:2 -- "${t[@]}" denied --refusals 2
    run "$kind: every open refused with EACCES" "${h[@]}" --redock-after 0.5 U000001 --deny-open U000001 -- "${t[@]}" denied --wait 10
    if [ -n "$fake" ]; then
        run "$kind: the device reports its own unplug (0xFFFFFFFF)" "${h[@]}" --dock U000001 -- "${t[@]}" unplug --by-device
    fi
}

# Issue 14's vendor families (vendor_device.py): their exchanges over bulk and over vendor
# control transfers, and their return as mass storage (bot_device.py serving a random image),
# seen through pyusb and libudev; the passwords never in any output.
vendor_suite() {
    local work
    work=$(mktemp -d)
    head -c 1048576 /dev/urandom > "$work/card.img"
    cat > "$work/vendor.json" <<'JSON'
{"schema": 1, "comment": "Tests/umockdev self-test: issue 14's vendor families",
 "recorders": [
  {"identity": {"serial": "V000001"}, "port": "1-1.5", "family": "amba-ascii", "password": "Kx7-pq2Z",
   "lockout": {"attempts": 3}, "vendor": {"deviceId": "CAM-0042"}, "storage": {"image": "card.img"}},
  {"identity": {"serial": "V000002"}, "port": "1-1.6", "family": "amba-ctrl", "password": "ctrl secret 9",
   "lockout": {"attempts": 2}, "vendor": {"storageUsb": {"vendorId": "1209", "productId": "0003"}},
   "storage": {"image": "card.img"}},
  {"identity": {"serial": "V000003"}, "port": "1-1.7", "family": "amba-ctrl", "password": "ctrl secret 9",
   "vendor": {"faults": [{"kind": "refuseDiskMode"}]}, "storage": {"image": "card.img"}},
  {"identity": {"serial": "V000004"}, "port": "1-1.8", "family": "amba-ascii", "password": "Kx7-pq2Z",
   "vendor": {"faults": [{"kind": "leaveWithoutAnswer"}]}, "storage": {"image": "card.img"}}]}
JSON
    local h=(--scenario "$work/vendor.json")
    local t=("$python" "$here/selftest_vendor.py")
    local ascii=(--scenario "$work/vendor.json" --serial V000001) ctrl=(--scenario "$work/vendor.json" --serial V000002)
    secret="Kx7-pq2Z"
    run "amba-ascii: @Ver @Gdv @Sdt @Stm @ATH on bulk, back as mass storage on the same devpath, READs match the image" \
        "${h[@]}" --dock V000001 -- "${t[@]}" dance "${ascii[@]}"
    secret="ctrl secret 9"
    run "amba-ctrl: login and disk mode as vendor control transfers, back as 1209:0003 after 1.5 s, READs match" \
        "${h[@]}" --dock V000002 --return-after V000002:1.5 -- "${t[@]}" dance "${ctrl[@]}"
    secret="Kx7-pq2Z"; must_log="locked after 3 wrong passwords in a row"
    run "amba-ascii: wrong passwords refused and counted, a right one resets the count, locked after 3" \
        "${h[@]}" --dock V000001 -- "${t[@]}" lockout "${ascii[@]}"
    secret="ctrl secret 9"; must_log="locked after 2 wrong passwords in a row"
    run "amba-ctrl: wrong passwords refused (one result read through USBDEVFS_CONTROL), locked after 2" \
        "${h[@]}" --dock V000002 -- "${t[@]}" lockout "${ctrl[@]}"
    secret="Kx7-pq2Z"; must_log="V000001@1-1.5: it never comes back (--return-never)"
    run "--return-never: the vendor device leaves and nothing comes back" \
        "${h[@]}" --dock V000001 --return-never V000001 -- "${t[@]}" dance --return-never "${ascii[@]}"
    secret="Kx7-pq2Z"; must_log="the host did not take the device's last answer within 5 s (8 IN bytes unread"
    run "a host that never reads @ATH's answer: the device leaves after 5 s all the same, and comes back" \
        "${h[@]}" --dock V000001 -- "${t[@]}" dance --unread "${ascii[@]}"
    secret="ctrl secret 9"; must_log="disk mode: refused (refuseDiskMode)"
    run "vendor.faults refuseDiskMode (amba-ctrl): the disk-mode result is 0 and the device stays" \
        "${h[@]}" --dock V000003 -- "${t[@]}" dance --scenario "$work/vendor.json" --serial V000003
    secret="Kx7-pq2Z"
    run "vendor.faults leaveWithoutAnswer (amba-ascii): @ATH's answer fails ENODEV, it comes back all the same" \
        "${h[@]}" --dock V000004 -- "${t[@]}" dance --scenario "$work/vendor.json" --serial V000004
    secret="ctrl secret 9"; must_log="it comes back as mass storage 1209:0003 at 2-1.2"
    run "--return-port: it comes back on another port (2-1.2), nothing at 1-1.6" \
        "${h[@]}" --dock V000002 --return-port V000002:2-1.2 -- "${t[@]}" dance --return-port 2-1.2 "${ctrl[@]}"
    rm -rf "$work"
}

suite "$here/fake_device.py" "fake device" --fake
vendor_suite
if [ -n "$sim" ]; then
    suite "$sim" "recorder-sim serve"
else
    echo "skip recorder-sim serve (give its path, or set RECORDER_SIM)"
fi
[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
