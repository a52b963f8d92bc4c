#!/usr/bin/env bash
# recorder-gatewayd from the outside: the main job, a SIGKILL in the middle of a file, a full
# disk, and configuration errors.
# Usage: gateway.sh BIN_DIR
set -uo pipefail
bin="$1"
gw="$bin/recorder-gatewayd"
sim="$bin/recorder-sim"
work=$(mktemp -d)
cleanup() { mountpoint -q "$work/small" 2>/dev/null && umount "$work/small"; rm -rf "$work"; }
trap cleanup EXIT
failures=0
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/support/checks.sh"

quietly() { "$@" > /dev/null 2>&1; }

validate_bags() { # every bag under $1 validates and its custody signature verifies
  local store="$1" bag ok=0
  for bag in "$store"/bags/*/; do
    python3 -m bagit --validate "$bag" >/dev/null 2>&1 || { echo "  bagit rejects $bag"; ok=1; }
    openssl pkeyutl -verify -pubin -inkey "$store/gateway.pub" -rawin -in "$bag/custody.json" \
      -sigfile "$bag/custody.json.sig" >/dev/null 2>&1 || { echo "  signature fails in $bag"; ok=1; }
  done
  return $ok
}

# 1. The main job: the built-in demo into a local store.
"$gw" --simulate --store "$work/demo/store" --once --json > "$work/demo.json"; rc=$?
check "main job exits 0" test "$rc" -eq 0
check "main job verified four recorders" python3 -c "
import json; d = json.load(open('$work/demo.json'))
assert d['totals']['recorders'] == 4 and d['totals']['allVerified'], d['totals']
assert all(r['result'] == 'completed' and r['verified'] == r['files'] for r in d['recorders'])"
check "main job bags validate and are signed" validate_bags "$work/demo/store"
check "key is private" test "$(stat -c %a "$work/demo/state/gateway.key")" = 600
"$gw" --simulate --store "$work/demo/store" --once --json > "$work/demo2.json"; rc=$?
check "a second run finds nothing new" python3 -c "
import json; d = json.load(open('$work/demo2.json'))
assert d['totals']['files'] == 0 and all(r['alreadyIngested'] == r['listed'] for r in d['recorders'])"

# 2. SIGKILL in the middle of a file, then a restart: same bytes, nothing lost or doubled.
"$sim" example | python3 -c "
import json, sys
s = json.load(sys.stdin)
r = s['recorders'][0]
r['recordings'] = [{'id': 1, 'kind': 'video', 'path': 'DCIM/BIG.MP4', 'size': '160MiB'},
                   {'id': 2, 'kind': 'video', 'path': 'DCIM/SMALL.MP4', 'size': '8MiB'}]
s['recorders'] = [r]
json.dump(s, open('$work/kill.json', 'w'))
"
want=$("$sim" describe "$work/kill.json" --json | python3 -c "import json,sys; print(' '.join(f['sha256'] for f in json.load(sys.stdin)['recorders'][0]['files']))")
# Each kill waits for its moment in the journal, not for a time: "opened" once the dock has
# planned its files (nothing durable yet), "durable" once the first 64 MiB of BIG.MP4 are.
for moment in opened durable; do
  rm -rf "$work/kill"
  "$gw" --simulate "$work/kill.json" --store "$work/kill/store" --once --json > /dev/null 2>&1 &
  pid=$!
  case $moment in
    opened)  sql="select count(*) from session_file" ;;
    durable) sql="select count(*) from session_file where recording_id = 1 and durable_offset >= 67108864" ;;
  esac
  check "SIGKILL once $moment: the moment came" wait_for_journal "$work/kill/state/journal.sqlite" "$sql"
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  "$gw" --simulate "$work/kill.json" --store "$work/kill/store" --once --json > "$work/kill-$moment.json"; rc=$?
  check "after SIGKILL once $moment the restart exits 0" test "$rc" -eq 0
  got=$(for f in BIG SMALL; do sha256sum "$work"/kill/store/bags/*/data/DCIM/$f.MP4 | cut -d' ' -f1; done | tr '\n' ' ' | sed 's/ $//')
  check "after SIGKILL once $moment the bag holds the recorder's exact bytes" test "$got" = "$want"
  check "after SIGKILL once $moment there is one bag" test "$(ls "$work/kill/store/bags" | wc -l)" -eq 1
  check "after SIGKILL once $moment the bag validates" validate_bags "$work/kill/store"
  check "after SIGKILL once $moment the restart continued the interrupted dock" python3 -c "
