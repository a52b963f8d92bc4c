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

run() { # run LABEL HARNESS-ARGS... -- SELFTEST-ARGS...
    local label="$1"; shift
    local log
    log=$(mktemp)
    if timeout 120 /usr/bin/python3 "$here/harness.py" --timeout 90 "$@" > "$log" 2>&1; then
        echo "ok   $label"
    else
        echo "FAIL $label"; sed 's/^/     | /' "$log"; failures=$((failures + 1))
    fi
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

suite "$here/fake_device.py" "fake device" --fake
if [ -n "$sim" ]; then
    suite "$sim" "recorder-sim serve"
else
    echo "skip recorder-sim serve (give its path, or set RECORDER_SIM)"
fi
[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
