#!/usr/bin/env bash
# The forward queue's order, rate cap and hours against a real moto server (Tests/peers/moto):
# outside forward-hours nothing is uploaded and --once ends with exit 75; the running service
# shows the order, the cap and when forwarding resumes, and `recorderctl queue --front BAG`
# moves a bag to the front through the control socket; after a restart in an open window the
# bags arrive in the store in that order (audit log and the objects' LastModified).
# Usage: forward-order.sh BIN_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)"
cd "$(dirname "$0")/../.."
gw="$bin/recorder-gatewayd"
ctl="$bin/recorderctl"
work=$(mktemp -d)
sock="$work/control.sock"
pid=""
failures=0
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; exec 3>&- 2>/dev/null; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT
. Tests/cli/support/checks.sh

# moto runs while fd 3 (its standard input) stays open.
mkfifo "$work/moto.in"
python3 Tests/peers/moto serve < "$work/moto.in" > "$work/moto.json" 2> "$work/moto.err" &
exec 3> "$work/moto.in"
for _ in $(seq 120); do [ -s "$work/moto.json" ] && break; sleep 0.25; done
if [ ! -s "$work/moto.json" ]; then echo "FAIL moto did not start: $(cat "$work/moto.err")"; exit 1; fi
eval "$(python3 -c "import json; d=json.load(open('$work/moto.json')); print('EP=%s; AK=%s; SK=%s; B=%s' % (d['endpoint'], d['accessKeyId'], d['secretAccessKey'], d['bucket']))")"
export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_DEFAULT_REGION=us-east-1

# The example's four recorders, small; A100001's second video is flagged important.
"$bin/recorder-sim" example | python3 -c "
import json, sys
s = json.load(sys.stdin)
for r in s['recorders']:
    r['link'] = 'unlimited'
    for rec in r['recordings']:
        if 'size' in rec: rec['size'] = '2MiB'
assert any(rec.get('important') for rec in s['recorders'][0]['recordings'])
assert not any(rec.get('important') for r in s['recorders'][1:] for rec in r['recordings'])
json.dump(s, open('$work/four.json', 'w'))
one = s['recorders'][2]
one['identity']['serial'] = 'A100009'
one['port'] = '1-1.9'
s['recorders'] = [one]
json.dump(s, open('$work/late.json', 'w'))
"
# A window that is closed now: from two to three hours ahead, local time (as the kiosk's).
closed="$(date -d '+2 hour' +%H:00)-$(date -d '+3 hour' +%H:00)"
conf() { # conf HOURS-LINE...
  printf 'store = %s/k/store\nstate = %s/k/state\nforward = s3://%s/order\ns3-endpoint = %s\nforward-wait = 600\nuploads-in-flight = 1\n' \
    "$work" "$work" "$B" "$EP" > "$work/k.conf"
  for line in "$@"; do echo "$line" >> "$work/k.conf"; done
}
objects() { # the keys under order/ in the store, one a line, with LastModified
  python3 - "$EP" "$B" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1])
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[2]):   # no Prefix: moto mis-signs %2F
    for o in page.get("Contents", []):
        if o["Key"].startswith("order/"):
            print(o["LastModified"].timestamp(), o["Key"])
PY
}
journal="$work/k/state/journal.sqlite"

# 1. --once outside forward-hours: every bag sealed and queued, nothing uploaded, exit 75 with
# the window and when it opens named.
conf "forward-hours = $closed"
timeout 900 "$gw" --simulate "$work/four.json" --config "$work/k.conf" --once --json --control-socket none \
  > "$work/once.json" 2> "$work/once.err"; rc=$?
check "--once outside forward-hours exits 75" test "$rc" -eq 75
check "and says the bags stay queued and when forwarding resumes" \
  grep -q "outside forward-hours $closed: 4 bag(s) stay queued, not uploaded; forwarding resumes at " "$work/once.err"
