#!/usr/bin/env bash
# Forwarding to a real Ceph RADOS Gateway (Tests/peers/ceph: a throwaway single-node Ceph 16 cluster
# on loopback), the S3 store agencies run on premises: verified, retention-locked copies before
# release, big files in parts; a wrong secret, an unknown key and a bucket without Object Lock
# are refused and release nothing; bodies damaged in flight are refused by RGW and sent again;
# RGW killed mid-upload and restarted loses nothing and stores nothing twice. Where RGW answers
# differently from moto the output says so in "note" lines. The cluster is always stopped on exit.
# Usage: forward-ceph.sh BIN_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)"
cd "$(dirname "$0")/../.."
root="$PWD"
gw="$bin/recorder-gatewayd"
work=$(mktemp -d)
cluster="$work/ceph"
failures=0
cleanup() { exec 4>&- 2>/dev/null; "$root/Tests/peers/ceph" stop "$cluster" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
. Tests/cli/support/checks.sh

# 0. The cluster. Cold (packages installed) it takes some 20 s.
t0=$(date +%s.%N)
if ! timeout 1500 Tests/peers/ceph start "$cluster" > "$work/ceph.json" 2> "$work/ceph.err"; then
  echo "FAIL the Ceph cluster did not start:"; sed 's/^/     /' "$work/ceph.err"; exit 1
fi
echo "ok   a Ceph RGW cluster answers S3 ($(python3 -c "print('%.1f' % ($(date +%s.%N) - $t0))") s to start)"
eval "$(python3 -c "import json; d=json.load(open('$work/ceph.json')); print('EP=%s; AK=%s; SK=%s; B=%s; PB=%s; REGION=%s' % (d['endpoint'], d['accessKeyId'], d['secretAccessKey'], d['bucket'], d['plainBucket'], d['region']))")"
export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_DEFAULT_REGION="$REGION"
rgwlog="$cluster/log/client.rgw.gw.log"

# An independent S3 client (boto3) for the checks; no checksums of its own, RGW 16 has none.
cat > "$work/s3.py" <<'PY'
import boto3
from botocore.config import Config
def client(endpoint, region=None, secret=None):
    return boto3.client("s3", endpoint_url=endpoint, region_name=region,
                        aws_secret_access_key=secret,
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                                      request_checksum_calculation="when_required",
                                      response_checksum_validation="when_required"))
PY
export PYTHONPATH="$work${PYTHONPATH:+:$PYTHONPATH}"

conf() { # conf DIR BUCKET WAIT
  printf 'store = %s/store\nstate = %s/state\nrelease = release-after-verified\nforward = s3://%s/kiosk-01\ns3-endpoint = %s\ns3-region = %s\nforward-wait = %s\n' \
    "$1" "$1" "$2" "$EP" "$REGION" "$3" > "$1.conf"
}
run() { # run CONF OUT [ENV...]
  local c="$1" out="$2"; shift 2
  env "$@" timeout 900 "$gw" --simulate --config "$c" --once --json --control-socket none > "$out" 2> "$out.err"
  echo $?
}

