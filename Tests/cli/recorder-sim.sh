#!/usr/bin/env bash
# recorder-sim from the outside: what a vendor engineer or a technician sees.
# Usage: recorder-sim.sh BIN_DIR
set -uo pipefail
bin="$1/recorder-sim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/support/checks.sh"

"$bin" example > "$work/example.json"
check "example is valid JSON" python3 -c "import json,sys; json.load(open('$work/example.json'))"

"$bin" describe "$work/example.json" --json > "$work/describe.json"
check "describe --json lists four recorders" python3 -c "
import json; d = json.load(open('$work/describe.json')); assert len(d['recorders']) == 4"

# The hash describe promises equals sha256sum of the bytes, computed outside Swift.
want=$(python3 -c "
import json; d = json.load(open('$work/describe.json'))
f = [f for f in d['recorders'][1]['files'] if f['id'] == 2][0]; print(f['sha256'])")
got=$("$bin" content "$work/example.json" A100002 2 | sha256sum | cut -d' ' -f1)
check "content of A100002 #2 hashes to what describe says" test "$want" = "$got"
size=$("$bin" content "$work/example.json" A100002 2 | wc -c)
check "content of A100002 #2 has its 6 MiB" test "$size" -eq 6291456

# A storage-corrupted file: describe gives the hash of what is served, and says what the device claims.
python3 - "$work/example.json" "$work/corrupt.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["recorders"] = s["recorders"][1:2]
s["recorders"][0]["faults"] = [{"kind": "corrupt", "recording": 2, "offset": 1000, "where": "storage"}]
json.dump(s, open(sys.argv[2], "w"))
PY
"$bin" describe "$work/corrupt.json" --json > "$work/corrupt-describe.json"
got=$("$bin" content "$work/corrupt.json" A100002 2 | sha256sum | cut -d' ' -f1)
check "storage corruption: content matches describe's sha256" python3 -c "
import json; d = json.load(open('$work/corrupt-describe.json'))
f = [f for f in d['recorders'][0]['files'] if f['id'] == 2][0]
assert f['sha256'] == '$got' and f['deviceSha256'] != f['sha256'] and f['sha256'] != '$want'"

# Bad input: a clear error naming the field, exit 65.
echo '{"schema": 1, "recorders": [{"identity": {"serial": "TOO-LONG-1"}, "password": "", "recordings": []}]}' > "$work/bad.json"
"$bin" describe "$work/bad.json" > "$work/out" 2> "$work/err"; rc=$?
check "invalid scenario exits 65" test "$rc" -eq 65
check "invalid scenario names the field" grep -q 'recorders\[0\].identity.serial' "$work/err"
"$bin" frobnicate > /dev/null 2>&1; rc=$?
check "unknown command exits 64" test "$rc" -eq 64
"$bin" describe /nonexistent.json > /dev/null 2> "$work/err"; rc=$?
check "missing file exits 65 and names it" bash -c "test $rc -eq 65 && grep -q /nonexistent.json '$work/err'"

# The demo: every file verified and released, as JSON.
python3 - "$work/example.json" "$work/small.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for r in s["recorders"]:
    r["link"] = "unlimited"
json.dump(s, open(sys.argv[2], "w"))
PY
"$bin" demo "$work/small.json" --json > "$work/demo.json"; rc=$?
check "demo exits 0" test "$rc" -eq 0
check "demo verifies and releases every file" python3 -c "
import json; d = json.load(open('$work/demo.json'))
assert d['ok'] and all(r['verified'] == r['files'] == r['released'] and not r['problems'] for r in d['recorders'])
assert sum(r['files'] for r in d['recorders']) == 13"

# A demo with a recorder whose hash is wrong: exit 1, the file named.
python3 - "$work/small.json" "$work/wrong.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["recorders"][3]["faults"] = [{"kind": "wrongDeviceHash", "recording": 1}]
json.dump(s, open(sys.argv[2], "w"))
PY
"$bin" demo "$work/wrong.json" > "$work/out"; rc=$?
check "demo with a wrong device hash exits 1" test "$rc" -eq 1
check "demo names the file that did not verify" grep -q 'file 1 (DCIM/100MEDIA/20261126_161500_0031.MP4).*not released' "$work/out"

# serve: one recorder on stdin/stdout, the framing Tests/umockdev bridges to USB.
check "serve answers HELLO with a HELLO reply" python3 - "$bin" "$work/example.json" <<'PY'
import struct, subprocess, sys
hello_payload = struct.pack("<BBI", 1, 1, 1 << 20) + struct.pack("<H", 4) + b"test"
def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF
head = b"ZFYR" + bytes([1, 1, 0, 0]) + struct.pack("<IHHII", 7, 0, 0, len(hello_payload), crc32c(hello_payload))
frame = head + struct.pack("<I", crc32c(head)) + hello_payload
p = subprocess.Popen([sys.argv[1], "serve", sys.argv[2], "--serial", "A100003"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(struct.pack("<I", len(frame)) + frame); p.stdin.flush()
n = struct.unpack("<I", p.stdout.read(4))[0]
reply = p.stdout.read(n)
p.stdin.close()
assert p.wait() == 0
assert reply[:4] == b"ZFYR" and reply[5] == 1 and reply[6] & 1 and struct.unpack("<I", reply[8:12])[0] == 7, reply.hex()
PY

[ "$failures" -eq 0 ] || { echo "$failures command-line check(s) failed"; exit 1; }
