#!/usr/bin/env bash
# recorderctl's offline commands, as a custodian uses them on a store the gateway wrote.
# Usage: recorderctl.sh BIN_DIR
set -uo pipefail
bin="$1"
ctl="$bin/recorderctl"
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/support/checks.sh"

"$bin/recorder-gatewayd" --simulate --store "$work/store" --once --json > /dev/null 2>&1
check "verify --all on a fresh store exits 0" test "$(status "$ctl" verify --all --store "$work/store")" -eq 0
check "verify --all lists four OK bags" test "$(grep -c '^OK ' "$work/out")" -eq 4
check "--store before the command gives the same four OK bags" bash -c \
  "'$ctl' --store '$work/store' verify --all | grep -c '^OK ' | grep -q '^4$'"
bag=$(ls "$work/store/bags" | head -1)
check "verify BAG by name exits 0" test "$(status "$ctl" verify "$bag" --store "$work/store")" -eq 0
check "verify --json says ok" bash -c "'$ctl' verify --all --store '$work/store' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"ok\"] and len(d[\"bags\"]) == 4 and all(b[\"trustedKey\"] for b in d[\"bags\"])'"
check "verify of a missing bag exits 3" test "$(status "$ctl" verify NO_SUCH_BAG --store "$work/store")" -eq 3
mkdir -p "$work/empty/bags"
check "verify --all of an empty store exits 2" test "$(status "$ctl" verify --all --store "$work/empty")" -eq 2

# One flipped byte in one payload file: exit 1, naming the file.
file=$(find "$work/store/bags/$bag/data" -type f | head -1)
chmod u+w "$file"
printf 'Z' | dd of="$file" bs=1 seek=7 conv=notrunc 2>/dev/null
check "a changed payload byte fails verify" test "$(status "$ctl" verify --all --store "$work/store")" -eq 1
check "the failure names the file" grep -q "${file#$work/store/bags/$bag/}: SHA-256" "$work/out"
# A forged custody record: the signature no longer verifies.
other=$(ls "$work/store/bags" | sed -n 2p)
chmod u+w "$work/store/bags/$other/custody.json"
sed -i 's/"officerName" : "[^"]*"/"officerName" : "Mallory"/' "$work/store/bags/$other/custody.json"
status "$ctl" verify "$other" --store "$work/store" > /dev/null
check "a changed custody record fails its signature" grep -q "custody.json.sig: does not verify" "$work/out"

# The audit log.
check "audit verify exits 0" test "$(status "$ctl" audit verify --store "$work/store")" -eq 0
check "audit show lists entries" bash -c "'$ctl' audit show --store '$work/store' | grep -q 'bag-finalized'"
check "audit show --since in the future has nothing" test "$(status "$ctl" audit show --since 2099-01-01T00:00:00Z --store "$work/store")" -eq 2
check "audit show --since with a bad time is a usage error" test "$(status "$ctl" audit show --since yesterday --store "$work/store")" -eq 64
sed -i '5s/"docked"/"undocked"/' "$work/store/audit/audit.jsonl"
check "an edited audit entry fails audit verify" test "$(status "$ctl" audit verify --store "$work/store")" -eq 1
check "the failure names line 5" grep -q "line 5" "$work/out"
check "audit on a store without a log exits 3" test "$(status "$ctl" audit verify --store "$work/empty")" -eq 3

# GPS logs.
"$bin/recorder-sim" example > "$work/example.json"
"$bin/recorder-sim" content "$work/example.json" A100001 4 > "$work/track.nmea"
check "gps convert to jsonl gives one line per second of the track" bash -c "test \$('$ctl' gps convert --to jsonl '$work/track.nmea' 2>/dev/null | wc -l) -eq 900"
check "gps convert to gpx is read by gpsbabel with the same points" bash -c "'$ctl' gps convert --to gpx '$work/track.nmea' > '$work/track.gpx' 2>/dev/null && test \$(gpsbabel -t -i gpx -f '$work/track.gpx' -o unicsv -F - | tail -n +2 | wc -l) -eq 900"
check "gps convert to geojson is a FeatureCollection" bash -c "'$ctl' gps convert --to geojson '$work/track.nmea' 2>/dev/null | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"type\"] == \"FeatureCollection\"'"
printf 'garbage\n$GPRMC,bad*00\n' > "$work/empty.nmea"
check "gps convert of a log without fixes exits 2" test "$(status "$ctl" gps convert --to jsonl "$work/empty.nmea")" -eq 2
check "gps convert of a missing file exits 3" test "$(status "$ctl" gps convert --to jsonl "$work/nope.nmea")" -eq 3
check "gps convert with an unknown format is a usage error" test "$(status "$ctl" gps convert --to kml "$work/track.nmea")" -eq 64

