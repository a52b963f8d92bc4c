#!/usr/bin/env bash
# A mass-storage recorder through the whole gateway: `recorder-gatewayd --simulate` docks a
# scenario recorder whose "storage" is a FAT32 card made by mkfs.vfat and mtools (long Chinese
# names, a fragmented file, a deep directory; Tests/volumes/make-recorder-image.sh), served over
# the USB 2.0 link model. What it stores is compared with The Sleuth Kit reading the same image
# (fls -r -p for the paths under data/, icat for every file's bytes), the bag with bagit.py and
# the custody signature with openssl. Then faults, each on a fresh store: a disconnect
# mid-dock (interrupted, and the next dock resumes and completes), MEDIUM ERROR on blocks of one
# file (that file not verified, every other one verified), a unit that stays NOT READY (or
# becomes ready), and STALLs and wrong CSWs (recovered or interrupted, never a wrong file).
# Last, a card with two partitions: a bag per volume, and a stop between the first bag's rename
# and its ledger commit.
# Usage: mass-storage.sh BIN_DIR
set -uo pipefail
bin="$1"
gw="$bin/recorder-gatewayd"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
. "$root/Tests/cli/support/checks.sh"
compare() { python3 "$root/Tests/cli/support/sleuthkit_compare.py" "$@"; }

image="$work/card.img"
"$root/Tests/volumes/make-recorder-image.sh" "$image" || { echo "FAIL cannot make the test image"; exit 1; }
inode_of() { fls -r -p "$image" | grep -F "$1" | grep -v '^r/r \*' | sed 's/^r\/r \([0-9]*\):.*/\1/'; }
fragmented="DCIM/100MEDIA/执法记录仪_20261206_080000_碎片.MP4"
second="DCIM/100MEDIA/执法记录仪_20261206_081500_第二段视频.MP4"
check "the image has a fragmented file (istat: more than one run of sectors)" \
    test "$(istat -r "$image" "$(inode_of "$fragmented")" | grep -c 'Starting address')" -ge 2
listed=$(fls -r -p "$image" | grep -c '^r/r [0-9]')
# 14 allocated entries minus the volume label
check "the image has 13 files (fls -r -p)" test "$((listed - 1))" -eq 13

