#!/usr/bin/env bash
# The control socket and recorderctl's live commands, against the service running with
# simulated recorders; `watch` is driven in tmux and its screen read back.
# Usage: control.sh BIN_DIR
set -uo pipefail
bin="$(cd "$1" && pwd)"
ctl="$bin/recorderctl"
work=$(mktemp -d)
sock="$work/control.sock"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; tmux kill-session -t rg-watch-$$ 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failures=0
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/support/checks.sh"

check "with no service, devices exits 1 and says it is not running" bash -c \
  "'$ctl' devices --control-socket '$sock' > /dev/null 2> '$work/e0'; test \$? -eq 1 && grep -q 'not running' '$work/e0'"

# Four recorders on USB 2.0 bays, big enough to still be ingesting while we look.
"$bin/recorder-sim" example | python3 -c "
import json, sys
s = json.load(sys.stdin)
for r in s['recorders']:
    r['deviceHashes'] = False
    for rec in r['recordings']:
        if 'size' in rec: rec['size'] = '160MiB'
json.dump(s, open('$work/slow.json', 'w'))
"
"$bin/recorder-gatewayd" --simulate "$work/slow.json" --store "$work/kiosk/store" --control-socket "$sock" --json > "$work/service.out" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
sleep 1.5

check "devices lists four bays" bash -c "test \$('$ctl' devices --control-socket '$sock' --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"bays\"]))') -eq 4"
check "devices shows a bay ingesting" bash -c "'$ctl' devices --control-socket '$sock' | grep -q 'ingesting'"
check "the socket is group-only (0660)" test "$(stat -c %a "$sock")" = 660
check "info on a bay names its recorder" bash -c "'$ctl' info 1-1.3 --control-socket '$sock' | grep -q 'A100003'"
check "info on an unknown bay exits 3" test "$(status "$ctl" info 9-9.9 --control-socket "$sock")" -eq 3

# Options before or after the command are the same (Docs/configuration.md, "Precedence"); an
# unknown one is still a usage error naming it.
check "--control-socket before the command works" test "$(status "$ctl" --control-socket "$sock" devices)" -eq 0
check "options before the command give the same rows" bash -c \
  "test \$('$ctl' --json --control-socket '$sock' devices | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"bays\"]))') -eq 4"
check "an unknown option before the command exits 64" test "$(status "$ctl" --bogus --control-socket "$sock" devices)" -eq 64
check "and names it" grep -q -- "devices: unknown option --bogus" "$work/err"
check "an unknown option after the command exits 64 naming it" bash -c \
  "'$ctl' devices --control-socket '$sock' --frob 2> '$work/e1'; test \$? -eq 64 && grep -q -- 'unknown option --frob' '$work/e1'"

check "queue on a gateway that forwards nothing exits 2" test "$(status "$ctl" queue --control-socket "$sock")" -eq 2
check "prune --dry-run on a gateway that forwards nothing keeps every bag (KEEP, saying why), and exits 2" bash -c "
  '$ctl' prune --dry-run --control-socket '$sock' > '$work/prune.out'; test \$? -eq 2 &&
  head -1 '$work/prune.out' | grep -qx 'prune-after-days keep (dry run: nothing removed)' &&
  ! grep -v -e '^prune-after-days' -e '^KEEP .* the gateway forwards nothing\$' '$work/prune.out'"
check "prune --now where prune-after-days is keep is refused, naming the setting" bash -c "
  '$ctl' prune --now --control-socket '$sock' 2>&1 | grep -q 'prune-after-days is keep'"
check "prune without --dry-run or --now is a usage error" test "$(status "$ctl" prune --control-socket "$sock")" -eq 64
check "retry on a gateway that forwards nothing exits 3" test "$(status "$ctl" retry SOME_BAG --control-socket "$sock")" -eq 3

