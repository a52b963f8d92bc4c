#!/usr/bin/env bash
# The officer's screen and the metrics of the unmodified recorder-gatewayd in device mode
# (libudev + libusb under umockdev), seen by a real browser: headless Chromium opens the page
# before any recorder is docked; once the service says a screen follows its events, the harness
# docks a recorder, and the page (never reloaded) must show the bay reading, then safe to take.
# A wrong password in another bay must say "needs a technician". Screenshots at 1920x1080 and
# 1280x800 are kept in $SCREEN_SHOTS when set. /metrics must pass `promtool check metrics`. A store
# past its critical watermark, and a service restarted under the open page, are followed too.
# Usage: Tests/umockdev/screen.sh BIN_DIR
# Needs: umockdev gir1.2-umockdev-1.0 python3-gi chromium prometheus (promtool) fonts-wqy-microhei
# (apt), websocket-client (PyPI).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'kill "$harness" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
shots="${SCREEN_SHOTS:-$work/shots}"

check() { # check NAME COMMAND...
    local name="$1"; shift
    if "$@"; then echo "ok   $name"; else echo "FAIL $name"; sed 's/^/     | /' "$work/log"; failures=$((failures + 1)); fi
}

page_url() { # the address the service's log gives for its page, once it does; empty if it ends first
    local url=""
    for _ in $(seq 1 1200); do
        url=$(grep -o "status page on http://[0-9.:]*/" "$work/log" 2> /dev/null | head -1 | sed 's/^status page on //')
        [ -n "$url" ] && break
        kill -0 "$harness" 2> /dev/null || break
        sleep 0.1
    done
    echo "$url"
}

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
recorders = [
    {"identity": {"serial": "G000001", "officerNumber": "200001", "officerName": "李四"}, "password": "000000", "port": "1-1.2",
     "recordings": [{"id": 1, "kind": "video", "path": "DCIM/100MEDIA/20261126_081502_0001.MP4", "size": "32MiB"}]},
    {"identity": {"serial": "G000002", "officerNumber": "200002", "officerName": "王五"}, "password": "111111", "port": "1-1.3",
     "recordings": [{"id": 1, "kind": "video", "path": "DCIM/100MEDIA/20261126_090000_0001.MP4", "size": "1MiB"}]},
]
json.dump({"schema": 1, "recorders": recorders}, open(work + "/two.json", "w"))
PY
# G000002's password is not the fleet's: its dock fails at authentication.
printf 'password.default = 000000\nstore = %s/store\nstate = %s/state\nbay.1-1.2 = 2号位 Bay 2\nstatus-listen = 127.0.0.1:0\n' \
    "$work" "$work" > "$work/gw.conf"
# Nothing is docked before the page follows the service's events; then both recorders are.
timeout 400 python3 "$here/harness.py" --sim "$bin/recorder-sim" --scenario "$work/two.json" --timeout 360 \
    --dock-on-log "status page: a screen follows /events" G000001 \
    --dock-on-log "status page: a screen follows /events" G000002 \
    -- "$bin/recorder-gatewayd" --config "$work/gw.conf" --idle-exit 60 --json --control-socket none \
    > "$work/out.json" 2> "$work/log" &
harness=$!
url=$(page_url)
check "the service says where its status page is" test -n "$url"
if [ -n "$url" ]; then
    python3 "$here/screen_browser.py" "$url" "$shots" --timeout 300 \
        --expect "page=empty" --expect "2号位 Bay 2=reading,safe-to-take" --expect "1-1.3=needs-technician" > "$work/browser.out" 2>&1
    rc=$?
    cat "$work/browser.out"
    check "the page, never reloaded, followed both docks (browser exit $rc)" test "$rc" -eq 0
    check "the safe tile names the officer and says 可取走 / Safe to take" \
        python3 -c "import json,sys; t=[x for x in json.load(open('$shots/tiles.json'))['tiles'] if x['bay']=='2号位 Bay 2'][0]; sys.exit(0 if '李四' in t['text'] and '200001' in t['text'] and '可取走' in t['text'] and 'Safe to take' in t['text'] else 1)"
    check "the failed tile says 请联系管理员 / Needs a technician and why" \
        python3 -c "import json,sys; t=[x for x in json.load(open('$shots/tiles.json'))['tiles'] if x['bay']=='1-1.3'][0]; sys.exit(0 if '请联系管理员' in t['text'] and 'Needs a technician' in t['text'] and 'authenticat' in t['text'].lower() else 1)"
    check "two screenshots were taken" test -s "$shots/screen-1920x1080.png" -a -s "$shots/screen-1280x800.png"
    curl -s "${url}metrics" > "$work/metrics.txt"
    check "/metrics passes promtool check metrics" bash -c "promtool check metrics < '$work/metrics.txt'"
    check "/metrics counts one dock done and one failed, and the bays' last results" bash -c "
        grep -qx 'recorder_gateway_docks_total{result=\"done\"} 1' '$work/metrics.txt' &&
        grep -qx 'recorder_gateway_docks_total{result=\"error\"} 1' '$work/metrics.txt' &&
        grep -qx 'recorder_gateway_bays{phase=\"done\"} 1' '$work/metrics.txt' &&
        grep -qx 'recorder_gateway_recordings_total{outcome=\"verified\"} 1' '$work/metrics.txt' &&
        grep -q '^recorder_gateway_anomalies_total{code=\"authentication-failed\"} 1$' '$work/metrics.txt'"
    check "the page cannot change anything: POST is refused (405)" \
        test "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "$url")" = 405
