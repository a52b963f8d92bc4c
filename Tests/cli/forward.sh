#!/usr/bin/env bash
# Forwarding to an S3 evidence store with Object Lock, against a real moto server with
# signature checking (Tests/peers/moto): verified, locked copies before release; a wrong secret;
# a store that is down, then back; SIGKILL mid-multipart; a 503 storm and bodies damaged in
# flight and connections reset mid-body (Tests/peers/s3-fault-proxy).
# Usage: forward.sh BIN_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)"
cd "$(dirname "$0")/../.."
root="$PWD"
gw="$bin/recorder-gatewayd"
work=$(mktemp -d)
failures=0
cleanup() { exec 3>&- 4>&- 2>/dev/null; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT
. Tests/cli/support/checks.sh

# moto runs while fd 3 (its standard input) stays open.
mkfifo "$work/moto.in"
python3 Tests/peers/moto serve < "$work/moto.in" > "$work/moto.json" 2> "$work/moto.err" &
exec 3> "$work/moto.in"
for _ in $(seq 120); do [ -s "$work/moto.json" ] && break; sleep 0.25; done
if [ ! -s "$work/moto.json" ]; then echo "FAIL moto did not start: $(cat "$work/moto.err")"; exit 1; fi
eval "$(python3 -c "import json; d=json.load(open('$work/moto.json')); print('EP=%s; AK=%s; SK=%s; B=%s; PB=%s' % (d['endpoint'], d['accessKeyId'], d['secretAccessKey'], d['bucket'], d['plainBucket']))")"
export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_DEFAULT_REGION=us-east-1

# WAIT is forward-wait: how long a dock waits for its bag to be verified in the store before it
# ends without releasing. Where a test expects the release it is a generous bound on that event
# (the dock ends as soon as the bag verifies), so a busy machine only makes the test slower; the
# 5 s ones are for stores that never answer.
conf() { # conf DIR BUCKET ENDPOINT WAIT
  printf 'store = %s/store\nstate = %s/state\nrelease = release-after-verified\nforward = s3://%s/kiosk-01\ns3-endpoint = %s\nforward-wait = %s\n' "$1" "$1" "$2" "$3" "$4" > "$1.conf"
}
run() { # run CONF OUT [ENV...]
  local c="$1" out="$2"; shift 2
  env "$@" timeout 900 "$gw" --simulate --config "$c" --once --json --control-socket none > "$out" 2> "$out.err"
  echo $?
}

# 1. The whole job: every bag forwarded, verified, locked; only then released.
mkdir -p "$work/k1"; conf "$work/k1" "$B" "$EP" 600
echo "part-size = 8MiB" >> "$work/k1.conf"   # the larger videos go up in parts
rc=$(run "$work/k1.conf" "$work/k1.json")
check "forwarding run exits 0" test "$rc" -eq 0
check "every bag is forwarded and every file released" python3 -c "
import json; d = json.load(open('$work/k1.json'))
assert all(r['forwarded'] and r['released'] == r['files'] == r['verified'] for r in d['recorders']), d['recorders']"
check "the store holds each file with our SHA-256 and a COMPLIANCE retention" python3 - "$work" "$EP" "$B" <<'PY'
import base64, glob, sys, boto3
work, ep, bucket = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=ep)
bag = sorted(glob.glob(work + "/k1/store/bags/*"))[0]
name = bag.rsplit("/", 1)[1]
for line in open(bag + "/manifest-sha256.txt"):
    digest, path = line.split(None, 1)
    head = s3.head_object(Bucket=bucket, Key="kiosk-01/%s/%s" % (name, path.strip()), ChecksumMode="ENABLED")
    size = head["ContentLength"]
    if size <= 8 << 20:   # a single PUT: the stored SHA-256 is the file's
        assert base64.b64decode(head["ChecksumSHA256"]).hex() == digest, head
    else:                 # multipart: a composite checksum, and the ETag says how many parts
        assert head["ETag"].strip('"').endswith("-%d" % -(-size // (8 << 20))), head
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockRetainUntilDate"], head
PY
check "a locked version cannot be deleted" python3 - "$work" "$EP" "$B" <<'PY'
import glob, sys, boto3, botocore
work, ep, bucket = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=ep)
name = sorted(glob.glob(work + "/k1/store/bags/*"))[0].rsplit("/", 1)[1]
key = "kiosk-01/%s/custody.json" % name
version = s3.head_object(Bucket=bucket, Key=key)["VersionId"]
try:
    s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] in ("AccessDenied", "InvalidRequest"), e
