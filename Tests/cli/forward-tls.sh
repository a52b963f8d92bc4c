#!/usr/bin/env bash
# Forwarding to a store that needs TLS (issue 15): a real moto server behind
# Tests/peers/s3-fault-proxy serving HTTPS with a certificate from a test CA made here by
# openssl. With `s3-ca-bundle` naming that CA the bags are forwarded and released; with a CA that
# did not sign the store's certificate, with the system's trust store alone, and with a
# certificate for another host, nothing is sent past the handshake, nothing is released, and
# the error says why. Then HTTP/2: the same store behind nghttpx, which offers h2.
# Usage: forward-tls.sh BIN_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)"
cd "$(dirname "$0")/../.."
gw="$bin/recorder-gatewayd"
work=$(mktemp -d)
failures=0
cleanup() { exec 3>&- 4>&- 5>&- 2>/dev/null; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT
. Tests/cli/support/checks.sh

# Two CAs; the store's certificate (127.0.0.1 and localhost) from the first, and one for
# another host name from the first too.
ca() { # ca NAME
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout "$work/$1.key" -out "$work/$1.pem" \
    -subj "/CN=recorder-gateway $1" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2> /dev/null
}
leaf() { # leaf NAME CA SAN
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/$1.key" -out "$work/$1.csr" -subj "/CN=$1" 2> /dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$3" > "$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$work/$2.pem" -CAkey "$work/$2.key" -CAcreateserial -days 2 \
    -extfile "$work/$1.ext" -out "$work/$1.pem" 2> /dev/null
}
ca test-ca; ca other-ca
leaf store test-ca "IP:127.0.0.1,DNS:localhost"
leaf elsewhere test-ca "DNS:store.example"
check "the test certificates verify with openssl" bash -c "
  openssl verify -CAfile '$work/test-ca.pem' '$work/store.pem' > /dev/null &&
  ! openssl verify -CAfile '$work/other-ca.pem' '$work/store.pem' > /dev/null 2>&1"

# moto runs while fd 3 (its standard input) stays open; each proxy while its own fd does.
mkfifo "$work/moto.in"
python3 Tests/peers/moto serve < "$work/moto.in" > "$work/moto.json" 2> "$work/moto.err" &
exec 3> "$work/moto.in"
for _ in $(seq 120); do [ -s "$work/moto.json" ] && break; sleep 0.25; done
if [ ! -s "$work/moto.json" ]; then echo "FAIL moto did not start: $(cat "$work/moto.err")"; exit 1; fi
eval "$(python3 -c "import json; d=json.load(open('$work/moto.json')); print('EP=%s; AK=%s; SK=%s; B=%s' % (d['endpoint'], d['accessKeyId'], d['secretAccessKey'], d['bucket']))")"
export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_DEFAULT_REGION=us-east-1

proxy() { # proxy NAME CERT FD: starts a TLS proxy in front of moto, sets P_<NAME> to its endpoint
  mkfifo "$work/$1.in"
  python3 Tests/peers/s3-fault-proxy --upstream "$EP" --tls-cert "$work/$2.pem" --tls-key "$work/$2.key" \
    --log "$work/$1.log" < "$work/$1.in" > "$work/$1.json" 2> "$work/$1.err" &
  eval "exec $3> '$work/$1.in'"
  for _ in $(seq 120); do [ -s "$work/$1.json" ] && break; sleep 0.25; done
  [ -s "$work/$1.json" ] || { echo "FAIL the $1 proxy did not start: $(cat "$work/$1.err")"; exit 1; }
  eval "P_$1=$(python3 -c "import json; print(json.load(open('$work/$1.json'))['endpoint'])")"
}
proxy good store 4
proxy wrong elsewhere 5
check "the proxies serve HTTPS" bash -c "case '$P_good' in https://127.0.0.1:*) true;; *) false;; esac"

# WAIT bounds the wait for the bags to verify where they are expected to; 5 s where the store
# can never be reached.
conf() { # conf NAME ENDPOINT PREFIX WAIT [CA]
  printf 'store = %s/%s/store\nstate = %s/%s/state\nrelease = release-after-verified\nforward = s3://%s/%s\ns3-endpoint = %s\nforward-wait = %s\n' \
    "$work" "$1" "$work" "$1" "$B" "$3" "$2" "$4" > "$work/$1.conf"
  [ -n "${5:-}" ] && echo "s3-ca-bundle = $5" >> "$work/$1.conf"
  mkdir -p "$work/$1"
}
run() { # run NAME
  timeout 900 "$gw" --simulate --config "$work/$1.conf" --once --json --control-socket none > "$work/$1.json.out" 2> "$work/$1.err"
  echo $?
}
objects() { # objects PREFIX: how many objects the store holds under PREFIX (straight from moto;
  # filtered here: moto's signature check refuses a listing whose Prefix holds a "/")
  python3 -c "
import boto3
s3 = boto3.client('s3', endpoint_url='$EP')
keys = [o['Key'] for p in s3.get_paginator('list_objects_v2').paginate(Bucket='$B') for o in p.get('Contents', [])]
print(sum(1 for k in keys if k.startswith('$1/')))"
}
released() { # released NAME: files released over the run
  python3 -c "import json; print(sum(r['released'] for r in json.load(open('$work/$1.json.out'))['recorders']))"
}

# 1. The right CA: forwarded over TLS, verified, released.
conf right "$P_good" kiosk-tls 600 "$work/test-ca.pem"
rc=$(run right)
check "with s3-ca-bundle naming the store's CA the run exits 0" test "$rc" -eq 0
check "every bag is forwarded over TLS and every file released" python3 -c "
import json; d = json.load(open('$work/right.json.out'))
assert d['recorders'] and all(r['forwarded'] and r['released'] == r['files'] == r['verified'] for r in d['recorders']), d['recorders']"
check "the requests went through the TLS proxy" python3 -c "
import json; lines = [json.loads(l) for l in open('$work/good.log')]
assert sum(1 for l in lines if l['method'] == 'PUT') >= 5, len(lines)"
check "the store holds the objects, byte-exact (read back over TLS with the test CA)" python3 - "$work" "$P_good" "$B" <<'PY'
import glob, hashlib, sys, boto3
work, ep, bucket = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=ep, verify=work + "/test-ca.pem")
bags = sorted(glob.glob(work + "/right/store/bags/*"))
assert bags
for bag in bags:
    name = bag.rsplit("/", 1)[1]
    for line in open(bag + "/manifest-sha256.txt"):
        digest, path = line.split(None, 1)
        body = s3.get_object(Bucket=bucket, Key="kiosk-tls/%s/%s" % (name, path.strip()))["Body"].read()
        assert hashlib.sha256(body).hexdigest() == digest, path
