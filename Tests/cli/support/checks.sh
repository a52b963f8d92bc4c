# Shared by the Tests/cli scripts (sourced, not run: Tools/test runs only Tests/cli/*.sh).

# check NAME COMMAND...: runs COMMAND; prints "ok   NAME" or "FAIL NAME" and counts failures.
failures=${failures:-0}
check() {
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

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