# 1. The whole job: every bag forwarded, verified, locked; only then released.
mkdir -p "$work/k1"; conf "$work/k1" "$B" 600
echo "part-size = 8MiB" >> "$work/k1.conf"   # the larger videos go up in parts
log_from=$(($(wc -l < "$rgwlog") + 1))
t1=$(date +%s.%N)
rc=$(run "$work/k1.conf" "$work/k1.json")
sleep 1   # RGW's log thread writes the last requests
echo "     (forwarding run: $(python3 -c "print('%.1f' % ($(date +%s.%N) - $t1))") s)"
tail -n "+$log_from" "$rgwlog" | grep ' beast: ' | grep 'recorder-gatewayd' > "$work/k1.requests"
check "forwarding run exits 0" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/     /' "$work/k1.json.err"
check "every recorder is forwarded and every file released" python3 -c "
import json; d = json.load(open('$work/k1.json'))
assert d['recorders'] and all(r['forwarded'] and r['released'] == r['files'] == r['verified'] for r in d['recorders']), d['recorders']"
check "the store holds every object of every bag with its size and MD5 (ETag; multipart: MD5 of the part MD5s -N, and its part size as metadata)" python3 - "$work" "$EP" "$B" <<'PY'
import base64, glob, hashlib, os, sys, s3
work, ep, bucket = sys.argv[1:4]
c = s3.client(ep)
part = 8 << 20
notes = set()
bags = sorted(glob.glob(work + "/k1/store/bags/*"))
assert bags
for bag in bags:
    name = os.path.basename(bag)
    paths = [l.split(None, 1)[1].strip() for m in ("manifest-sha256.txt", "tagmanifest-sha256.txt") for l in open(os.path.join(bag, m))]
    for path in paths + ["tagmanifest-sha256.txt"]:
        local = os.path.join(bag, path)
        size = os.path.getsize(local)
        head = c.head_object(Bucket=bucket, Key="kiosk-01/%s/%s" % (name, path), ChecksumMode="ENABLED")
        assert head["ContentLength"] == size, (path, head["ContentLength"], size)
        with open(local, "rb") as f:
            if size <= part:
                want = hashlib.md5(f.read()).hexdigest()
            else:
                md5s = [hashlib.md5(chunk).digest() for chunk in iter(lambda: f.read(part), b"")]
                want = "%s-%d" % (hashlib.md5(b"".join(md5s)).hexdigest(), len(md5s))
        assert head["ETag"].strip('"') == want, (path, head["ETag"], want)
        # A multipart copy says which part size it was cut with (what verify recomputes with).
        assert head.get("Metadata", {}).get("recorder-gateway-part-size") == (str(part) if size > part else None), (path, head.get("Metadata"))
        if "ChecksumSHA256" in head:   # a later RGW may keep it: then it must be ours
            with open(local, "rb") as f:
                if size <= part:
                    assert base64.b64decode(head["ChecksumSHA256"]).hex() == hashlib.sha256(f.read()).hexdigest(), head
        else:
            notes.add("sha")
if "sha" in notes:
    print("note RGW keeps no SHA-256: HEAD with x-amz-checksum-mode: ENABLED returns no x-amz-checksum-sha256 (the gateway verified by ETag)")
PY
check "every object of a bag is COMPLIANCE-locked until a future date (GET ?retention)" python3 - "$work" "$EP" "$B" <<'PY'
import datetime, glob, os, sys, s3
work, ep, bucket = sys.argv[1:4]
c = s3.client(ep)
bag = sorted(glob.glob(work + "/k1/store/bags/*"))[0]
prefix = "kiosk-01/%s/" % os.path.basename(bag)
keys = [o["Key"] for p in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix) for o in p.get("Contents", [])]
assert keys
now = datetime.datetime.now(datetime.timezone.utc)
earliest = None
for key in keys:
    r = c.get_object_retention(Bucket=bucket, Key=key)["Retention"]
    assert r["Mode"] == "COMPLIANCE", (key, r)
    assert r["RetainUntilDate"] > now + datetime.timedelta(days=179), (key, r)   # retention-days defaults to 180
    earliest = min(earliest or r["RetainUntilDate"], r["RetainUntilDate"])