PY

# 2-4. Refused: nothing crosses the handshake, nothing is released, the reason is named.
refused() { # refused NAME DESCRIPTION PATTERN
  local rc; rc=$(run "$1")
  check "$2: the run exits 1" test "$rc" -eq 1
  local kept stored; kept=$(released "$1"); stored=$(objects "$1")
  check "$2: nothing is released and no object is stored" test "$kept:$stored" = "0:0"
  check "$2: the error names the certificate problem" grep -q -i -E "$3" "$work/$1.err"
  echo "     ($(grep -m1 -i -E "$3" "$work/$1.err" | grep -o 'TLS failed.*' | cut -c1-300))"
}
before=$(wc -l < "$work/good.log")
conf wrong-ca "$P_good" wrong-ca 5 "$work/other-ca.pem"
refused wrong-ca "a CA that did not sign the store's certificate" "TLS failed.*certificate problem"
conf system-trust "$P_good" system-trust 5
refused system-trust "the system trust store alone" "TLS failed.*certificate problem"
check "no request of the refused runs reached the store" test "$(wc -l < "$work/good.log")" -eq "$before"
conf other-host "$P_wrong" other-host 5 "$work/test-ca.pem"
refused other-host "a certificate for another host" "TLS failed.*(subject name|target host)"
check "no request reached the store through the proxy with another host's certificate" test ! -s "$work/wrong.log"
check "the refused runs kept every bag locally" bash -c "
  for k in wrong-ca system-trust other-host; do test \$(ls '$work'/\$k/store/bags | wc -l) -ge 1 || exit 1; done"

# 5. HTTP/2: nghttpx (nghttp2's reverse proxy, Debian nghttp2-proxy) offers h2 over TLS in front
# of moto; the transfers in flight share its connections, and every bag still verifies.
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
moto_port=${EP##*:}
nghttpx --frontend="127.0.0.1,$port" --backend="127.0.0.1,$moto_port" --workers=1 --no-via --no-ocsp \
  --accesslog-file="$work/h2.log" --accesslog-format='$alpn $method $status' --errorlog-file="$work/h2.err" \
  "$work/store.key" "$work/store.pem" &
h2pid=$!
for _ in $(seq 120); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2> /dev/null && break; sleep 0.25; done
conf h2 "https://127.0.0.1:$port" kiosk-h2 600 "$work/test-ca.pem"
rc=$(run h2)
# The same with forward-rate-limit: the read callbacks pause streams that share a connection and
# the event loop resumes them in turn (CurlHTTP's SendRateLimit); every bag still verifies.
conf h2-capped "https://127.0.0.1:$port" kiosk-h2-capped 600 "$work/test-ca.pem"
echo "forward-rate-limit = 32MiB/s" >> "$work/h2-capped.conf"
rc_capped=$(run h2-capped)
kill "$h2pid" 2> /dev/null; wait "$h2pid" 2> /dev/null
check "over HTTP/2 the run exits 0 and every bag is forwarded and released" python3 -c "
import json; d = json.load(open('$work/h2.json.out'))
assert $rc == 0 and d['recorders'] and all(r['forwarded'] and r['released'] == r['files'] == r['verified'] for r in d['recorders']), ($rc, d['recorders'])"
check "every request went over h2 (nghttpx's access log)" python3 -c "
lines = [l.split() for l in open('$work/h2.log')]
assert len([l for l in lines if l[1] == 'PUT']) >= 5 and all(l[0] == 'h2' for l in lines), lines[:5]"
check "over HTTP/2 with a rate cap too, every bag is forwarded and released" python3 -c "
import json; d = json.load(open('$work/h2-capped.json.out'))
assert $rc_capped == 0 and d['recorders'] and all(r['forwarded'] and r['released'] == r['files'] == r['verified'] for r in d['recorders']), ($rc_capped, d['recorders'])"

if [ "$failures" -ne 0 ]; then echo "$failures forward-tls check(s) failed"; exit 1; fi
echo "forward-tls: all passed"