else:
    raise SystemExit("deleted a locked version")
PY
check "a bag downloaded back from the store validates" python3 - "$work" "$EP" "$B" <<'PY'
import glob, os, subprocess, sys, boto3
work, ep, bucket = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=ep)
name = sorted(glob.glob(work + "/k1/store/bags/*"))[0].rsplit("/", 1)[1]
prefix = "kiosk-01/%s/" % name
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):   # no Prefix: moto mis-signs %2F
    keys += [o["Key"] for o in page.get("Contents", []) if o["Key"].startswith(prefix)]
assert keys
for key in keys:
    target = os.path.join(work, "download", name, key[len(prefix):])
    os.makedirs(os.path.dirname(target), exist_ok=True)
    s3.download_file(bucket, key, target)
subprocess.run([sys.executable, "-m", "bagit", "--validate", os.path.join(work, "download", name)], check=True, capture_output=True)
PY

# recorderctl verify checks the store's copies too, and names one that was tampered with.
check "recorderctl verify --config checks each bag's copy in the store" bash -c "'$bin/recorderctl' verify --all --config '$work/k1.conf' | grep -c 'copy in s3://' | grep -q '^4$'"
# The part size is read from each copy's metadata, so changing part-size later does not make
# the earlier multipart copies look different.
sed 's/^part-size = .*/part-size = 16MiB/' "$work/k1.conf" > "$work/k1-16.conf"
check "verify after part-size changed still checks the multipart copies as uploaded" bash -c "'$bin/recorderctl' verify --all --config '$work/k1-16.conf' | grep -c 'copy in s3://' | grep -q '^4$'"
python3 - "$work" "$EP" "$B" <<'PY'
import glob, sys, boto3
work, ep, bucket = sys.argv[1:4]
name = sorted(glob.glob(work + "/k1/store/bags/*"))[0].rsplit("/", 1)[1]
# A new version over a locked one: the old stays, but the store now serves other bytes.
boto3.client("s3", endpoint_url=ep).put_object(Bucket=bucket, Key="kiosk-01/%s/bag-info.txt" % name, Body=b"tampered\n",
    ChecksumAlgorithm="SHA256")
PY
check "a copy replaced in the store fails verify, naming the file" bash -c "'$bin/recorderctl' verify --all --config '$work/k1.conf' > '$work/v.out'; test \$? -eq 1 && grep -q 'bag-info.txt: the store holds' '$work/v.out'"

# 2. A wrong secret: refused with a clear error, nothing released, everything kept locally.
mkdir -p "$work/k2"; conf "$work/k2" "$B" "$EP" 5
rc=$(run "$work/k2.conf" "$work/k2.json" AWS_SECRET_ACCESS_KEY=wrong-secret)
check "a wrong secret exits 1" test "$rc" -eq 1

check "a wrong secret is named" grep -q "SignatureDoesNotMatch" "$work/k2.json.err"
check "a wrong secret releases nothing but keeps every bag locally" python3 -c "
import json; d = json.load(open('$work/k2.json'))
assert all(r['released'] == 0 and r['verified'] == r['files'] and r['bag'] for r in d['recorders']), d['recorders']"

# 3. A bucket without Object Lock is refused while the configuration requires it.
mkdir -p "$work/k3"; conf "$work/k3" "$PB" "$EP" 5
rc=$(run "$work/k3.conf" "$work/k3.json")
check "a bucket without Object Lock is refused, nothing released" bash -c "test $rc -eq 1 && grep -q 'has no Object Lock' '$work/k3.json.err' && python3 -c \"
import json; assert all(r['released'] == 0 for r in json.load(open('$work/k3.json'))['recorders'])\""

# 4. The store down during the dock, back later: ingested locally now, released at a later dock.
mkdir -p "$work/k4"; conf "$work/k4" "$B" "http://127.0.0.1:9" 5
rc=$(run "$work/k4.conf" "$work/k4.json")
check "with the store down the recorders are ingested but not released" python3 -c "
import json; d = json.load(open('$work/k4.json'))
assert $rc == 1 and all(r['verified'] == r['files'] and r['released'] == 0 for r in d['recorders']), d['recorders']"
conf "$work/k4" "$B" "$EP" 600
rc=$(run "$work/k4.conf" "$work/k4-later.json")
check "when the store is back the queue drains and the next dock releases" python3 -c "
import json; d = json.load(open('$work/k4-later.json'))
assert $rc == 0 and sum(r['alreadyIngested'] for r in d['recorders']) == 13 and sum(r['released'] for r in d['recorders']) == 13, d['recorders']"