print("     (%d objects, retained until %s or later)" % (len(keys), earliest.isoformat()))
PY
check "a locked version cannot be deleted (403 AccessDenied)" python3 - "$work" "$EP" "$B" <<'PY'
import glob, os, sys, botocore, s3
work, ep, bucket = sys.argv[1:4]
c = s3.client(ep)
bag = sorted(glob.glob(work + "/k1/store/bags/*"))[0]
name = os.path.basename(bag)
video = sorted(l.split(None, 1)[1].strip() for l in open(bag + "/manifest-sha256.txt") if l.strip().endswith(".MP4"))[0]
for path in ("custody.json", video):   # a single PUT and a multipart upload
    key = "kiosk-01/%s/%s" % (name, path)
    version = c.head_object(Bucket=bucket, Key=key)["VersionId"]
    try:
        c.delete_object(Bucket=bucket, Key=key, VersionId=version)
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "AccessDenied", e.response
    else:
        raise SystemExit("deleted the locked version %s of %s" % (version, key))
    assert c.head_object(Bucket=bucket, Key=key, VersionId=version)["VersionId"] == version
PY
check "a bag downloaded back from the store validates (python3 -m bagit --validate)" python3 - "$work" "$EP" "$B" <<'PY'
import glob, os, subprocess, sys, s3
work, ep, bucket = sys.argv[1:4]
c = s3.client(ep)
name = os.path.basename(sorted(glob.glob(work + "/k1/store/bags/*"))[0])
prefix = "kiosk-01/%s/" % name
keys = [o["Key"] for p in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix) for o in p.get("Contents", [])]
assert keys
for key in keys:
    target = os.path.join(work, "download", name, key[len(prefix):])
    os.makedirs(os.path.dirname(target), exist_ok=True)
    c.download_file(bucket, key, target)
r = subprocess.run([sys.executable, "-m", "bagit", "--validate", os.path.join(work, "download", name)], capture_output=True, text=True)
assert r.returncode == 0, r.stderr
PY
check "RGW accepted every request of the run the first time (SigV4 and every Content-MD5 verified, no 4xx/5xx but the 404s of is-it-there-already HEADs)" python3 - "$work/k1.requests" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
status = [int(m.group(1)) for m in (re.search(r'HTTP/1\.1" (\d{3}) ', l) for l in lines) if m]
assert len(status) == len(lines) and lines, "no gateway requests found in the RGW log"
probes = [l for l, s in zip(lines, status) if s == 404 and '"HEAD ' in l]
bad = [l for l, s in zip(lines, status) if s >= 400 and l not in probes]
assert not bad, "\n".join(bad[:5])
print("     (%d requests, %d of them HEADs of objects not yet in the store)" % (len(lines), len(probes)))
PY
check "multipart objects were locked after completion by PutObjectRetention, single PUTs by their headers" python3 - "$work" "$work/k1.requests" <<'PY'
import glob, os, re, sys
work, requests = sys.argv[1:3]
lines = open(requests).read().splitlines()
def paths(pattern):
    return {re.sub(r"\?.*", "", m.group(1)) for m in (re.search(r'"%s ([^ ]+) HTTP' % pattern, l) for l in lines) if m}
completed = {re.sub(r"\?.*", "", m.group(1)) for m in (re.search(r'"POST ([^ ]+\?uploadId=[^ ]+) HTTP', l) for l in lines) if m}
retention = {re.sub(r"\?.*", "", m.group(1)) for m in (re.search(r'"PUT ([^ ]+\?retention[^ ]*) HTTP', l) for l in lines) if m}
big = sum(1 for bag in glob.glob(work + "/k1/store/bags/*") for l in open(bag + "/manifest-sha256.txt")
          if os.path.getsize(os.path.join(bag, l.split(None, 1)[1].strip())) > 8 << 20)
assert len(completed) == big, ("multipart uploads", len(completed), "files over 8 MiB", big)
assert retention == completed, ("retention set on", sorted(retention - completed), "not on", sorted(completed - retention))
print("note RGW ignores x-amz-object-lock-* on CreateMultipartUpload: all %d multipart objects needed PUT ?retention after completion; single PUTs none" % big)
PY

