# Shared by the Tests/cli scripts (sourced, not run: Tools/test runs only Tests/cli/*.sh).

# check NAME COMMAND...: runs COMMAND; prints "ok   NAME" or "FAIL NAME" and counts failures.
failures=${failures:-0}
check() {
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

# status COMMAND...: runs COMMAND with its output in $work/out and $work/err (for the checks
# that read them) and prints its exit status.
status() { "$@" > "$work/out" 2> "$work/err"; echo $?; }

# wait_for_upload_id JOURNAL SETTLE: waits (up to 120 s) until the gateway's journal holds a
# multipart upload id, i.e. an upload has started, then SETTLE seconds more, so that some parts
# are in and others on the wire when the caller strikes.
wait_for_upload_id() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys, time
deadline = time.time() + 120
while time.time() < deadline:
    try:
        c = sqlite3.connect(sys.argv[1], timeout=1)
        if c.execute("select count(*) from forward_object where upload_id is not null").fetchone()[0]:
            break
    except sqlite3.Error:
        pass
    time.sleep(0.05)
time.sleep(float(sys.argv[2]))
PY
}

# wait_for_text FILE TEXT: waits until FILE contains TEXT. The 600 s bound only keeps a broken
# run from hanging CI; the wait itself is for the event, however busy the machine is.
wait_for_text() {
  python3 - "$1" "$2" <<'PY'
import sys, time
deadline = time.time() + 600
while time.time() < deadline:
    try:
        if sys.argv[2] in open(sys.argv[1], errors="replace").read():
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.02)
sys.exit(1)
PY
}

# wait_for_journal JOURNAL SQL: waits until SQL (one number) is nonzero in the gateway's journal,
# e.g. until a durable offset has passed a mark. Bounded at 600 s like wait_for_text.
wait_for_journal() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys, time
deadline = time.time() + 600
while time.time() < deadline:
    try:
        c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=1)
        if (c.execute(sys.argv[2]).fetchone() or [0])[0]:
            sys.exit(0)
    except sqlite3.Error:
        pass
    time.sleep(0.005)
sys.exit(1)
PY
}

# start_fault_proxy ARGS...: starts Tests/peers/s3-fault-proxy ARGS... (run from the package root)
# with its standard input on fd 4, so `exec 4>&-` stops it, and sets PEP to its endpoint. It waits
# for the proxy's line of JSON or for the proxy to end, whichever comes first: an event, not a time.
start_fault_proxy() {
  mkfifo "$work/proxy.in"
  python3 Tests/peers/s3-fault-proxy "$@" < "$work/proxy.in" > "$work/proxy.json" 2> "$work/proxy.err" &
  local proxy=$!
  exec 4> "$work/proxy.in"
  while [ ! -s "$work/proxy.json" ] && kill -0 "$proxy" 2> /dev/null; do sleep 0.05; done
  PEP=$(python3 -c "import json; print(json.load(open('$work/proxy.json'))['endpoint'])")
}

# one_recorder FILE RECORDINGS: a scenario of recorder-sim's example recorder alone ($bin is the
# build's bin directory), on a link with no limit, keeping no device hashes, holding RECORDINGS
# (a JSON list).
one_recorder() {
    "$bin/recorder-sim" example | python3 -c "
import json, sys
s = json.load(sys.stdin)
r = s['recorders'][0]
r['link'] = 'unlimited'; r['deviceHashes'] = False
r['recordings'] = json.loads(sys.argv[2])
s['recorders'] = [r]
json.dump(s, open(sys.argv[1], 'w'))
" "$1" "$2"
}
