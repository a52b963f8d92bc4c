#!/usr/bin/env bash
# Vendor recorders through the whole gateway (issue 14, "the dance in the dock"):
# `recorder-gatewayd --simulate` docks an amba-ascii and an amba-ctrl recorder (Docs/simulator.md
# §13), each unlocked, switched, back on the same port as a FAT32 card made by mkfs.vfat and
# mtools, and read into a bag that bagit.py and `recorderctl verify` accept; the custody record
# says what was sent (the password as <password>), where each identity field came from (the
# assignment table) and that the clock offset is an estimate. Then the return faults, each on a
# fresh kiosk: never comes back, comes back too slow, comes back on another port (named outcome,
# nothing sealed, the next dock of the same kiosk collects everything); slow but within the
# wait; a storage disconnect mid-read (the next dock resumes the session). A refused password
# is remembered and withheld at the next dock until `recorderctl refusals --clear` clears it; a
# group-readable password file is refused at start; and the password appears nowhere in the
# store, the state or the output, also for a device that echoes it. `recorderctl diagnose` on a
# bay walks the dance: the step that failed, with the device's answer, and no password. A
# captured dock (--capture-dir) replays (--replay) into a fresh store with the same payload.
# Usage: vendor-dance.sh BIN_DIR
set -uo pipefail
bin="$1"
gw="$bin/recorder-gatewayd"
ctl="$bin/recorderctl"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
service=""
cleanup() { [ -n "$service" ] && kill "$service" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failures=0
. "$root/Tests/cli/support/checks.sh"

image="$work/card.img"
"$root/Tests/volumes/make-recorder-image.sh" "$image" > /dev/null 2>&1 || { echo "FAIL cannot make the test image"; exit 1; }
ascii_pw="Kq7x9Zp4"      # what the amba-ascii recorder takes (8 characters: the family's rule)
ctrl_pw="ctrl-Secret-42"
printf '%s\n' "$ascii_pw" > "$work/ascii.pw"; chmod 600 "$work/ascii.pw"
printf '%s\n' "$ctrl_pw" > "$work/ctrl.pw"; chmod 600 "$work/ctrl.pw"
printf 'WRONGPW1\n' > "$work/wrong.pw"; chmod 600 "$work/wrong.pw"
cat > "$work/assignments" <<'EOF'
# serial or device id = officer number, unit number, officer name, unit name
A1B2C3D  = 012345, 110101000000, 张三, 某某派出所
C7C7C7C  = 054321, 110102000000
EOF

# scenario FILE FAMILY SERIAL PORT PASSWORD FAULTS_JSON [STORAGE_FAULTS_JSON]: one vendor recorder.
scenario() {
    python3 - "$@" "$image" <<'PY'
import json, sys
path, family, serial, port, password, faults = sys.argv[1:7]
storage_faults = json.loads(sys.argv[7]) if len(sys.argv) > 8 else []
image = sys.argv[-1]
r = {"identity": {"serial": serial}, "port": port, "link": "usb2", "family": family, "password": password,
     "storage": {"image": image}}
vendor = {"faults": json.loads(faults)}
if family == "amba-ascii":
    vendor["deviceId"] = "CAM-" + serial
r["vendor"] = vendor
if storage_faults:
    r["storage"]["faults"] = storage_faults
json.dump({"schema": 1, "recorders": [r]}, open(path, "w"))
PY
}
# kiosk NAME [EXTRA_CONFIG_LINES] [WAIT]: $work/NAME/gw.conf with a scratch store and state.
# WAIT is storage-return-wait: generous (60 s) wherever the recorder is expected back, so a busy
# machine never makes a prompt return look late; 3 s only where it must not come back in time.
kiosk() {
    mkdir -p "$work/$1"
    printf 'store = %s\nstate = %s\nassignments = %s\nstorage-return-wait = %s\n%s' \
        "$work/$1/store" "$work/$1/state" "$work/assignments" "${3:-60}" "${2:-}" > "$work/$1/gw.conf"
}
# dock NAME SCENARIO: one --simulate --once run of kiosk NAME; $work/NAME/out.json, err, rc
# (appended to err.all, every run's stderr, for the password check).
dock() {
    timeout 600 "$gw" --simulate "$2" --config "$work/$1/gw.conf" --once --json --control-socket none \
        > "$work/$1/out.json" 2> "$work/$1/err"
    echo $? > "$work/$1/rc"
    cat "$work/$1/err" "$work/$1/out.json" >> "$work/stderr.all"
}
# expect NAME PYTHON: PYTHON is true of rs (the recorders' summaries, by serial), d and rc.
expect() {
    python3 - "$work/$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1] + "/out.json")); rc = int(open(sys.argv[1] + "/rc").read())
rs = {r["serial"]: r for r in d["recorders"]}
r = d["recorders"][0] if d["recorders"] else {}
ok = eval(sys.argv[2])
if not ok:
    print("     | rc %d, %s" % (rc, json.dumps(d["recorders"], ensure_ascii=False)[:2000]))
    print("".join("     | " + l for l in open(sys.argv[1] + "/err").readlines()[-10:]))
sys.exit(0 if ok else 1)
PY
}
bags() { ls "$work/$1/store/bags" 2>/dev/null | wc -l; }
# audit NAME PYTHON: PYTHON is true of es (the audit entries of kiosk NAME, in order).
audit() {
    python3 - "$work/$1/store/audit" "$2" <<'PY'
import glob, json, sys
es = []
for f in sorted(glob.glob(sys.argv[1] + "/*.jsonl")):
    es += [json.loads(l) for l in open(f) if l.strip()]
ok = eval(sys.argv[2])
if not ok:
    print("".join("     | %s %s\n" % (e.get("event"), json.dumps(e.get("detail", {}), ensure_ascii=False)[:200]) for e in es[-12:]))
sys.exit(0 if ok else 1)
PY
}

echo "# 1. both families docked end to end"
kiosk both
python3 - "$work/both.json" "$image" "$ascii_pw" "$ctrl_pw" <<'PY'
import json, sys
path, image, a, c = sys.argv[1:5]
json.dump({"schema": 1, "recorders": [
    {"identity": {"serial": "A1B2C3D"}, "port": "1-1.2", "link": "usb2", "family": "amba-ascii", "password": a,
     "vendor": {"deviceId": "CAM-0042"}, "storage": {"image": image}},
    {"identity": {"serial": "C7C7C7C"}, "port": "1-1.3", "link": "usb2", "family": "amba-ctrl", "password": c,
     "storage": {"image": image}}]}, open(path, "w"))
PY
dock both "$work/both.json"
check "both recorders completed, 13 files each, all verified (exit 0)" expect both \
    "rc == 0 and all(rs[s]['result'] == 'completed' and rs[s]['verified'] == 13 == rs[s]['files'] and rs[s]['dance']['outcome'] == 'returned' for s in ('A1B2C3D', 'C7C7C7C'))"
check "bagit.py validates both bags" bash -c "for b in '$work/both/store/bags'/*; do bagit.py --validate \"\$b\" 2>/dev/null || exit 1; done"
check "recorderctl verify --all accepts both" "$ctl" verify --all --store "$work/both/store"
check "the custody record of amba-ascii: steps with <password>, device id, sources, estimated clock" python3 - "$work/both/store/bags" <<'PY'
import glob, json, sys
c = json.load(open(glob.glob(sys.argv[1] + "/A1B2C3D_*/custody.json")[0]))
u = c["unlock"]
cmds = [s["command"] for s in u["steps"]]
ok = (u["family"] == "amba-ascii" and cmds[0] == "@Ver;8;00000000;#" and "@Gdv;8;<password>;#" in cmds and "@ATH;8;<password>;#" in cmds
      and u["deviceId"] == "CAM-0042" and c["recorder"]["hardwareId"] == "CAM-0042" and u["outcome"] == "returned"
      and u["identitySources"]["serial"] == "usb-serial" and u["identitySources"]["hardwareId"] == "device"
      and u["identitySources"]["officerNumber"] == "assignment-table" and c["recorder"]["officerNumber"] == "012345"
      and c["recorder"]["officerName"] == "张三" and u["clockEstimate"]["estimate"] is True and "returnedAfterMs" in u
      and u["returnWaitMs"] == 60000 and "clock" not in c)
sys.exit(0 if ok else print(json.dumps(u, ensure_ascii=False, indent=1)) or 1)
PY
check "the custody record of amba-ctrl: control transfers, no device id, officer from the table" python3 - "$work/both/store/bags" <<'PY'
import glob, json, sys
c = json.load(open(glob.glob(sys.argv[1] + "/C7C7C7C_*/custody.json")[0]))
u = c["unlock"]
ok = (u["family"] == "amba-ctrl" and len(u["steps"]) == 2 and u["steps"][0]["carriedPassword"] and not u["steps"][1]["carriedPassword"]
      and "deviceId" not in u and u["identitySources"]["hardwareId"] == "none" and c["recorder"]["officerNumber"] == "054321"
      and u["identitySources"]["officerName"] == "none" and u["clockSet"].startswith("not settable"))
sys.exit(0 if ok else print(json.dumps(u, ensure_ascii=False, indent=1)) or 1)
PY
check "the audit log has each step of the dance, in order" audit both \
    "[e['event'] for e in es if e.get('bay') == '1-1.3'][:8] == ['vendor-docked', 'unlock-step', 'unlock-step', 'unlock-ended', 'storage-awaited', 'vendor-departed', 'docked', 'identified'] and any(e['event'] == 'dance-ended' and e['detail']['outcome'] == 'returned' for e in es) and any(e['event'] == 'clock-offset' and e['detail'].get('estimate') == 'yes' for e in es)"

echo "# 2. the return faults: named outcome, nothing sealed, the next dock collects"
for fault in 'neverReturns|{"kind":"neverReturns"}|never-came-back' \
             'tooSlow|{"kind":"returnsAfter","milliseconds":15000}|never-came-back' \
             'elsewhere|{"kind":"returnsOnPort","port":"1-1.9"}|came-back-elsewhere'; do
    IFS='|' read -r name json outcome <<< "$fault"
    for family in amba-ascii amba-ctrl; do
        k="$name-$family"
        # 3 s where it must not come back in time; 15 s for "elsewhere", whose disk on the
        # other port must be seen within the wait for the outcome to name it.
        kiosk "$k" "" "$([ "$name" = elsewhere ] && echo 15 || echo 3)"
        pw=$([ "$family" = amba-ascii ] && echo "$ascii_pw" || echo "$ctrl_pw")
        scenario "$work/$k.json" "$family" A1B2C3D 1-1.2 "$pw" "[$json]"
        dock "$k" "$work/$k.json"
        cp "$work/$k/err" "$work/$k/err.first"
        check "$k: $outcome, interrupted, no bag, exit 1" expect "$k" \
            "rc == 1 and r['dance']['outcome'] == '$outcome' and r['result'] == 'interrupted' and r['files'] == 0 and r['released'] == 0"
        check "$k: nothing sealed" test "$(bags "$k")" -eq 0
        check "$k: the audit log names the outcome, after the wait and the departure" audit "$k" \
            "[e['event'] for e in es if e['event'] in ('storage-awaited', 'vendor-departed', 'dance-ended')] == ['storage-awaited', 'vendor-departed', 'dance-ended'] and any(e['event'] == 'dance-ended' and e['detail']['outcome'] == '$outcome' for e in es)"
        scenario "$work/$k-again.json" "$family" A1B2C3D 1-1.2 "$pw" "[]"
        sed -i 's/^storage-return-wait = .*/storage-return-wait = 60/' "$work/$k/gw.conf"
        dock "$k" "$work/$k-again.json"
        check "$k: the next dock collects all 13 files" expect "$k" "rc == 0 and r['result'] == 'completed' and r['verified'] == 13"
    done
done
check "elsewhere: the device on the other port is refused, said once" test "$(grep -c 'bay 1-1.9: mass-storage device not read: it did not arrive through an unlock on that port' "$work/elsewhere-amba-ascii/err.first")" -eq 1
check "elsewhere: and audited as refused" audit elsewhere-amba-ctrl "any(e['event'] == 'device-refused' and e['detail']['port'] == '1-1.9' for e in es)"

kiosk slow
scenario "$work/slow.json" amba-ascii A1B2C3D 1-1.2 "$ascii_pw" '[{"kind":"returnsAfter","milliseconds":800}]'
dock slow "$work/slow.json"
check "slow within the wait: returned, 13 verified" expect slow "rc == 0 and r['dance']['outcome'] == 'returned' and r['verified'] == 13"

kiosk cut
scenario "$work/cut.json" amba-ctrl C7C7C7C 1-1.2 "$ctrl_pw" '[]' '[{"kind":"disconnect","afterBytes":4194304}]'
dock cut "$work/cut.json"
check "a disk pulled mid-read: interrupted after the return" expect cut "rc == 1 and r['result'] == 'interrupted' and r['dance']['outcome'] == 'returned'"
scenario "$work/cut-again.json" amba-ctrl C7C7C7C 1-1.2 "$ctrl_pw" '[]'
dock cut "$work/cut-again.json"
check "the next dock resumes the session (resumed) and completes" expect cut \
    "rc == 0 and r['result'] == 'completed' and r['verified'] == 13 and any(a['code'] == 'resumed' for a in r['anomalies'])"

# A disk that comes back after the wait, the service still running: refused unread, as device
# mode refuses it (said once, audited device-refused), never read.
# The disk comes back 15 s after the switch, well past the 3 s wait even when a busy host runs
# the wait's end late.
kiosk late "" 3
scenario "$work/late.json" amba-ascii A1B2C3D 1-1.2 "$ascii_pw" '[{"kind":"returnsAfter","milliseconds":15000}]'
timeout 600 "$gw" --simulate "$work/late.json" --config "$work/late/gw.conf" --control-socket "$work/late/ctl.sock" \
    > "$work/late/service.out" 2> "$work/late/service.err" &
service=$!
check "late: the disk back after the wait is refused, said on stderr" \
    wait_for_text "$work/late/service.err" "1209:0003 did not arrive through an unlock on that port; not read"
kill "$service"; wait "$service" 2>/dev/null; service=""
cat "$work/late/service.err" "$work/late/service.out" >> "$work/stderr.all"
check "late: audited device-refused after the dance ended never-came-back, and nothing sealed" audit late \
    "[e['event'] for e in es if e['event'] in ('dance-ended', 'device-refused')] == ['dance-ended', 'device-refused'] and any(e['event'] == 'dance-ended' and e['detail']['outcome'] == 'never-came-back' for e in es) and any(e['event'] == 'device-refused' and e['detail']['port'] == '1-1.2' and e['detail']['usb'] == '1209:0003' for e in es) and not any(e['event'] == 'docked' for e in es)"
check "late: nothing sealed" test "$(bags late)" -eq 0

echo "# 3. a refused password is remembered, withheld, and cleared by a technician"
kiosk refused "vendor-password-file = $work/wrong.pw
"
scenario "$work/refused.json" amba-ascii A1B2C3D 1-1.2 "$ascii_pw" '[]'
dock refused "$work/refused.json"
check "the wrong password: password-refused, failed, no bag" expect refused \
    "rc == 1 and r['dance']['outcome'] == 'password-refused' and r['result'] == 'failed' and r['files'] == 0 and 'recorderctl refusals --clear' in r['dance']['detail']"
check "the device was sent the password once" grep -q 'received 2 commands, 1 carrying a password: Ver Gdv' "$work/refused/err"
dock refused "$work/refused.json"
check "the next dock withholds it: password-withheld, nothing sent with a password" expect refused \
    "rc == 1 and r['dance']['outcome'] == 'password-withheld' and 'earlier dock' in r['dance']['detail']"
check "the device received no command at all" grep -q 'received 0 commands, 0 carrying a password' "$work/refused/err"
sock="$work/refused/ctl.sock"
timeout 600 "$gw" --simulate "$work/refused.json" --config "$work/refused/gw.conf" --control-socket "$sock" > "$work/refused/service.out" 2> "$work/refused/service.err" &
service=$!
wait_for_text "$work/refused/service.err" "all docks done"
check "recorderctl refusals lists the recorder" bash -c "'$ctl' refusals --control-socket '$sock' | grep -q '^A1B2C3D  amba-ascii  refused '"
check "recorderctl refusals --clear an unknown recorder exits 3" test "$(status "$ctl" refusals --clear NOPE --control-socket "$sock")" -eq 3
check "recorderctl refusals --clear A1B2C3D clears it" bash -c "'$ctl' refusals --clear A1B2C3D --control-socket '$sock' | grep -q '^cleared: A1B2C3D'"
check "and the list is empty" bash -c "'$ctl' refusals --control-socket '$sock' | grep -q 'no recorder has refused'"
kill "$service"; wait "$service" 2>/dev/null; service=""
cat "$work/refused/service.err" "$work/refused/service.out" >> "$work/stderr.all"
printf 'store = %s\nstate = %s\nassignments = %s\nvendor-password-file = %s\n' "$work/refused/store" "$work/refused/state" \
    "$work/assignments" "$work/ascii.pw" > "$work/refused/gw.conf"
dock refused "$work/refused.json"
check "with the right password file the next dock collects" expect refused "rc == 0 and r['verified'] == 13"
check "the audit log says who cleared what" audit refused "any(e['event'] == 'password-refusal-cleared' and e.get('serial') == 'A1B2C3D' for e in es)"

echo "# 4. recorderctl diagnose walks the dance on one bay"
# diagnose_service NAME SCENARIO: kiosk NAME's service on SCENARIO with a control socket, until
# its docks are done; then recorderctl diagnose 1-1.2 into $work/NAME/diag (exit in diag.rc).
diagnose_service() {
    local sock="$work/$1/ctl.sock"
    timeout 600 "$gw" --simulate "$2" --config "$work/$1/gw.conf" --control-socket "$sock" > "$work/$1/service.out" 2> "$work/$1/service.err" &
    service=$!
    wait_for_text "$work/$1/service.err" "all docks done"
    "$ctl" diagnose 1-1.2 --control-socket "$sock" > "$work/$1/diag" 2>&1
    echo $? > "$work/$1/diag.rc"
    kill "$service"; wait "$service" 2>/dev/null; service=""
    cat "$work/$1/service.err" "$work/$1/service.out" "$work/$1/diag" >> "$work/stderr.all"
}
kiosk diag-refused "vendor-password-file = $work/wrong.pw
"
scenario "$work/diag-refused.json" amba-ascii A1B2C3D 1-1.2 "$ascii_pw" '[]'
diagnose_service diag-refused "$work/diag-refused.json"
check "diagnose after a refused password: the password's step FAILs with the device's answer, exit 1" bash -c "
  test \$(cat '$work/diag-refused/diag.rc') -eq 1 && grep -q '^PASS  vendor device  *amba-ascii on port 1-1.2' '$work/diag-refused/diag' &&
  grep -q '^PASS  unlock 1/2  *@Ver;8;00000000;#: Ver;OK' '$work/diag-refused/diag' &&
  grep -q '^FAIL  unlock 2/2  *@Gdv;8;<password>;# (carries the password): ERROR: password refused' '$work/diag-refused/diag' &&
  grep -q 'hint: .*vendor-password-file.*recorderctl refusals --clear RECORDER' '$work/diag-refused/diag' &&
  test \$(grep -c '^FAIL' '$work/diag-refused/diag') -eq 1 &&
  grep -q '^WARN  storage switch  *not reached' '$work/diag-refused/diag' && grep -q '^WARN  disk read  *not reached' '$work/diag-refused/diag'"
kiosk diag-never "vendor-password-file = $work/ctrl.pw
" 3
scenario "$work/diag-never.json" amba-ctrl C7C7C7C 1-1.2 "$ctrl_pw" '[{"kind":"neverReturns"}]'
diagnose_service diag-never "$work/diag-never.json"
check "diagnose after no return: the unlock and the switch PASS, the return FAILs naming the wait, exit 1" bash -c "
  test \$(cat '$work/diag-never/diag.rc') -eq 1 && grep -q '^PASS  unlock 1/1  *login: .*(carries the password): accepted' '$work/diag-never/diag' &&
  grep -q '^PASS  storage switch  *disk mode: .*: accepted' '$work/diag-never/diag' &&
  grep -q '^FAIL  return as mass storage  *did not come back' '$work/diag-never/diag' &&
  grep -q 'hint: .*cable.*storage-return-wait, now 3.000 s' '$work/diag-never/diag' && grep -q '^WARN  disk read  *not reached' '$work/diag-never/diag'"
check "diagnose's output holds neither password" bash -c \
    "! grep -qF -e WRONGPW1 -e '$ascii_pw' -e '$ctrl_pw' '$work/diag-refused/diag' '$work/diag-never/diag'"

echo "# 5. a vendor dock captured (--capture-dir): every step in order, never the password"
kiosk capture
timeout 600 "$gw" --simulate "$work/both.json" --config "$work/capture/gw.conf" --once --json --control-socket none \
    --capture-dir "$work/capture/files" > "$work/capture/out.json" 2> "$work/capture/err"
echo $? > "$work/capture/rc"
cat "$work/capture/err" "$work/capture/out.json" >> "$work/stderr.all"
check "captured: both recorders completed" expect capture "rc == 0 and all(r['result'] == 'completed' for r in d['recorders'])"
check "captured: one file per vendor dock, the unlock's steps in order, then the mass-storage wrappers" python3 - "$work/capture/files" <<'PY'
import glob, json, sys
ok = True
def lines(port):
    files = glob.glob("%s/%s-*.capture" % (sys.argv[1], port))
    assert len(files) == 1, files
    return [json.loads(l) for l in open(files[0])]
a, c = lines("1-1.2"), lines("1-1.3")
for name, ls, family in (("amba-ascii", a, "amba-ascii"), ("amba-ctrl", c, "amba-ctrl")):
    h = ls[0]
    if (h.get("format"), h.get("version"), h.get("family")) != ("recorder-gateway-transfer-capture", 1, family):
        print("     | header", h); ok = False
    events = [l["event"] for l in ls if "event" in l]
    want = ["link", "departed", "arrived", "link", "dance-ended", "dock-ended"]
    if [e for e in events if e in want] != want:
        print("     | %s events %s" % (name, events)); ok = False
    bulk = [l for l in ls if l.get("part") == "storage" and l.get("transfer") == "bulk"]
    if not bulk or bulk[0].get("bot") != "CBW" or any("hex" in l for l in bulk if l.get("bot") == "data") \
            or not any(l.get("bot") == "CSW" and l["hex"].startswith("55 53 42 53") for l in bulk):
        print("     | %s storage part wrong" % name); ok = False
sent = [l.get("text") for l in a if l.get("part") == "unlock" and l.get("transfer") == "bulk" and l.get("dir") == "out"]
if not (len(sent) == 5 and sent[0] == "@Ver;8;00000000;#" and sent[1] == "@Gdv;8;<password>;#" and sent[2].startswith("@Sdt;8;")
        and sent[3].startswith("@Stm;6;") and sent[4] == "@ATH;8;<password>;#"):
    print("     | amba-ascii sent", sent); ok = False
ctl = [l for l in c if l.get("part") == "unlock" and "transfer" in l]
setups = [(l["dir"], l["setup"]["bmRequestType"], l["setup"]["bRequest"], l["setup"]["wValue"], l["setup"]["wLength"]) for l in ctl]
if setups != [("out", "40", "55", "0080", 64), ("in", "c0", "55", "0080", 10), ("out", "40", "50", "0080", 64), ("in", "c0", "55", "0080", 10)] \
        or ctl[0]["hex"] != "a1 12 00 12 <password>" or not ctl[2]["hex"].startswith("a1 23 00 23 00"):
    print("     | amba-ctrl unlock", json.dumps(ctl)[:600]); ok = False
sys.exit(0 if ok else 1)
PY
check "captured: neither password in any file, as text, hex or base64" python3 - "$work/capture/files" "$ascii_pw" "$ctrl_pw" <<'PY'
import base64, glob, sys
blob = b"".join(open(f, "rb").read() for f in glob.glob(sys.argv[1] + "/*.capture"))
bad = []
for pw in sys.argv[2:]:
    b = pw.encode()
    forms = [b, b[:6], b.hex().encode(), b.hex().upper().encode(), " ".join("%02x" % x for x in b).encode()]
    forms += [base64.b64encode(b" " * pad + b)[4:12] for pad in range(3)]
    bad += [f for f in forms if f in blob]
sys.exit(1 if bad or not blob else 0)
PY

echo "# 5b. a vendor dock's capture replayed (--replay): the same bag payload, and a capture cut short fails by name"
# replay NAME CAPTURE: one --replay --once run of kiosk NAME; $work/NAME/out.json, err, rc.
replay() {
    timeout 600 "$gw" --replay "$2" --config "$work/$1/gw.conf" --once --json --control-socket none \
        > "$work/$1/out.json" 2> "$work/$1/err"
    echo $? > "$work/$1/rc"
    cat "$work/$1/err" "$work/$1/out.json" >> "$work/stderr.all"
}
for family in amba-ascii amba-ctrl; do
    if [ "$family" = amba-ascii ]; then port=1-1.2; serial=A1B2C3D; pw=ascii; else port=1-1.3; serial=C7C7C7C; pw=ctrl; fi
    captured=$(ls "$work/capture/files/$port"-*.capture 2>/dev/null | head -1)
    k="replay-$family"
    kiosk "$k" "vendor-password-file = $work/$pw.pw
"
    replay "$k" "$captured"
    check "$k: the unmodified dance runs against the capture: unlocked, returned, completed, all verified" expect "$k" \
        "rc == 0 and r['result'] == 'completed' and r['dance']['outcome'] == 'returned' and r['verified'] == r['files'] == 13"
    check "$k: the bag payload is byte for byte the captured dock's" bash -c \
        "a=\$(ls -d '$work/capture/store/bags/${serial}'_*); b=\$(ls -d '$work/$k/store/bags'/*_*); test -d \"\$a/data\" && test -d \"\$b/data\" && diff -r \"\$a/data\" \"\$b/data\""
    check "$k: recorderctl verify accepts the replayed bag" "$ctl" verify --all --store "$work/$k/store"
done
# Cut short: in the unlock (the login went out, its answer is not in the capture), and in the
# disk's commands (the reads the capture lacks are answered CHECK CONDITION).
ctrl_capture=$(ls "$work/capture/files/1-1.3"-*.capture | head -1)
kiosk cut-unlock "vendor-password-file = $work/ctrl.pw
"
head -n "$(grep -m1 -n '"part":"unlock","setup"' "$ctrl_capture" | cut -d: -f1)" "$ctrl_capture" > "$work/cut-unlock.capture"
replay cut-unlock "$work/cut-unlock.capture"
check "cut in the unlock: a named outcome (password-unconfirmed) saying what the capture lacks, exit 1, nothing sealed" bash -c "
  test \$(cat '$work/cut-unlock/rc') -eq 1 && test \$(ls '$work/cut-unlock/store/bags' 2>/dev/null | wc -l) -eq 0 &&
  python3 -c \"import json,sys; r=json.load(open('$work/cut-unlock/out.json'))['recorders'][0]; sys.exit(0 if r['dance']['outcome'] == 'password-unconfirmed' and 'the capture holds no control IN' in r['dance']['detail'] else 1)\""
kiosk cut-storage "vendor-password-file = $work/ctrl.pw
"
python3 -c "
import sys
lines = open(sys.argv[1]).readlines()
cbw = [i for i, l in enumerate(lines) if '\"bot\":\"CBW\"' in l]
open(sys.argv[2], 'w').writelines(lines[:cbw[len(cbw) // 2]])" "$ctrl_capture" "$work/cut-storage.capture"
replay cut-storage "$work/cut-storage.capture"
# The reads it lacks fail MEDIUM ERROR: those files are kept as incomplete copies, not released,
# for the next dock (as for any read error), and the run exits 1.
check "cut in the disk's commands: the reads it lacks named (read-failed, MEDIUM ERROR), incomplete, exit 1" expect cut-storage \
    "rc == 1 and r['incomplete'] > 0 and r['verified'] < r['files'] and any(a['code'] == 'read-failed' and 'MEDIUM ERROR' in a['detail'] for a in r['anomalies'])"

# A capture written before data phases were kept (lengths only) cannot give the disk back: refused, named.
kiosk old-capture "vendor-password-file = $work/ctrl.pw
"
python3 -c "
import json, sys
out = open(sys.argv[2], 'w')
for l in open(sys.argv[1]):
    d = json.loads(l); d.pop('data', None); out.write(json.dumps(d) + '\n')" "$ctrl_capture" "$work/old.capture"
replay old-capture "$work/old.capture"
check "a capture holding data phases as lengths only: refused, naming the line, exit 1, nothing sealed" bash -c "
  test \$(cat '$work/old-capture/rc') -eq 1 && grep -q 'old.capture:[0-9]*: a data phase of [0-9]* bytes held as its length only' '$work/old-capture/err' &&
  test \$(ls '$work/old-capture/store/bags' 2>/dev/null | wc -l) -eq 0"

echo "# 6. the password file, and the password nowhere"
kiosk loose "vendor-password-file = $work/loose.pw
"
printf '%s\n' "$ascii_pw" > "$work/loose.pw"; chmod 640 "$work/loose.pw"
"$gw" --simulate "$work/refused.json" --config "$work/loose/gw.conf" --once --control-socket none > /dev/null 2> "$work/loose/err"
echo $? > "$work/loose/rc"; cat "$work/loose/err" >> "$work/stderr.all"
check "a group-readable password file stops the service (exit 78), naming the mode, not the password" bash -c \
    "test \$(cat '$work/loose/rc') -eq 78 && grep -q 'mode 640' '$work/loose/err' && ! grep -qF '$ascii_pw' '$work/loose/err'"
for family in amba-ascii amba-ctrl; do
    k="echo-$family"
    pw=$([ "$family" = amba-ascii ] && echo "$ascii_pw" || echo "$ctrl_pw")
    kiosk "$k" "vendor-password-file = $work/$([ "$family" = amba-ascii ] && echo ascii || echo ctrl).pw
"
    scenario "$work/$k.json" "$family" A1B2C3D 1-1.2 "$([ "$family" = amba-ascii ] && echo "$pw" || echo wrong-one)" '[{"kind":"echoPassword"}]'
    dock "$k" "$work/$k.json"
    check "$k: a device that echoes the password ends the dance, named" expect "$k" "rc == 1 and r['dance']['outcome'] == ('password-unconfirmed' if '$family' == 'amba-ascii' else 'password-refused')"
done
check "the passwords appear nowhere: store, state, output of every run" bash -c \
    "! grep -rlaF -e '$ascii_pw' -e '${ascii_pw:0:6}' -e '$ctrl_pw' -e '${ctrl_pw:0:6}' '$work'/*/store '$work'/*/state '$work/capture/files' '$work/stderr.all'"

echo "$failures failure(s)"
exit $((failures > 0))