# RGW quirks beside the gateway's path, shown for the record (not failures of the gateway).
python3 - "$EP" "$B" "$SK" <<'PY'
import sys, botocore, s3
ep, bucket, secret = sys.argv[1:4]
ok = [r for r in ("default", "us-east-1", "eu-central-1", "anything") if s3.client(ep, r).list_objects_v2(Bucket=bucket, MaxKeys=1)]
print("note RGW takes the SigV4 region from the credential scope: signing as %s all work" % ", ".join(ok))
c = s3.client(ep)
c.put_object(Bucket=bucket, Key="probe/no-retention", Body=b"probe")   # no lock headers, no default retention
try:
    c.get_object_retention(Bucket=bucket, Key="probe/no-retention")
except botocore.exceptions.ClientError as e:
    print("note GET ?retention of a version without retention: HTTP %s %s (AWS says NoSuchObjectLockConfiguration)"
          % (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]))
for v in c.list_object_versions(Bucket=bucket, Prefix="probe/").get("Versions", []):
    c.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
PY

# 2. A wrong secret: refused with a clear error, nothing released, everything kept locally.
mkdir -p "$work/k2"; conf "$work/k2" "$B" 5
rc=$(run "$work/k2.conf" "$work/k2.json" AWS_SECRET_ACCESS_KEY=wrong-secret)
check "a wrong secret exits 1" test "$rc" -eq 1
check "a wrong secret is named (SignatureDoesNotMatch)" grep -q "SignatureDoesNotMatch" "$work/k2.json.err"
check "a wrong secret releases nothing but keeps every bag locally" python3 -c "
import json; d = json.load(open('$work/k2.json'))
assert d['recorders'] and all(r['released'] == 0 and r['verified'] == r['files'] and r['bag'] for r in d['recorders']), d['recorders']"

# 3. An access key RGW does not know.
mkdir -p "$work/k3"; conf "$work/k3" "$B" 5
rc=$(run "$work/k3.conf" "$work/k3.json" AWS_ACCESS_KEY_ID=AKIDNOSUCHKEY0000000)
check "an unknown access key exits 1, is named (InvalidAccessKeyId) and releases nothing" bash -c "test $rc -eq 1 && grep -q InvalidAccessKeyId '$work/k3.json.err' && python3 -c \"
import json; d = json.load(open('$work/k3.json')); assert d['recorders'] and all(r['released'] == 0 for r in d['recorders'])\""

# 4. A bucket without Object Lock is refused while the configuration requires it.
mkdir -p "$work/k4"; conf "$work/k4" "$PB" 5
rc=$(run "$work/k4.conf" "$work/k4.json")
check "a bucket without Object Lock is refused, nothing released" bash -c "test $rc -eq 1 && grep -q 'has no Object Lock' '$work/k4.json.err' && python3 -c \"
import json; d = json.load(open('$work/k4.json')); assert d['recorders'] and all(r['released'] == 0 for r in d['recorders'])\""

# A check shared by 5 and 6: every file of the run's bags is in the store exactly once (one
# version: nothing sent twice), byte-exact by ETag, and no multipart upload is left behind.
cat > "$work/once.py" <<'PY'
import glob, hashlib, os, sys, s3
work, kiosk, ep, bucket, part = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
c = s3.client(ep)
bags = sorted(glob.glob("%s/%s/store/bags/*" % (work, kiosk)))
assert bags
count = 0
for bag in bags:
    name = os.path.basename(bag)
    prefix = "kiosk-01/%s/" % name
    versions = {}
    for page in c.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        for v in page.get("Versions", []):
            versions.setdefault(v["Key"], []).append(v)
    paths = [l.split(None, 1)[1].strip() for m in ("manifest-sha256.txt", "tagmanifest-sha256.txt") for l in open(os.path.join(bag, m))]
    paths.append("tagmanifest-sha256.txt")
    assert sorted(versions) == sorted(prefix + p for p in paths), (sorted(versions), paths)
    for path in paths:
        vs = versions[prefix + path]
        assert len(vs) == 1, ("sent more than once", path, [v["VersionId"] for v in vs])
        with open(os.path.join(bag, path), "rb") as f:
            md5s = [hashlib.md5(chunk).digest() for chunk in iter(lambda: f.read(part), b"")]
        want = md5s[0].hex() if len(md5s) == 1 else "%s-%d" % (hashlib.md5(b"".join(md5s)).hexdigest(), len(md5s))
        assert vs[0]["ETag"].strip('"') == want, (path, vs[0]["ETag"], want)
        count += 1