# 4b. Payload files changed on disk after the bag was sealed, while the store was away: the
# bytes are checked against the manifest as they are read for sending, so neither the
# multipart file nor the single-PUT file becomes an object; each is named; nothing is released.
one_recorder "$work/rot.json" '[{"id": 1, "kind": "video", "path": "DCIM/ROT.MP4", "size": "12MiB"}, {"id": 2, "kind": "photo", "path": "DCIM/ROT.JPG", "size": "300KiB"}, {"id": 3, "kind": "photo", "path": "DCIM/OK.JPG", "size": "200KiB"}]'
mkdir -p "$work/k7"; conf "$work/k7" "$B" "http://127.0.0.1:9" 5
echo "part-size = 5MiB" >> "$work/k7.conf"
timeout 300 "$gw" --simulate "$work/rot.json" --config "$work/k7.conf" --once --json --control-socket none > "$work/k7-down.json" 2>&1
python3 - "$work/k7" <<'PY'
import glob, os, sys
bag = glob.glob(sys.argv[1] + "/store/bags/*")[0]
for name in ("ROT.MP4", "ROT.JPG"):
    path = glob.glob(bag + "/data/**/" + name, recursive=True)[0]
    os.chmod(path, 0o644)
    with open(path, "r+b") as f:   # one bit, late in the file (the last part of the MP4)
        f.seek(os.path.getsize(path) - 1000); b = f.read(1); f.seek(-1, 1); f.write(bytes([b[0] ^ 1]))
PY
conf "$work/k7" "$B" "$EP" 60
echo "part-size = 5MiB" >> "$work/k7.conf"
timeout 300 "$gw" --simulate "$work/rot.json" --config "$work/k7.conf" --once --json --control-socket none \
  > "$work/k7.json" 2> "$work/k7.json.err"; rc=$?
check "files changed after sealing never become objects, each is named, nothing is released" python3 - "$work" "$EP" "$B" "$rc" <<'PY'
import glob, json, os, sys, boto3
work, ep, bucket, rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
d = json.load(open(work + "/k7.json"))
assert rc != 0 and d["recorders"] and all(r["released"] == 0 and not r.get("forwarded") for r in d["recorders"]), (rc, d)
failed = {}
for line in open(work + "/k7/store/audit/audit.jsonl"):
    e = json.loads(line)
    if e["event"] == "forward-failed":
        failed[e["detail"]["path"]] = e["detail"]["reason"]
rot = sorted(p for p in failed if "ROT." in p)
assert len(rot) == 2 and all("changed" in failed[p] for p in rot), failed
name = os.path.basename(glob.glob(work + "/k7/store/bags/*")[0])
s3 = boto3.client("s3", endpoint_url=ep)
keys = [v["Key"] for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
        for v in page.get("Versions", []) if v["Key"].startswith("kiosk-01/%s/" % name)]
assert not [k for k in keys if "ROT." in k], keys
assert [k for k in keys if k.endswith("OK.JPG")], keys
uploads = [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) if name in u["Key"]]
assert not uploads, uploads
print("     (%s)" % "; ".join("%s: %s" % (p, failed[p][:150]) for p in rot))
PY

# 4c. Local retention (prune-after-days, Docs/operations.md): with 0 days, every bag whose
# objects are all verified in the store leaves the local disk once checked there again; the
# audit log names each bag and its remote copy and still verifies; the ledger remembers what was
# collected (a second dock pulls nothing); a bag whose copy is gone from the store stays; with
# the store down nothing is pruned.
mkdir -p "$work/k9"; conf "$work/k9" "$B" "$EP" 600
sed -i 's/^release = .*/release = keep/' "$work/k9.conf"
rc=$(run "$work/k9.conf" "$work/k9-keep.json")
check "retention: a first run with the default (keep) forwards and keeps all 4 bags" bash -c "test $rc -eq 0 && test \$(ls '$work/k9/store/bags' | wc -l) -eq 4"
gone=$(ls "$work/k9/store/bags" | head -1)
python3 -c "
import boto3, sys
boto3.client('s3', endpoint_url='$EP').delete_object(Bucket='$B', Key='kiosk-01/$gone/bag-info.txt')"
echo "prune-after-days = 0" >> "$work/k9.conf"
rc=$(run "$work/k9.conf" "$work/k9.json")
check "retention: the second run pulls nothing (the ledger remembers) and prunes" python3 -c "
import json; d = json.load(open('$work/k9.json'))
assert sum(r['alreadyIngested'] for r in d['recorders']) == 13 and sum(r['files'] for r in d['recorders']) == 0, d['recorders']"
check "retention: the bags verified in the store are gone from the local store, the one whose copy lost a file stays" \
    bash -c "test \"\$(ls '$work/k9/store/bags')\" = '$gone'"