check "every recorder was ingested and verified locally" python3 -c "
import json; d = json.load(open('$work/once.json'))
assert len(d['recorders']) == 4 and all(r['verified'] == r['files'] and r['bag'] for r in d['recorders']), d['recorders']"
check "the four bags are queued, every object pending" python3 -c "
import sqlite3; c = sqlite3.connect('$journal')
assert c.execute(\"select count(distinct bag_name), sum(state != 'pending') from forward_object\").fetchone() == (4, 0)"
check "nothing was uploaded" test -z "$(objects)"
check "the bag holding the important recording is marked so in the queue" python3 -c "
import sqlite3; c = sqlite3.connect('$journal')
rows = c.execute('select bag_name from forward_bag where important = 1').fetchall()
assert [r[0][:7] for r in rows] == ['A100001'], rows"

# 2. The service, still outside the window, a rate cap set: recorderctl queue shows the order
# and why, the cap, and when forwarding resumes; --front moves a bag through the socket.
conf "forward-hours = $closed" "forward-rate-limit = 16Mbit/s"
"$gw" --simulate "$work/late.json" --config "$work/k.conf" --control-socket "$sock" > "$work/service.out" 2>&1 &
pid=$!
wait_for_text "$work/service.out" "outside the window, no upload starts; forwarding resumes at"
for _ in $(seq 600); do [ -S "$sock" ] && break; sleep 0.1; done
wait_for_text "$work/service.out" "all docks done"
check "queue exits 0 while forwarding waits for its hours" test "$(status "$ctl" queue --control-socket "$sock")" -eq 0
cp "$work/out" "$work/queue1.txt"
check "queue says the window is closed and when forwarding resumes" grep -q "^hours $closed (local time): closed now, nothing is uploaded; forwarding resumes at " "$work/queue1.txt"
check "queue shows the rate cap" grep -qx "rate limit 1.9 MiB/s (16 Mbit/s), all uploads together" "$work/queue1.txt"
"$ctl" queue --json --control-socket "$sock" > "$work/queue1.json"
check "the important bag is first, then the others oldest first, the late bag last" python3 - "$work/queue1.json" "$journal" <<'PY'
import json, sqlite3, sys
q = json.load(open(sys.argv[1]))
bags = [b for b in q["bags"] if b["position"] is not None]
assert [b["position"] for b in bags] == [1, 2, 3, 4, 5], bags
assert bags[0]["bag"].startswith("A100001") and bags[0]["order"] == "important", bags
assert all(b["order"] == "age" for b in bags[1:]) and bags[-1]["bag"].startswith("A100009"), bags
queued = dict(sqlite3.connect(sys.argv[2]).execute("select bag_name, queued_utc from forward_bag"))
ages = [(queued[b["bag"]], b["bag"]) for b in bags[1:]]
assert ages == sorted(ages), ages
assert q["hours"] and q["resumes"] and q["rateLimit"] == 2000000, q
assert all(b["verified"] == 0 for b in q["bags"]), q
PY
check "the text names each bag's reason" bash -c "grep -q '^  1 A100001.* important ' '$work/queue1.txt' && grep -q '^  5 A100009.* oldest first ' '$work/queue1.txt'"
front=$(python3 -c "import json; print([b['bag'] for b in json.load(open('$work/queue1.json'))['bags']][3])")
check "queue --front moves a bag to the front (exit 0)" test "$(status "$ctl" queue --front "$front" --control-socket "$sock")" -eq 0
check "and says so" grep -qx "bag $front moved to the front of the forward queue (position 1)" "$work/out"
"$ctl" queue --json --control-socket "$sock" > "$work/queue2.json"
check "the moved bag is first, for a technician, the important one second" python3 - "$work/queue2.json" "$front" <<'PY'
import json, sys
bags = json.load(open(sys.argv[1]))["bags"]
assert (bags[0]["bag"], bags[0]["order"], bags[0]["position"]) == (sys.argv[2], "moved-to-front", 1), bags
assert bags[1]["bag"].startswith("A100001") and bags[1]["order"] == "important", bags
PY
check "queue --front of a bag not in the queue exits 3" test "$(status "$ctl" queue --front NO_SUCH_BAG --control-socket "$sock")" -eq 3
check "naming it" grep -q "no bag NO_SUCH_BAG in the forward queue" "$work/err"
check "queue --front without a bag is a usage error" test "$(status "$ctl" queue --front --control-socket "$sock")" -eq 64
check "still nothing uploaded" test -z "$(objects)"
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
expected=$(python3 -c "import json; print(' '.join(b['bag'] for b in json.load(open('$work/queue2.json'))['bags'] if b['position']))")

# 3. A restart in an open window (no forward-hours), one upload at a time: the order survived
# the restart, and the bags reach the store in it.
conf
"$gw" --simulate "$work/late.json" --config "$work/k.conf" --control-socket "$sock" > "$work/service2.out" 2>&1 &
pid=$!
for _ in $(seq 600); do [ -S "$sock" ] && break; sleep 0.1; done
check "every bag is forwarded" wait_for_journal "$journal" \
  "select count(*) = 5 from (select bag_name from forward_object group by bag_name having sum(state != 'verified') = 0)"
wait_for_text "$work/k/store/audit/audit.jsonl" '"bag-forwarded"'
check "the bags were forwarded in queue order (bag-forwarded in the audit log)" python3 - "$work/k/store/audit/audit.jsonl" $expected <<'PY'
import json, sys
got = [json.loads(l)["detail"]["bag"] for l in open(sys.argv[1]) if json.loads(l)["event"] == "bag-forwarded"]
assert got == sys.argv[2:], (got, sys.argv[2:])
PY
check "and their objects arrived in that order (LastModified)" python3 - "$EP" "$B" $expected <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1])
times = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[2]):
    for o in page.get("Contents", []):
        if o["Key"].startswith("order/"):
            times.setdefault(o["Key"].split("/")[1], []).append(o["LastModified"])
order = sys.argv[3:]
assert sorted(times) == sorted(order), (sorted(times), order)
# Each bag's last object no later than the next bag's first (LastModified has whole seconds).
for a, b in zip(order, order[1:]):
    assert max(times[a]) <= min(times[b]), (a, max(times[a]), b, min(times[b]))
PY
check "queue --front of a forwarded bag exits 2 (nothing to move)" test "$(status "$ctl" queue --front "$front" --control-socket "$sock")" -eq 2
check "queue then shows every bag forwarded, none with a place" bash -c \
  "'$ctl' queue --json --control-socket '$sock' | python3 -c 'import json,sys; b=json.load(sys.stdin)[\"bags\"]; assert len(b) == 5 and all(x[\"position\"] is None and x[\"order\"] is None for x in b), b'"
check "and says hours always, no rate limit" bash -c "'$ctl' queue --control-socket '$sock' > '$work/q3'; grep -qx 'hours always' '$work/q3' && grep -qx 'rate limit none' '$work/q3'"
kill "$pid"; wait "$pid" 2>/dev/null; pid=""

[ "$failures" -eq 0 ] || { echo "$failures forward-order check(s) failed"; exit 1; }