# The integrity report, recomputed from a bag.
"$bin/recorder-gatewayd" --simulate --store "$work/second/store" --once --json > /dev/null 2>&1
b3=$(ls "$work/second/store/bags" | grep A100003)
check "report of a bag with a sequence hole exits 1 (alert)" test "$(status "$ctl" report "$b3" --store "$work/second/store" --svg "$work/a3.svg")" -eq 1
check "report names the missing sequence number" grep -q "Sequence number 22 is missing" "$work/out"
check "report equals the report.txt sealed in the bag" cmp -s "$work/out" "$work/second/store/bags/$b3/report.txt"
check "report --svg writes one bar per recording" python3 -c "
import xml.etree.ElementTree as E
bars = [e for e in E.parse('$work/a3.svg').iter() if (e.get('class') or '').startswith('bar ')]
assert len(bars) == 2, len(bars)"
b1=$(ls "$work/second/store/bags" | grep A100001)
check "report --json carries the clock drift of a synced recorder" bash -c "'$ctl' report '$b1' --store '$work/second/store' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"clock\"][\"driftSecondsPerDay\"] is not None, d[\"clock\"]'"

# A file planted in a sealed bag and added to both manifests and Payload-Oxum: BagIt
# validates the bag, and only the signed custody record's file list shows the plant.
store2="$work/second/store"
pb="$store2/bags/$b1"
mkdir -p "$work/orig"
cp -p "$pb/manifest-sha256.txt" "$pb/tagmanifest-sha256.txt" "$pb/bag-info.txt" "$work/orig/"
chmod u+w "$pb" "$pb/data" "$pb/manifest-sha256.txt" "$pb/tagmanifest-sha256.txt" "$pb/bag-info.txt"
printf 'not footage from this recorder\n' > "$pb/data/PLANTED.MP4"
python3 - "$pb" <<'PY'
import hashlib, os, re, sys
bag = sys.argv[1]
def sha(p): return hashlib.sha256(open(os.path.join(bag, p), "rb").read()).hexdigest()
open(f"{bag}/manifest-sha256.txt", "a").write(f"{sha('data/PLANTED.MP4')}  data/PLANTED.MP4\n")
info = open(f"{bag}/bag-info.txt", encoding="utf-8").read()
b, n = map(int, re.search(r"Payload-Oxum: (\d+)\.(\d+)", info).groups())
size = os.path.getsize(f"{bag}/data/PLANTED.MP4")
open(f"{bag}/bag-info.txt", "w", encoding="utf-8").write(info.replace(f"Payload-Oxum: {b}.{n}", f"Payload-Oxum: {b + size}.{n + 1}"))
tags = [l.rstrip("\n").split("  ", 1)[1] for l in open(f"{bag}/tagmanifest-sha256.txt", encoding="utf-8")]
open(f"{bag}/tagmanifest-sha256.txt", "w", encoding="utf-8").write("".join(f"{sha(p)}  {p}\n" for p in tags))
PY
check "python3 -m bagit validates the bag with the planted file" bash -c "python3 -m bagit --validate '$pb' > /dev/null 2>&1"
check "verify of the bag with a planted file exits 1" test "$(status "$ctl" verify "$b1" --store "$store2")" -eq 1
check "the failure names the planted file as not in custody.json" grep -q "data/PLANTED.MP4: in manifest-sha256.txt but not in custody.json" "$work/out"
check "verify --json lists the planted file among the bag's problems" bash -c "'$ctl' verify '$b1' --store '$store2' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert not d[\"ok\"] and any(p.startswith(\"data/PLANTED.MP4: \") for p in d[\"bags\"][0][\"problems\"]), d'"
rm "$pb/data/PLANTED.MP4"
cp -p "$work/orig/manifest-sha256.txt" "$work/orig/tagmanifest-sha256.txt" "$work/orig/bag-info.txt" "$pb/"
check "verify --all passes again once the plant is undone" test "$(status "$ctl" verify --all --store "$store2")" -eq 0

# The audit log cut back to before the newest bag's anchor: what is left is a valid chain,
# and only the bags' signed anchors show the cut.
log="$store2/audit/audit.jsonl"
read -r anchored aseq ahash < <(python3 - "$store2/bags" <<'PY'
import json, os, sys
bags = sys.argv[1]
anchors = [(json.load(open(f"{bags}/{b}/custody.json", "rb"))["audit"], b) for b in sorted(os.listdir(bags))]
a, b = max(anchors, key=lambda x: x[0]["seq"])
print(b, a["seq"], a["hash"])
PY
)
cp -p "$log" "$work/audit.orig"
head -n "$((aseq - 1))" "$work/audit.orig" > "$log"
check "the cut log is still a valid chain by itself" bash -c "python3 - '$log' <<'PY'
import hashlib, json, sys
prev = '0' * 64
for n, line in enumerate(open(sys.argv[1], 'rb'), 1):
    e = json.loads(line); h = e.pop('hash')
    assert e['seq'] == n and e['prev'] == prev, n
    prev = h