check "retention: the bag that stays is named with its reason" grep -q "bag $gone stays in the local store: its copy s3://$B/kiosk-01/$gone/ does not verify now: bag-info.txt" "$work/k9.json.err"
check "retention: one bag-pruned audit entry per pruned bag, naming its remote copy and object count" python3 - "$work/k9/store" "$B" "$gone" <<'PY'
import json, sys
store, bucket, gone = sys.argv[1:4]
pruned = [e for e in map(json.loads, open(store + "/audit/audit.jsonl")) if e["event"] == "bag-pruned"]
assert len(pruned) == 3, pruned
for e in pruned:
    d = e["detail"]
    assert d["bag"] != gone and d["remote"] == "s3://%s/kiosk-01/%s/" % (bucket, d["bag"]) and int(d["objects"]) >= 5, d
PY
check "retention: the audit log and the remaining bag still verify" bash -c "
  '$bin/recorderctl' audit verify --store '$work/k9/store' > /dev/null && '$bin/recorderctl' verify --all --store '$work/k9/store' > /dev/null"
check "retention: the journal forgot the pruned bags' files and queue rows, the ledger kept all 13 recordings" python3 - "$work/k9/state/journal.sqlite" "$gone" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); gone = sys.argv[2]
assert db.execute("SELECT COUNT(DISTINCT bag_name) FROM forward_object").fetchone()[0] == 1
assert db.execute("SELECT COUNT(*) FROM forward_object WHERE bag_name != ?", (gone,)).fetchone()[0] == 0
assert db.execute("SELECT COUNT(*) FROM session_file f JOIN session s ON s.id = f.session_id WHERE s.bag_name != ?", (gone,)).fetchone()[0] == 0
assert db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == 13
PY
check "retention: each pruned bag's custody record is still in the store" python3 - "$work/k9/store" "$EP" "$B" <<'PY'
import boto3, json, sys
store, ep, bucket = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=ep)
pruned = [e["detail"]["bag"] for e in map(json.loads, open(store + "/audit/audit.jsonl")) if e["event"] == "bag-pruned"]
for bag in pruned:
    s3.head_object(Bucket=bucket, Key="kiosk-01/%s/custody.json" % bag)
assert len(pruned) == 3, pruned
PY
mkdir -p "$work/k10"; conf "$work/k10" "$B" "http://127.0.0.1:9" 5
echo "prune-after-days = 0" >> "$work/k10.conf"
rc=$(run "$work/k10.conf" "$work/k10.json")
check "retention: with the store down nothing is pruned" bash -c "test \$(ls '$work/k10/store/bags' | wc -l) -eq 4 && ! grep -q bag-pruned '$work/k10/store/audit/audit.jsonl'"