# scenario NAME FAULTS_JSON: $work/NAME/s.json, one storage recorder serving the image over usb2.
scenario() {
    mkdir -p "$work/$1"
    python3 - "$work/$1/s.json" "$image" "$2" <<'PY'
import json, sys
path, image, faults = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
storage = {"image": image, "inquiry": {"vendor": "TESTCAM", "product": "Body Recorder", "revision": "1.00"}}
if faults:
    storage["faults"] = faults
json.dump({"schema": 1, "recorders": [{"identity": {"serial": "M000001"}, "port": "1-1.2", "link": "usb2",
                                       "storage": storage}]}, open(path, "w"))
PY
}
# dock NAME [SCENARIO]: one --simulate --once run into $work/NAME/store; $work/NAME/out.json, rc.
dock() {
    local name=$1 s=${2:-$work/$1/s.json}
    timeout 600 "$gw" --simulate "$s" --store "$work/$name/store" --once --json --control-socket none \
        > "$work/$name/out.json" 2> "$work/$name/err"
    echo $? > "$work/$name/rc"
}
# expect NAME PYTHON: PYTHON is true of r (the one recorder's summary), d (the whole summary) and rc.
expect() {
    python3 - "$work/$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1] + "/out.json")); rc = int(open(sys.argv[1] + "/rc").read())
r = d["recorders"][0] if d["recorders"] else {}
ok = eval(sys.argv[2])
if not ok:
    print("     | rc %d, %s" % (rc, json.dumps(r, ensure_ascii=False)))
    print("".join("     | " + l for l in open(sys.argv[1] + "/err").readlines()[-15:]))
sys.exit(0 if ok else 1)
PY
}
# device NAME PYTHON: PYTHON is true of n (commands), reads, ops ({opcode: count}), controls and
# refused, from the gateway's line about what the simulated device received over the dock.
device() {
    python3 - "$work/$1/err" "$2" <<'PY'
import re, sys
lines = [l for l in open(sys.argv[1], errors="replace") if "the simulated mass-storage device received" in l]
m = re.search(r"received (\d+) commands \((\d+) reads; opcodes ([^)]*)\), (\d+) control requests, (\d+) refused wrappers", lines[-1] if lines else "")
if not m:
    print("     | no report of the simulated device in the log"); sys.exit(1)
n, reads, controls, refused = int(m.group(1)), int(m.group(2)), int(m.group(4)), int(m.group(5))
ops = {int(o.split("×")[0], 16): int(o.split("×")[1]) for o in m.group(3).split() if "×" in o}
ok = eval(sys.argv[2])
if not ok:
    print("     | " + lines[-1].strip())
sys.exit(0 if ok else 1)
PY
}
bags_validate() {
    local bag ok=0
    for bag in "$1"/bags/*/; do
        python3 -m bagit --validate "$bag" > /dev/null 2>&1 || { echo "     | bagit rejects $bag"; ok=1; }
        openssl pkeyutl -verify -pubin -inkey "$1/gateway.pub" -rawin -in "$bag/custody.json" \
            -sigfile "$bag/custody.json.sig" > /dev/null 2>&1 || { echo "     | signature fails in $bag"; ok=1; }
    done
    [ -n "$(ls "$1/bags" 2> /dev/null)" ] && return $ok
}

# 1. The main job: every file of the card, byte-exact, at its path.
scenario clean '[]'
dock clean
check "clean dock: exit status 0" expect clean "rc == 0"
check "clean dock: one recorder (serial M000001, its USB serial string), completed, all 13 files verified" \
    expect clean "len(d['recorders']) == 1 and r['serial'] == 'M000001' and r['result'] == 'completed' and r['files'] == 13 and r['verified'] == 13 and d['totals']['allVerified']"
check "clean dock: one bag, valid (bagit.py) and signed" bags_validate "$work/clean/store"
# The write-blocker over a whole dock, from the device's own log: TEST UNIT READY, REQUEST
# SENSE, INQUIRY, MODE SENSE(6), READ CAPACITY(10), SERVICE ACTION IN(16), READ(10), READ(16).
check "clean dock: the device received only allow-listed opcodes, and no wrapper it refused" \
    device clean "n > 0 and reads > 0 and set(ops) <= {0x00, 0x03, 0x12, 0x1A, 0x25, 0x9E, 0x28, 0x88} and refused == 0"
check "clean dock: custody paths are fls -r -p's (stored under data/ by the evidence format's rules), every file's bytes icat's" compare "$image" "$work/clean/store"
dock clean
check "a second dock of the same card finds nothing new" \
    expect clean "rc == 0 and r['files'] == 0 and r['alreadyIngested'] == r['listed'] == 13"

# 2. Unplugged after 4 MiB of data (in the middle of the files): interrupted, nothing wrong
# stored; docked again (no fault), the session resumes and completes.
scenario disconnect '[{"kind": "disconnect", "afterBytes": 4194304}]'
dock disconnect
check "disconnect mid-dock: interrupted (exit 1)" expect disconnect "rc == 1 and r['result'] == 'interrupted'"
check "disconnect mid-dock: the device was reading files when it went (READs after the volume's metadata)" \
    device disconnect "reads > 15"
check "disconnect mid-dock: whatever is stored is icat's bytes" compare "$image" "$work/disconnect/store" --partial
scenario disconnect '[]'
dock disconnect
check "disconnect, docked again: resumed, completed, all verified" \
    expect disconnect "rc == 0 and r['result'] == 'completed' and d['totals']['allVerified'] and any(a['code'] == 'resumed' for a in r['anomalies'])"
check "disconnect, docked again: every file at its path with icat's bytes" compare "$image" "$work/disconnect/store"
check "disconnect, docked again: the bags are valid and signed" bags_validate "$work/disconnect/store"

# 3. MEDIUM ERROR on 8 blocks inside one file: that file is not verified (its stored bytes, if
# any, are the ones before the bad block), every other file is.
first=$(istat -r "$image" "$(inode_of "$second")" | sed -n 's/.*Starting address: \([0-9]*\),.*/\1/p' | head -1)
scenario medium "[{\"kind\": \"mediumError\", \"firstBlock\": $((first + 300)), \"blocks\": 8}]"
dock medium
check "MEDIUM ERROR in one file: the dock completes, exit 1, one file not verified, 12 verified" \
    expect medium "rc == 1 and r['result'] == 'completed' and r['files'] == 13 and r['verified'] == 12 and r['quarantined'] + r['incomplete'] == 1"
check "MEDIUM ERROR in one file: the others at their paths with icat's bytes, the damaged one never wrong bytes" \
    compare "$image" "$work/medium/store" --incomplete "$second"

# 4. A unit that stays NOT READY: the dock fails after the driver's bounded wait, naming the
# bay's link and the sense, and stores nothing; one that becomes ready after three TEST UNIT
# READYs is docked in full.
scenario notready '[{"kind": "notReady"}]'
dock notready
check "NOT READY for good: the dock fails (exit 1), naming the link and NOT READY, no bag" \
    expect notready "rc == 1 and r['result'] == 'failed' and 'simulator 1-1.2' in r['reason'] and 'NOT READY' in r['reason'] and not r['bag']"
check "NOT READY for good: the device was asked TEST UNIT READY again and again, and never READ" \
    device notready "ops.get(0x00, 0) > 3 and reads == 0"
scenario notready '[{"kind": "notReady", "testUnitReadys": 3}]'
rm -rf "$work/notready/store" "$work/notready/state"
dock notready
check "NOT READY for three TEST UNIT READYs: then docked in full" expect notready "rc == 0 and d['totals']['allVerified'] and r['verified'] == 13"
check "NOT READY for three TEST UNIT READYs: every file at its path with icat's bytes" compare "$image" "$work/notready/store"

# 5. Transport faults: a STALL in a READ's data phase and before a CSW are cleared and the
# command retried (BOT §5.3.3, §6.7.2); a CSW with the wrong tag or residue, or a phase error,
# needs reset recovery. Each dock is recovered or interrupted, and nothing wrong is ever
# stored; an interrupted one completes at the next dock.
for fault in '{"kind": "stall", "phase": "data", "read": 20}' '{"kind": "stall", "phase": "status", "command": 25}' \
             '{"kind": "wrongTag", "command": 25}' '{"kind": "wrongResidue", "command": 30}' '{"kind": "phaseError", "command": 30}'; do
    label=$(python3 -c "import json, sys; f = json.loads(sys.argv[1]); print(' '.join(str(v) for v in f.values()))" "$fault")
    scenario transport "[$fault]"
    rm -rf "$work/transport/store" "$work/transport/state"
    dock transport
    # The fault is counted in commands or reads: the device's count says it was reached.
    reached=$(python3 -c "import json, sys; f = json.loads(sys.argv[1]); print('reads >= %d' % f['read'] if 'read' in f else 'n >= %d' % f['command'])" "$fault")
    check "$label: the fault was reached ($reached)" device transport "$reached"
    check "$label: recovered (completed, all verified) or interrupted" \
        expect transport "(rc == 0 and r['result'] == 'completed' and r['verified'] == 13) or (rc == 1 and r['result'] == 'interrupted')"
    check "$label: nothing stored differs from icat" compare "$image" "$work/transport/store" --partial
    if ! expect transport "r['result'] == 'completed'" > /dev/null 2>&1; then
        scenario transport '[]'
        dock transport
        check "$label: interrupted, then docked again: completed, all verified" expect transport "rc == 0 and d['totals']['allVerified']"
    fi
    check "$label: in the end every file at its path with icat's bytes" compare "$image" "$work/transport/store"
done

# 6. What the kiosk's line display says at the end: a mass-storage family has no release, so
# under release-after-verified the dock ends "done: verified, not released (…)", said once.
scenario display '[]'
printf 'release = release-after-verified\nstate = %s/display/state\n' "$work" > "$work/display/gateway.conf"
timeout 600 "$gw" --config "$work/display/gateway.conf" --simulate "$work/display/s.json" --store "$work/display/store" \
    --once --control-socket none > "$work/display/out" 2> "$work/display/err"
last_line() {
    local line
    # The display's lines are "BAY SERIAL PHASE[: NOTE]", one space apart (the summary table after it pads).
    line=$(grep -E '^1-1\.2 M000001 [a-z]' "$work/display/out" | tail -1)
    [[ "$line" == "$1"* ]] || { echo "     | last line: $line"; tail -5 "$work/display/err" | sed 's/^/     | /'; return 1; }
}
check "display: the bay's last line is done: verified, not released (13 recordings stay)" \
    last_line "1-1.2 M000001 done: verified, not released (13 verified recordings stay on the recorder"

# 7. A card with two partitions (MBR: FAT16 and FAT32 with the same tree, Tests/volumes/make-image.sh
# mbr): one dock, one bag per volume, each holding its volume's files at their paths on that
# volume. Then a stop (SIGKILL) right after the first volume's bag was renamed into bags/, before
# the ledger knew: the restart's recovery commits that bag, source keys and all, and the dock
# that follows seals the second volume only, with no file in two bags.
mkdir -p "$work/mbr-image"
"$root/Tests/volumes/make-image.sh" mbr "$work/mbr-image" || { echo "FAIL cannot make the two-partition image"; exit 1; }
mbr="$work/mbr-image/image.img"
sectors=$(paste -sd, "$work/mbr-image/volumes.txt")
first_files=$(fls -r -p -o "$(head -1 "$work/mbr-image/volumes.txt")" "$mbr" | grep -c '^r/r [0-9]')
all_files=$(for sector in $(cat "$work/mbr-image/volumes.txt"); do fls -r -p -o "$sector" "$mbr"; done | grep -c '^r/r [0-9]')
# Less each volume's label entry.
first_files=$((first_files - 1)) all_files=$((all_files - 2))
image="$mbr" scenario twovol '[]'
dock twovol
check "two partitions: one dock, completed, two bags (_v1, _v2), all $all_files files verified" \
    expect twovol "rc == 0 and len(d['recorders']) == 1 and r['files'] == r['verified'] == $all_files and d['totals']['allVerified'] and len(r['bags']) == 2 and r['bag'] == r['bags'][0] and r['bags'][0].endswith('_v1') and r['bags'][1].endswith('_v2')"
check "two partitions: both bags valid (bagit.py) and signed" bags_validate "$work/twovol/store"
check "two partitions: each bag holds its own volume's files as fls/icat read them at that volume's offset" \
    compare "$mbr" "$work/twovol/store" --volumes "$sectors"
check "two partitions: the audit log names each bag once, with its volume" python3 -c "
import json, os
bags = sorted(os.listdir('$work/twovol/store/bags'))
named = [e['detail'] for e in map(json.loads, open('$work/twovol/store/audit/audit.jsonl')) if e['event'] == 'bag-finalized']
assert sorted(d['bag'] for d in named) == bags and len(bags) == 2, (bags, named)
assert [d['volume'].split('@')[0] for d in named] == ['MBR-1', 'MBR-2'], named"
dock twovol
check "two partitions, docked again: nothing new, no bag" \
    expect twovol "rc == 0 and r['files'] == 0 and r['bags'] == [] and r['alreadyIngested'] == r['listed'] == $all_files"

mkdir -p "$work/twokill"
(RECORDER_GATEWAY_CRASH_AT=bag-renamed timeout 600 "$gw" --simulate "$work/twovol/s.json" --store "$work/twokill/store" \
    --once --json --control-socket none > /dev/null 2>&1; exit $?) 2> /dev/null; rc=$?
check "two partitions, stopped after the first bag's rename: the gateway died there (SIGKILL)" test "$rc" -eq 137
dock twokill "$work/twovol/s.json"
check "two partitions, restarted: the first volume is already collected, the dock seals the second volume's bag only" \
    expect twokill "rc == 0 and r['result'] == 'completed' and r['alreadyIngested'] == $first_files and r['files'] == $((all_files - first_files)) and len(r['bags']) == 1 and r['bags'][0].endswith('_v2')"
two_bags_valid() { [ "$(ls "$1/bags" | wc -l)" -eq 2 ] && bags_validate "$1"; }
check "two partitions, restarted: two bags in all, valid and signed" two_bags_valid "$work/twokill/store"
check "two partitions, restarted: each file once, in its volume's bag, with icat's bytes" \
    compare "$mbr" "$work/twokill/store" --volumes "$sectors"
check "two partitions, restarted: the ledger holds every file once with its source key, no session is open" python3 -c "
import sqlite3
c = sqlite3.connect('$work/twokill/state/journal.sqlite')
rows = c.execute('select source_key, bag_name from ledger').fetchall()
assert len(rows) == $all_files and all(len(k) == 32 for k, _ in rows), rows
assert len({b for _, b in rows}) == 2
assert c.execute(\"select count(*) from session where state = 'open'\").fetchone()[0] == 0
keys = sorted(v.split('@')[0] for (v,) in c.execute('select volume from session where bag_name in (select bag_name from ledger)'))
assert keys == ['MBR-1', 'MBR-2'], keys"

# A card whose 8.3 names are GBK (code page 936, no long names; mtools made it, Tests/volumes/
# make-image.sh gbk): with the model's driverOptions {"shortNameCodePage": "cp936"} in a device
# database of the kiosk's (RECORDER_GATEWAY_DEVICE_DB), the bag's paths are the names mtools
# lists; every file's bytes are icat's.
mkdir -p "$work/gbk/img"
"$root/Tests/volumes/make-image.sh" gbk "$work/gbk/img" || { echo "FAIL cannot make the gbk image"; failures=$((failures + 1)); }
python3 - "$root/Sources/RecorderHAL/recorders.json" "$work/gbk/recorders.json" "$work/gbk/img/image.img" "$work/gbk/s.json" <<'PY'
import json, sys
db = json.load(open(sys.argv[1]))
for m in db["models"]:
    if (m["vendorId"], m["productId"]) == ("1209", "0002"):
        m["driverOptions"] = {"shortNameCodePage": "cp936"}
json.dump(db, open(sys.argv[2], "w"))
json.dump({"schema": 1, "recorders": [{"identity": {"serial": "M000009"}, "port": "1-1.2", "storage": {"image": sys.argv[3]}}]},
          open(sys.argv[4], "w"))
PY
RECORDER_GATEWAY_DEVICE_DB="$work/gbk/recorders.json" dock gbk
check "a GBK card with the model's shortNameCodePage cp936: completed, every file verified" \
    expect gbk "rc == 0 and r['result'] == 'completed' and r['files'] == r['verified'] == 6"
check "a GBK card: the bag's paths are the names mtools lists in cp936, each with icat's bytes" python3 - "$work/gbk" <<'PY'
import glob, hashlib, subprocess, sys
work = sys.argv[1]
bag = glob.glob(work + "/store/bags/*")[0]
names = sorted(open(work + "/img/names.txt").read().split())
lines = [l.split(None, 1) for l in open(bag + "/manifest-sha256.txt")]
paths = sorted(p.strip()[len("data/"):] for _, p in lines)
assert paths == names, (paths, names)
listing = subprocess.run(["fls", "-r", "-p", "-u", work + "/img/image.img"], capture_output=True, text=True, errors="replace").stdout
inodes = [l.split(":")[0].split()[-1] for l in listing.splitlines() if l.startswith("r/r") and "Volume Label" not in l]
want = sorted(hashlib.sha256(subprocess.run(["icat", work + "/img/image.img", i], capture_output=True).stdout).hexdigest() for i in inodes)
assert sorted(d for d, _ in lines) == want, "bytes differ from icat's"
PY

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