PY"
check "audit verify of a log cut before an anchor exits 1" test "$(status "$ctl" audit verify --store "$store2")" -eq 1
check "audit verify reports the log as truncated" grep -q "truncated" "$work/out"
check "audit verify names the bag and its missing anchor" grep -q "$anchored.*seq $aseq.*$ahash" "$work/out"
check "audit verify --json says truncated and names the bag" bash -c "'$ctl' audit verify --store '$store2' --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert not d[\"ok\"] and d[\"truncated\"] and any(a[\"bag\"] == \"$anchored\" and not a[\"ok\"] for a in d[\"anchors\"]), d'"
check "verify --all of a store whose log was cut exits 1" test "$(status "$ctl" verify --all --store "$store2")" -eq 1
check "verify --all fails the bag whose anchor was cut off" grep -q "^FAIL  $anchored" "$work/out"
check "verify --all names the missing seq and hash" grep -q "seq $aseq.*$ahash" "$work/out"
check "verify BAG of that bag in its store exits 1" test "$(status "$ctl" verify "$anchored" --store "$store2")" -eq 1
cp -p "$work/audit.orig" "$log"
check "audit verify passes again with the whole log" test "$(status "$ctl" audit verify --store "$store2")" -eq 0
check "audit verify says how many bag anchors it found" grep -q "4 bag anchors" "$work/out"
mv "$log" "$work/audit.moved"
check "verify --all of a store whose log is gone exits 1" test "$(status "$ctl" verify --all --store "$store2")" -eq 1
check "audit verify of a store whose bags are anchored in a missing log exits 1" test "$(status "$ctl" audit verify --store "$store2")" -eq 1
mv "$work/audit.moved" "$log"

# The audit log in segments (audit-segment-size, Docs/evidence-format.md §6.6): a store whose
# log was sealed every 4 KiB. Python's json and hashlib check the segments, concatenated in the
# order of the seqs their names give, as one chain, independently of our verifier.
printf 'audit-segment-size = 4KiB\nstate = %s/segmented-state\n' "$work" > "$work/segments.conf"
"$bin/recorder-gatewayd" --config "$work/segments.conf" --simulate --store "$work/segmented" --once --json > /dev/null 2>&1
seglog="$work/segmented/audit"
check "a 4 KiB segment size seals the log into several segments and keeps an open one" bash -c \
  "test \$(ls '$seglog' | grep -c '^audit-[0-9]\{12\}\.jsonl\$') -ge 2 && test -s '$seglog/audit.jsonl'"
check "the segments, in order, are one chain from seq 1 by Python's hashlib" python3 - "$seglog" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
names = sorted((int(n[6:-6]), n) for n in os.listdir(d) if n.startswith("audit-")) + [(None, "audit.jsonl")]
prev, seq = "0" * 64, 0
for named, n in names:
    lines = open(os.path.join(d, n), "rb").read().decode().splitlines()
    assert named is None or json.loads(lines[0])["seq"] == named, (n, lines[0])
    for line in lines:
        e = json.loads(line)
        h = e.pop("hash")
        assert h == hashlib.sha256(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest(), line
        assert e["prev"] == prev and e["seq"] == seq + 1, line
        prev, seq = h, e["seq"]
assert seq > 20, seq
PY
check "audit verify walks every segment: exit 0, naming how many" bash -c \
  "'$ctl' audit verify --store '$work/segmented' > '$work/segout' && grep -q 'chain intact, all 4 bag anchors found' '$work/segout' && grep -q 'segments, the open one' '$work/segout'"
check "verify --all finds every anchor across the segments" test "$(status "$ctl" verify --all --store "$work/segmented")" -eq 0
check "audit show lists the entries of every segment, from seq 1" bash -c \
  "'$ctl' audit show --store '$work/segmented' | cut -f1 | paste -sd' ' | grep -q '^1 2 3 '"
second=$(ls "$seglog" | grep '^audit-' | sort | sed -n 2p)
next=$(ls "$seglog" | grep '^audit-' | sort | sed -n 3p); next=${next:-audit.jsonl}
mv "$seglog/$second" "$work/segment.moved"
check "a lost segment fails audit verify" test "$(status "$ctl" audit verify --store "$work/segmented")" -eq 1
check "the failure names the segment after the gap, line 1" grep -q "$next line 1: prev does not match the hash of the previous segment's last line" "$work/out"
mv "$work/segment.moved" "$seglog/$second"
check "with the segment back, audit verify passes" test "$(status "$ctl" audit verify --store "$work/segmented")" -eq 0

# Usage.
check "no command is a usage error" test "$(status "$ctl")" -eq 64
check "an unknown command is a usage error" test "$(status "$ctl" frobnicate)" -eq 64
check "an unknown option is a usage error" test "$(status "$ctl" verify --all --bogus --store "$work/store")" -eq 64
check "an unknown option before the command is a usage error naming it" bash -c \
  "test \$('$ctl' --bogus verify --all --store '$work/store' 2> '$work/e1'; echo \$?) -eq 64 && grep -q -- 'unknown option --bogus' '$work/e1'"
check "help verify explains verify" bash -c "'$ctl' help verify | grep -q 'Payload-Oxum'"
check "verify --help explains verify" bash -c "'$ctl' verify --help | grep -q 'Payload-Oxum'"

[ "$failures" -eq 0 ] || { echo "$failures recorderctl check(s) failed"; exit 1; }