# A malformed request gets an error reply, and the service keeps serving.
reply=$(printf '{"v":1,"command":"nope"}\nnot json\n{"v":1,"id":9,"command":"ping"}\n' | python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect('$sock'); s.sendall(sys.stdin.read().encode())
data = b''
while data.count(b'\n') < 3:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
print(data.decode())")
check "an unknown command is answered unknown-command" grep -q '"unknown-command"' <<<"$reply"
check "a malformed line is answered bad-request" grep -q '"bad-request"' <<<"$reply"
check "the same connection is still served" grep -q '"id":9,"ok":true' <<<"$reply"
check "devices still works after the bad requests" test "$(status "$ctl" devices --control-socket "$sock")" -eq 0

# watch on a terminal: an 80-column tmux pane, redrawn in place.
tmux new-session -d -s rg-watch-$$ -x 80 -y 12 "'$ctl' watch --interval 0.3 --control-socket '$sock'; sleep 5"
sleep 1.5
tmux capture-pane -t rg-watch-$$ -p > "$work/screen1"
sleep 1
tmux capture-pane -t rg-watch-$$ -p > "$work/screen2"
check "watch draws one row per bay with a progress bar" bash -c "test \$(grep -c '\\[[#.]\\{16\\}\\]' '$work/screen2') -eq 4"
check "watch fits 80 columns" bash -c "! awk 'length > 80' '$work/screen2' | grep -q ."
check "watch redraws in place (no scrolling: the header stays on the first line)" bash -c "head -1 '$work/screen2' | grep -q '^recorder-gateway'"
check "watch's screen changes as the ingest goes on" bash -c "! cmp -s '$work/screen1' '$work/screen2'"
tmux kill-session -t rg-watch-$$ 2>/dev/null

check "watch without a terminal prints plain blocks" bash -c "'$ctl' watch --count 2 --interval 0.1 --control-socket '$sock' | grep -c '^BAY' | grep -q '^2$'"

# When every dock is done: files per recorder from the ledger.
for _ in $(seq 300); do
  "$ctl" devices --control-socket "$sock" --json | python3 -c 'import json,sys; sys.exit(0 if all(b["state"] == "done" for b in json.load(sys.stdin)["bays"]) else 1)' && break
  sleep 0.2
done
check "files lists the recordings of a recorder, verified" bash -c "'$ctl' files A100001 --control-socket '$sock' --json | python3 -c 'import json,sys; f=json.load(sys.stdin)[\"files\"]; assert len(f) == 6 and all(x[\"state\"] == \"verified\" for x in f), f'"
check "files by bay works too" test "$(status "$ctl" files 1-1.2 --control-socket "$sock")" -eq 0
check "diagnose of a healthy bay passes every check" bash -c "'$ctl' diagnose 1-1.2 --control-socket '$sock' --json | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"checks\"]; assert len(c) == 5 and all(x[\"result\"] != \"FAIL\" for x in c), c'"
check "diagnose reads the link's throughput against its capacity" bash -c "'$ctl' diagnose 1-1.2 --control-socket '$sock' | grep -q 'of the link'"
check "diagnose of an unknown bay exits 3" test "$(status "$ctl" diagnose 7-7 --control-socket "$sock")" -eq 3
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
check "the socket is removed when the service stops" test ! -e "$sock"

# A recorder whose password the kiosk does not know: diagnose FAILs authentication, exit 1.
printf 'store = %s/k2/store\nstate = %s/k2/state\npassword.A100004 = not-its-password\n' "$work" "$work" > "$work/k2.conf"
"$bin/recorder-sim" example | python3 -c "
import json, sys
s = json.load(sys.stdin)
s['recorders'] = s['recorders'][3:]
s['recorders'][0]['link'] = 'unlimited'
json.dump(s, open('$work/one.json', 'w'))
"
"$bin/recorder-gatewayd" --simulate "$work/one.json" --config "$work/k2.conf" --control-socket "$sock" --json > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do "$ctl" devices --control-socket "$sock" --json 2>/dev/null | grep -q '"error"' && break; sleep 0.1; done
check "diagnose of a refused password FAILs and exits 1" bash -c "'$ctl' diagnose 1-1.4 --control-socket '$sock' > '$work/diag' ; test \$? -eq 1 && grep -q '^FAIL  authentication' '$work/diag'"
kill "$pid"; wait "$pid" 2>/dev/null; pid=""

[ "$failures" -eq 0 ] || { echo "$failures control check(s) failed"; exit 1; }