uploads = c.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
assert not uploads, uploads
print("     (%d objects, each stored once)" % count)
PY

# 5. Bodies damaged in flight (Tests/peers/s3-fault-proxy flips one byte of a part and of a PUT):
# RGW checks Content-MD5 and refuses both (400 BadDigest); the gateway sends them again.
start_fault_proxy --upstream "$EP" --corrupt-part 2 --corrupt-put 3 --log "$work/proxy.log"
mkdir -p "$work/k5"; conf "$work/k5" "$B" 600
sed -i "s|^s3-endpoint = .*|s3-endpoint = $PEP|" "$work/k5.conf"
echo "part-size = 8MiB" >> "$work/k5.conf"
rc=$(run "$work/k5.conf" "$work/k5.json")
exec 4>&-
check "with a damaged part and a damaged PUT every bag is still forwarded and released" python3 -c "
import json; d = json.load(open('$work/k5.json'))
assert $rc == 0 and d['recorders'] and all(r['forwarded'] and r['released'] == r['files'] for r in d['recorders']), d['recorders']"
check "RGW refused both damaged bodies (400 BadDigest), so nothing damaged was stored" python3 -c "
import json; log = [json.loads(l) for l in open('$work/proxy.log')]
damaged = [r for r in log if r['fault'] == 'corrupted']
assert len(damaged) == 2 and all(r['status'] == 400 for r in damaged), damaged"
check "after the damaged bodies every file is stored once, byte-exact" python3 "$work/once.py" "$work" k5 "$EP" "$B" $((8 << 20))

# 6. RGW killed in the middle of a multipart upload and started again 3 s later: the queue
# rides it out and resumes; nothing is lost, nothing stored twice, no upload left behind.
one_recorder "$work/big.json" '[{"id": 1, "kind": "video", "path": "DCIM/BIG.MP4", "size": "160MiB"},
  {"id": 2, "kind": "photo", "path": "DCIM/P.JPG", "size": "300KiB"}]'
mkdir -p "$work/k6"; conf "$work/k6" "$B" 600
echo "part-size = 8MiB" >> "$work/k6.conf"
timeout 900 "$gw" --simulate "$work/big.json" --config "$work/k6.conf" --once --json --control-socket none \
  > "$work/k6.json" 2> "$work/k6.json.err" &
gpid=$!
wait_for_upload_id "$work/k6/state/journal.sqlite" 0.5   # some parts in, others on the wire
down=$(Tests/peers/ceph restart-rgw "$cluster" --down 3 2> "$work/restart.err")
check "RGW was killed mid-upload and answered again ($down s without S3)" test -n "$down"
[ -n "$down" ] || sed 's/^/     /' "$work/restart.err"
wait "$gpid"; rc=$?
check "the run that lost its store mid-upload exits 0 with the bag forwarded and released" python3 -c "
import json; d = json.load(open('$work/k6.json'))
assert $rc == 0 and d['totals']['allVerified'] and all(r['forwarded'] and r['released'] == r['files'] for r in d['recorders']), ($rc, d)"
[ "$rc" -eq 0 ] || sed 's/^/     /' "$work/k6.json.err"
check "after the restart every file is stored once, byte-exact, and no upload is left" python3 "$work/once.py" "$work" k6 "$EP" "$B" $((8 << 20))
grep -h "resuming the multipart upload\|already in the store" "$work/k6.json.err" | sed 's/^recorder-gatewayd: /note /'

[ "$failures" -eq 0 ] || { echo "$failures forward-ceph check(s) failed"; exit 1; }