# 4d. A kiosk restarted on bags sealed while the store was away: the service itself (no
# --simulate, no recorder docked) with --once forwards them and exits only once the queue has
# drained (it used to exit after 3 s idle with the upload still running). 120 MiB in 5 MiB parts
# keeps the upload going well past those 3 s.
one_recorder "$work/krestart.scenario.json" '[{"id": 1, "kind": "video", "path": "DCIM/LONG.MP4", "size": "120MiB"}]'
mkdir -p "$work/krestart"; conf "$work/krestart" "$B" "http://127.0.0.1:9" 5
rc=$(timeout 900 "$gw" --simulate "$work/krestart.scenario.json" --config "$work/krestart.conf" --once --json --control-socket none > "$work/krestart.json" 2> "$work/krestart.json.err"; echo $?)
check "with the store down the bag is sealed locally, not forwarded" python3 -c "
import json; d = json.load(open('$work/krestart.json'))
assert $rc == 1 and all(r['verified'] == r['files'] and not r['forwarded'] for r in d['recorders']), d['recorders']"
conf "$work/krestart" "$B" "$EP" 600
echo "part-size = 5MiB" >> "$work/krestart.conf"
rc=$(timeout 900 "$gw" --config "$work/krestart.conf" --once --json --control-socket none --status-listen 127.0.0.1:0 > "$work/krestart-restart.json" 2> "$work/krestart-restart.err"; echo $?)
check "the service restarted with --once forwards the sealed bag and exits 0 once the queue has drained" python3 - "$work/krestart" "$rc" <<'PY'
import json, os, sys
d, rc = sys.argv[1], int(sys.argv[2])
bags = os.listdir(d + "/store/bags")
events = [json.loads(line) for line in open(d + "/store/audit/audit.jsonl")]
forwarded = [e["detail"].get("bag") for e in events if e["event"] == "bag-forwarded"]
assert rc == 0, rc
assert len(bags) == 1 and forwarded == bags, (bags, forwarded)
assert [e["detail"].get("mode") for e in events if e["event"] == "gateway-started"][-1] == "usb"
PY

# 5. The gateway SIGKILLed in the middle of a multipart upload: the restart continues the same
# upload (ListParts) and leaves nothing abandoned in the store.
one_recorder "$work/big.json" '[{"id": 1, "kind": "video", "path": "DCIM/BIG.MP4", "size": "120MiB"}]'
mkdir -p "$work/k5"; conf "$work/k5" "$B" "$EP" 600
echo "part-size = 5MiB" >> "$work/k5.conf"
"$gw" --simulate "$work/big.json" --config "$work/k5.conf" --once --json --control-socket none > /dev/null 2>&1 &
gpid=$!
wait_for_upload_id "$work/k5/state/journal.sqlite" 0.4   # a few parts in
kill -9 "$gpid" 2>/dev/null; wait "$gpid" 2>/dev/null
rc=$(run "$work/k5.conf" "$work/k5.json")
check "after SIGKILL mid-multipart the restart exits 0 with the bag forwarded" python3 -c "
import json; d = json.load(open('$work/k5.json'))
assert $rc == 0 and d['totals']['allVerified'], d"
check "the restart continued the multipart upload" grep -q "resuming the multipart upload" "$work/k5.json.err"
check "no multipart upload is left abandoned in the store" python3 -c "
import boto3; s3 = boto3.client('s3', endpoint_url='$EP')
assert not s3.list_multipart_uploads(Bucket='$B').get('Uploads'), s3.list_multipart_uploads(Bucket='$B').get('Uploads')"

# 5b. The same, but part-size changed before the restart: the upload cut at 5 MiB is not
# continued at 8 MiB (its object would carry the wrong part size); it is aborted and started
# over, and the object then verifies at the size it records.
mkdir -p "$work/k8"; conf "$work/k8" "$B" "$EP" 600
echo "part-size = 5MiB" >> "$work/k8.conf"
"$gw" --simulate "$work/big.json" --config "$work/k8.conf" --once --json --control-socket none > /dev/null 2>&1 &
gpid=$!
wait_for_upload_id "$work/k8/state/journal.sqlite" 0.4
kill -9 "$gpid" 2>/dev/null; wait "$gpid" 2>/dev/null
sed -i 's/^part-size = .*/part-size = 8MiB/' "$work/k8.conf"
rc=$(run "$work/k8.conf" "$work/k8.json")
check "after a part-size change the interrupted upload starts over and the object records 8 MiB parts" python3 - "$work" "$EP" "$B" "$rc" <<'PY'
import glob, json, os, sys, boto3
work, ep, bucket, rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
d = json.load(open(work + "/k8.json"))
assert rc == 0 and d["totals"]["allVerified"], (rc, d)
err = open(work + "/k8.json.err").read()
assert "resuming the multipart upload" not in err, err[-2000:]
# The restart docks the example recorders too: the bag of the interrupted dock is the one with BIG.MP4.
name = [os.path.basename(b) for b in glob.glob(work + "/k8/store/bags/*") if glob.glob(b + "/data/**/BIG.MP4", recursive=True)][0]
s3 = boto3.client("s3", endpoint_url=ep)
versions = [v for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)   # no Prefix: moto mis-signs %2F
            for v in page.get("Versions", []) if v["Key"].startswith("kiosk-01/%s/" % name) and v["Key"].endswith("BIG.MP4")]