fi
# The service runs until --idle-exit after its last dock; end it now, the checks are done.
pkill -TERM -f "[r]ecorder-gatewayd --config $work/gw.conf" 2> /dev/null
wait "$harness" 2> /dev/null

# A store past its critical watermark (1.1%: every file system here is fuller): the recorder
# docked is refused before anything is read, its tile says why, and a notice says docking is paused.
rm -rf "$work/store" "$work/state" "$work/log"
printf 'password.default = 000000\nstore = %s/store\nstate = %s/state\nstatus-listen = 127.0.0.1:0\nstore-high-watermark = 1%%\nstore-critical-watermark = 1.1%%\n' \
    "$work" "$work" > "$work/gw.conf"
timeout 400 python3 "$here/harness.py" --sim "$bin/recorder-sim" --scenario "$work/two.json" --timeout 360 \
    --dock-on-log "status page: a screen follows /events" G000001 \
    -- "$bin/recorder-gatewayd" --config "$work/gw.conf" --idle-exit 60 --json --control-socket none \
    > "$work/out.json" 2> "$work/log" &
harness=$!
url=$(page_url)
if [ -n "$url" ]; then
    python3 "$here/screen_browser.py" "$url" "$work/full" --timeout 300 --expect "1-1.2=needs-technician" > "$work/browser.out" 2>&1
    rc=$?
    cat "$work/browser.out"
    check "a full store: the docked recorder's tile says it needs a technician (browser exit $rc)" test "$rc" -eq 0
    check "a full store: the tile says nothing was read and the recorder keeps its footage; a notice says docking is paused" \
        python3 -c "import json,sys; d=json.load(open('$work/full/tiles.json')); t=d['tiles'][0]; sys.exit(0 if 'the recorder keeps its footage' in t['text'] and d['store'] and '存储空间已满' in d['store'] and 'docking is paused' in d['store'] else 1)"
    check "a full store: the journal has the critical line with its priority" grep -q "^<2>recorder-gatewayd: the store .* past the critical watermark 1.1%" "$work/log"
    check "a full store: /metrics says level 2" bash -c "curl -s '${url}metrics' | grep -qx 'recorder_gateway_store_capacity_level 2'"
else
    check "a full store: the service says where its status page is" false
fi
pkill -TERM -f "[r]ecorder-gatewayd --config $work/gw.conf" 2> /dev/null
wait "$harness" 2> /dev/null

# The service restarted under an open page: the page says the connection is lost, reconnects by
# itself to the new service on the same address, and follows the next dock, never reloaded.
rm -rf "$work/store" "$work/state" "$work/log"
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()")
printf 'password.default = 000000\nstore = %s/store\nstate = %s/state\nstatus-listen = 127.0.0.1:%s\n' "$work" "$work" "$port" > "$work/gw.conf"
echo '{"schema": 1, "recorders": []}' > "$work/none.json"
gateway_up() { # gateway_up LOG HARNESS-ARGS...: starts the service under the harness, waits for its page
    local log="$1"; shift
    timeout 400 python3 "$here/harness.py" --sim "$bin/recorder-sim" --timeout 360 "$@" \
        -- "$bin/recorder-gatewayd" --config "$work/gw.conf" --idle-exit 120 --json --control-socket none > /dev/null 2> "$log" &
    harness=$!
    for _ in $(seq 1 1200); do
        grep -q "status page on http://127.0.0.1:$port/" "$log" 2> /dev/null && return 0
        kill -0 "$harness" 2> /dev/null || return 1
        sleep 0.1
    done
    return 1
}
stop_gateway() {
    pkill -TERM -f "[r]ecorder-gatewayd --config $work/gw.conf" 2> /dev/null
    wait "$harness" 2> /dev/null
}
waits_for() { # waits_for TEXT FILE: until FILE has a line with TEXT, or the browser has ended
    for _ in $(seq 1 3000); do
        grep -q "$1" "$2" 2> /dev/null && return 0
        kill -0 "$browser" 2> /dev/null || return 1
        sleep 0.1
    done
    return 1
}
if gateway_up "$work/log-a" --scenario "$work/none.json"; then
    python3 "$here/screen_browser.py" "http://127.0.0.1:$port/" "$work/restart" --timeout 300 \
        --expect "link=online" --expect "page=empty" --expect "link=offline" --expect "link=online" --expect "1-1.2=safe-to-take" \
        > "$work/restart.out" 2>&1 &
    browser=$!
    waits_for "bay page shows empty" "$work/restart.out"
    stop_gateway
    if waits_for "bay link shows offline" "$work/restart.out" &&
       gateway_up "$work/log-b" --scenario "$work/two.json" --dock-on-log "status page: a screen follows /events" G000001; then
        wait "$browser"; rc=$?
    else
        kill "$browser" 2> /dev/null; wait "$browser"; rc=1
    fi
    cat "$work/restart.out"
    check "a restarted service: the page said the link was lost, came back by itself and followed the next dock (browser exit $rc)" test "$rc" -eq 0
    stop_gateway
else
    check "a restarted service: the first service started on port $port" false
fi

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