import json; r = json.load(open('$work/kill-$moment.json'))['recorders'][0]
assert any(a['code'] == 'resumed' for a in r['anomalies']), r['anomalies']
# Staging is fsynced every 64 MiB: once 64 MiB were durable, the restart does not pull them again.
assert '$moment' != 'durable' or r['bytes'] <= 168 * 2**20 - 64 * 2**20, r['bytes']"
done

# 2b. One gateway per store and state: a second one is refused, naming the lock and the holder.
"$gw" --simulate --store "$work/locked/store" --control-socket none > /dev/null 2> "$work/first.log" &
first=$!
check "a first gateway finishes its docks and keeps running" wait_for_text "$work/first.log" "all docks done"
"$gw" --simulate --store "$work/locked/store" --once > /dev/null 2> "$work/second.log"; rc=$?
check "a second gateway on the same store and state exits 74" test "$rc" -eq 74
check "the refusal names the lock and the first gateway's pid" \
  grep -q "locked/state/gateway.lock is locked by process $first" "$work/second.log"
kill "$first"; wait "$first" 2>/dev/null
"$gw" --simulate --store "$work/locked/store" --once > /dev/null 2>&1; rc=$?
check "once the first has stopped, the next one starts (the lock went with it)" test "$rc" -eq 0

# 2c. A stop at every step where the journal, staging, the bag or the audit log changes, by the
# crash points compiled into test builds (Sources/EvidenceStore/CrashPoint.swift): the restart loses
# nothing, seals one bag holding the exact bytes, and the audit log is whole and names it.
python3 - "$work/kill.json" "$work/steps.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["recorders"][0]["link"] = "unlimited"
s["recorders"][0]["recordings"][0]["size"] = "72MiB"
json.dump(s, open(sys.argv[2], "w"))
PY
want=$("$sim" describe "$work/steps.json" --json | python3 -c "import json,sys; print(' '.join(f['sha256'] for f in json.load(sys.stdin)['recorders'][0]['files']))")
for point in offset-recorded file-recorded bag-renamed bag-committed bag-audited released; do
  rm -rf "$work/step"
  printf 'store = %s\nstate = %s\nrelease = release-after-verified\n' "$work/step/store" "$work/step/state" > "$work/step.conf"
  # (In a subshell, so that bash's own "Killed" report goes to /dev/null too.)
  (RECORDER_GATEWAY_CRASH_AT=$point "$gw" --simulate "$work/steps.json" --config "$work/step.conf" --once \
    --control-socket none > /dev/null 2>&1; exit $?) 2> /dev/null; rc=$?
  check "stop at $point: the gateway died there (SIGKILL)" test "$rc" -eq 137
  "$gw" --simulate "$work/steps.json" --config "$work/step.conf" --once --json --control-socket none > "$work/step.json" 2> "$work/step.log"; rc=$?
  check "stop at $point: the restart exits 0" test "$rc" -eq 0
  got=$(for f in BIG SMALL; do sha256sum "$work"/step/store/bags/*/data/DCIM/$f.MP4 | cut -d' ' -f1; done | tr '\n' ' ' | sed 's/ $//')
  check "stop at $point: one bag, with the recorder's exact bytes" test "$(ls "$work/step/store/bags" | wc -l)-$got" = "1-$want"
  check "stop at $point: the bag validates" validate_bags "$work/step/store"
  check "stop at $point: the audit chain is whole" quietly "$bin/recorderctl" audit verify --store "$work/step/store"
  check "stop at $point: the audit log names the bag, the ledger holds both files" python3 -c "
import json, os, sqlite3
bag = os.listdir('$work/step/store/bags')[0]
entries = [json.loads(l) for l in open('$work/step/store/audit/audit.jsonl')]
assert any(e['event'] == 'bag-finalized' and e['detail']['bag'] == bag for e in entries), bag
c = sqlite3.connect('$work/step/state/journal.sqlite')
assert c.execute('select count(*) from ledger where quarantined = 0').fetchone()[0] == 2
assert c.execute(\"select count(*) from session where state = 'open'\").fetchone()[0] == 0"
done

# 3. A full disk: the dock stops cleanly, nothing is released, staging stays consistent.
mkdir -p "$work/small"
if mount -t tmpfs -o size=24m tmpfs "$work/small" 2>/dev/null; then
  printf 'store = %s\nstate = %s\nrelease = release-after-verified\n' "$work/small/store" "$work/full-state" > "$work/full.conf"
  python3 - "$work/kill.json" "$work/full.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["recorders"][0]["link"] = "unlimited"
# Each fits the 24 MiB filesystem (a larger one would not be read at all: implausible-size),
# together they do not.
s["recorders"][0]["recordings"][0]["size"] = "16MiB"
s["recorders"][0]["recordings"][1]["size"] = "16MiB"
json.dump(s, open(sys.argv[2], "w"))
PY
  "$gw" --simulate "$work/full.json" --config "$work/full.conf" --once --json > "$work/full-out.json"; rc=$?
  check "disk full exits 1" test "$rc" -eq 1
  check "disk full is reported as such, nothing released" python3 -c "
import json; r = json.load(open('$work/full-out.json'))['recorders'][0]
assert r['result'] == 'failed' and r['released'] == 0 and r['bag'] is None, r
assert any(a['code'] == 'disk-full' for a in r['anomalies']), r['anomalies']"
  check "disk full leaves no bag" test -z "$(ls "$work/small/store/bags")"
  check "disk full: the journal's offset never exceeds what staging holds" python3 -c "
import sqlite3, os, glob
db = sqlite3.connect('$work/full-state/journal.sqlite')
for sid, rid, off, path in db.execute('select f.session_id, f.recording_id, f.durable_offset, f.bag_path from session_file f'):
    files = glob.glob('$work/small/store/.staging/*/' + path)
    size = os.path.getsize(files[0]) if files else 0
    assert off <= size, (rid, off, size)
"
  umount "$work/small"
else
  echo "FAIL disk full: cannot mount a small tmpfs (the suite runs as root on the kiosk image)"
  failures=$((failures + 1))
fi

# 3b. The store's watermarks on a small store filled past each (store-high-watermark 40%,
# store-critical-watermark 75% of a 64 MiB tmpfs): a first recorder fills it to about half; the
# next run warns in the journal (<4>) and still docks, filling it past three quarters; the run
# after that refuses its recorder before anything is read (<2>, anomaly store-full), and the
# recorder keeps its footage for a kiosk with room.
mkdir -p "$work/wm"
if mount -t tmpfs -o size=64m tmpfs "$work/wm" 2>/dev/null; then
  printf 'store = %s\nstate = %s\nstore-high-watermark = 40%%\nstore-critical-watermark = 75%%\n' "$work/wm/store" "$work/wm-state" > "$work/wm.conf"
  for n in 1 2 3; do
    size=$(echo "30MiB 20MiB 5MiB" | cut -d' ' -f$n)
    printf '{"schema": 1, "recorders": [{"identity": {"serial": "W00000%s", "officerNumber": "000001"}, "port": "1-1", "password": "000000", "link": "unlimited", "recordings": [{"kind": "video", "path": "DCIM/V%s.MP4", "size": "%s"}]}]}\n' "$n" "$n" "$size" > "$work/wm$n.json"
    "$gw" --simulate "$work/wm$n.json" --config "$work/wm.conf" --once --json --control-socket none > "$work/wm$n.out" 2> "$work/wm$n.err"
    echo $? > "$work/wm$n.rc"
  done
  check "watermarks: below the high one, a dock is taken without a word" bash -c "test \$(cat '$work/wm1.rc') -eq 0 && ! grep -q '^<[0-9]>' '$work/wm1.err'"
  check "watermarks: past the high one, the journal warns (<4>) and the dock is still taken" bash -c "
    test \$(cat '$work/wm2.rc') -eq 0 && grep -q '^<4>recorder-gatewayd: the store $work/wm/store is .* full, .* free: past the high watermark 40.0%; new docks stop at 75.0%' '$work/wm2.err'"
  check "watermarks: past the critical one, the journal says so (<2>) and the dock is refused before anything is read" bash -c "
    test \$(cat '$work/wm3.rc') -eq 1 && grep -q '^<2>recorder-gatewayd: the store .* past the critical watermark 75.0%; new docks are refused until there is room' '$work/wm3.err'"
  check "watermarks: the refused dock is a store-full anomaly with no bag, the two earlier bags stay" python3 -c "
import json, os; r = json.load(open('$work/wm3.out'))['recorders'][0]
assert r['result'] == 'failed' and r['bag'] is None and r['files'] == 0 and [a['code'] for a in r['anomalies']] == ['store-full'], r
assert 'the recorder keeps its footage' in r['anomalies'][0]['detail'], r
assert len(os.listdir('$work/wm/store/bags')) == 2"
  umount "$work/wm"
else
  echo "FAIL watermarks: cannot mount a small tmpfs (the suite runs as root on the kiosk image)"
  failures=$((failures + 1))
fi

# 4. Configuration errors name the file, line and key.
printf 'store = /tmp/x\nrelase = keep\n' > "$work/bad.conf"
"$gw" --simulate --config "$work/bad.conf" --once > /dev/null 2> "$work/err"; rc=$?
check "a bad config exits 78" test "$rc" -eq 78
check "a bad config names file, line and key" grep -q "bad.conf:2: relase: unknown key" "$work/err"
"$gw" --simulate --once > /dev/null 2> "$work/err"; rc=$?
check "no store exits 64" test "$rc" -eq 64
printf 'store = /tmp/x\nverify-source = twice\n' > "$work/verify.conf"
"$gw" --simulate --config "$work/verify.conf" --once > /dev/null 2> "$work/err"; rc=$?
check "a bad verify-source exits 78" test "$rc" -eq 78
check "a bad verify-source is named" grep -q 'verify.conf:2: verify-source: "twice" is not always or before-release' "$work/err"
"$gw" --simulate --store "$work/v/store" --verify-source twice --once > /dev/null 2> "$work/err"; rc=$?
check "a bad --verify-source exits 64" test "$rc" -eq 64
check "a bad --verify-source is named" grep -q -- "--verify-source twice is not always or before-release" "$work/err"

# 5. Devices in their own process (--devices-out-of-process, Docs/simulator.md §12): a
# mass-storage recorder serving a FAT32 image made by mkfs.vfat + mcopy and a protocol-v1
# recorder, each a recorder-sim process; the bags hold what went onto the image.
mkdir -p "$work/oop"
head -c 3000001 /dev/urandom > "$work/oop/CLIP0001.MP4"
printf 'GPS track\n' > "$work/oop/track.txt"
truncate -s 40M "$work/oop/card.img"
quietly mkfs.vfat -F 32 "$work/oop/card.img"
MTOOLS_SKIP_CHECK=1 quietly mmd -i "$work/oop/card.img" ::DCIM ::GPS
MTOOLS_SKIP_CHECK=1 quietly mcopy -i "$work/oop/card.img" "$work/oop/CLIP0001.MP4" ::DCIM/CLIP0001.MP4
MTOOLS_SKIP_CHECK=1 quietly mcopy -i "$work/oop/card.img" "$work/oop/track.txt" ::GPS/track.txt
cat > "$work/oop/scenario.json" <<'JSON'
{"schema": 1, "recorders": [
  {"identity": {"serial": "M000001"}, "port": "1-1", "link": "unlimited", "storage": {"image": "card.img"}},
  {"identity": {"serial": "P000001", "officerNumber": "000001"}, "port": "1-2", "password": "000000", "link": "unlimited",
   "recordings": [{"kind": "video", "path": "DCIM/V0001.MP4", "size": "2MiB"}]}]}
JSON
"$gw" --simulate "$work/oop/scenario.json" --devices-out-of-process --device-command "$sim" --store "$work/oop/store" \
  --once --json --control-socket none > "$work/oop.json" 2> "$work/oop.err"; rc=$?
check "out of process: exits 0" test "$rc" -eq 0
check "out of process: both recorders verified" python3 -c "
import json; d = json.load(open('$work/oop.json'))
assert d['totals']['allVerified'] and d['totals']['recorders'] == 2 and 'P000001' in [r['serial'] for r in d['recorders']], d"
check "out of process: the bags validate and their signatures verify" validate_bags "$work/oop/store"
check "out of process: the image's files are in the bag as mcopy put them" bash -c "
  cmp '$work/oop/CLIP0001.MP4' $work/oop/store/bags/*/data/DCIM/CLIP0001.MP4 &&
  cmp '$work/oop/track.txt' $work/oop/store/bags/*/data/GPS/track.txt"
# The devices see end of input when the gateway lets go (at the latest at its exit): they end.
# ("[r]ecorder-sim" keeps the pattern from matching the shell that runs pgrep.)
devices_gone() {
  local i
  for i in $(seq 100); do
    pgrep -f -- "[r]ecorder-sim serve $work/oop/scenario.json" > /dev/null || return 0
    sleep 0.05
  done
  return 1
}
check "out of process: every device process ends" devices_gone
# Out of process, the driver comes from the device database as in process: a storage recorder
# whose USB ids the database does not list is refused by name, and --capture-dir says that the
# mass-storage dock it does take is not captured (the protocol-v1 dock is).
cat > "$work/oop/scenario2.json" <<'JSON'
{"schema": 1, "recorders": [
  {"identity": {"serial": "M000002"}, "port": "1-1", "link": "unlimited", "storage": {"image": "card.img"}},
  {"identity": {"serial": "X000001"}, "port": "1-3", "link": "unlimited", "storage": {"image": "card.img"},
   "usb": {"productId": "0007"}},
  {"identity": {"serial": "P000002", "officerNumber": "000001"}, "port": "1-2", "password": "000000", "link": "unlimited",
   "recordings": [{"kind": "video", "path": "DCIM/V0001.MP4", "size": "64KiB"}]}]}
JSON
mkdir -p "$work/oop/captures"
"$gw" --simulate "$work/oop/scenario2.json" --devices-out-of-process --device-command "$sim" --store "$work/oop/store3" \
  --capture-dir "$work/oop/captures" --once --json --control-socket none > "$work/oop2.json" 2> "$work/oop2.err"; rc=$?
check "out of process: a recorder the database does not list is refused by name" \
  grep -q "bay 1-3: USB device 1209:0007 with interface class 08 is not in the device database; ignored" "$work/oop2.err"
check "out of process: the other two are verified" python3 -c "
import json; d = json.load(open('$work/oop2.json'))
assert d['totals']['allVerified'] and d['totals']['recorders'] == 2 and 'P000002' in [r['serial'] for r in d['recorders']], d"
check "out of process: the mass-storage dock is said not to be captured" grep -q "bay 1-1: not captured" "$work/oop2.err"
check "out of process: the protocol-v1 dock is captured" bash -c "ls '$work/oop/captures'/1-2-*.capture"
"$gw" --simulate --devices-out-of-process --store "$work/oop/store2" --once > /dev/null 2> "$work/err"; rc=$?
check "--devices-out-of-process without a scenario file exits 64" test "$rc" -eq 64

[ "$failures" -eq 0 ] || { echo "$failures gateway check(s) failed"; exit 1; }