assert len(versions) == 1, versions
head = s3.head_object(Bucket=bucket, Key=versions[0]["Key"], VersionId=versions[0]["VersionId"])
assert head["Metadata"].get("recorder-gateway-part-size") == str(8 << 20), head["Metadata"]
assert head["ETag"].strip('"').endswith("-15"), head["ETag"]   # 120 MiB in 8 MiB parts
left = [u for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) if name in u["Key"]]
assert not left, left
PY
check "recorderctl verify --config accepts that object" bash -c "'$bin/recorderctl' verify --all --config '$work/k8.conf' > '$work/k8-verify.out'"

# 6. Faults on the way, through Tests/peers/s3-fault-proxy in front of moto: a storm of 40 answers
# 503 SlowDown, then one part and one PUT whose bodies are damaged in flight, and one part and
# one PUT whose connection is reset halfway through the body. moto does not check Content-MD5,
# so only the gateway's own check (the ETag against the MD5 sent) can notice the damage.
start_fault_proxy --upstream "$EP" --storm 12:40 --corrupt-part 2 --corrupt-put 3 \
  --reset-part 4 --reset-put 5 --log "$work/proxy.log"
mkdir -p "$work/k6"; conf "$work/k6" "$B" "$PEP" 600
echo "part-size = 5MiB" >> "$work/k6.conf"
rc=$(run "$work/k6.conf" "$work/k6.json")
exec 4>&-
check "through a 503 storm, damaged bodies and reset connections every bag is forwarded and every file released" python3 -c "
import json; d = json.load(open('$work/k6.json'))
assert $rc == 0 and all(r['forwarded'] and r['released'] == r['files'] == r['verified'] for r in d['recorders']), d['recorders']"
check "the proxy answered 40 requests 503 SlowDown, damaged one part and one PUT, reset one part and one PUT" python3 -c "
import json; log = [json.loads(l) for l in open('$work/proxy.log')]
assert sum(r['fault'] == 'storm' for r in log) == 40, log
for fault in ('corrupted', 'reset'):
    hit = [r for r in log if r['fault'] == fault]
    assert len(hit) == 2 and sum('partNumber=' in r['target'] for r in hit) == 1, (fault, hit)"
check "the store's current version of every file is byte-exact; only the damaged PUT left a second (bad, locked) version" python3 - "$work" "$EP" "$B" <<'PY'
import glob, hashlib, json, os, sys, urllib.parse, boto3
work, ep, bucket = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=ep)
bags = {os.path.basename(b): b for b in glob.glob(work + "/k6/store/bags/*")}
versions = {}
for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):   # no Prefix: moto mis-signs %2F
    for v in page.get("Versions", []):
        parts = v["Key"].split("/", 2)
        if len(parts) == 3 and parts[1] in bags:
            versions.setdefault(v["Key"], []).append(v)
damaged_put = [urllib.parse.unquote(r["target"].split("/", 2)[2]) for r in map(json.loads, open(work + "/proxy.log"))
               if r["fault"] == "corrupted" and "?" not in r["target"]]
expected = 0
for name, bag in bags.items():
    paths = [l.split(None, 1)[1].strip() for m in ("manifest-sha256.txt", "tagmanifest-sha256.txt") for l in open(os.path.join(bag, m))]
    for path in paths + ["tagmanifest-sha256.txt"]:
        key = "kiosk-01/%s/%s" % (name, path)
        expected += 1
        want = 2 if key in damaged_put else 1
        assert len(versions.get(key, [])) == want, (key, len(versions.get(key, [])), want)
        latest = [v for v in versions[key] if v["IsLatest"]][0]
        local = os.path.join(bag, path)
        if os.path.getsize(local) <= 5 << 20:
            assert latest["ETag"].strip('"') == hashlib.md5(open(local, "rb").read()).hexdigest(), key
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert hashlib.sha256(body).digest() == hashlib.sha256(open(local, "rb").read()).digest(), key
assert len(versions) == expected, (len(versions), expected)
print("     (%d objects; the damaged PUT was %s)" % (expected, damaged_put))
PY

[ "$failures" -eq 0 ] || { echo "$failures forward check(s) failed"; exit 1; }
