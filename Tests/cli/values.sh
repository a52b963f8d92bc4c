#!/usr/bin/env bash
# Numbers on command lines, in configuration files and in scenarios that no variable can hold
# (inf, nan, 1e300, 9.3e15, 2^64): each is a usage, configuration or scenario error naming the
# option, key or field and its range, never a crash (SIGILL, exit 132).
# Usage: values.sh BIN_DIR
set -uo pipefail
bin="$1"
gw="$bin/recorder-gatewayd"
ctl="$bin/recorderctl"
sim="$bin/recorder-sim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/support/checks.sh"

# recorder-gatewayd --idle-exit: a usage error (64) before anything is opened.
for v in inf 1e300 9.3e15 nan -1 0 abc 86401; do
  check "gatewayd --idle-exit $v exits 64" test "$(status timeout 20 "$gw" --store "$work/idle/store" --idle-exit "$v" --control-socket none)" -eq 64
  check "gatewayd --idle-exit $v names the option and its range" grep -q -- "--idle-exit needs a number of seconds within 0.001...86400, not \"$v\"" "$work/err"
done
check "a refused --idle-exit opens no store" test ! -e "$work/idle"

# Configuration numbers: exit 78, naming file, line, key and range.
for line in "part-size = 9999999999999GiB" "part-size = 99999999999999999999" "forward-wait = inf" "forward-wait = 1e300" \
            "retention-days = 99999999999999999999" "uploads-in-flight = 9.3e15"; do
  key=${line%% *}
  printf 'store = %s\nforward = s3://b/p\n%s\n' "$work/cfg/store" "$line" > "$work/num.conf"
  check "config '$line' exits 78" test "$(status "$gw" --simulate --config "$work/num.conf" --once --control-socket none)" -eq 78
  check "config '$line' names line 3 and $key" grep -q "num.conf:3: $key: must be .*\.\.\." "$work/err"
done

# recorderctl watch: --interval and --count are checked before the service is asked.
for args in "--interval inf" "--interval 1e300" "--interval nan" "--interval 0" "--interval x" "--count -1" "--count 1e3" "--count 99999999999999999999"; do
  # shellcheck disable=SC2086
  check "recorderctl watch $args exits 64" test "$(status "$ctl" watch $args --control-socket "$work/none.sock")" -eq 64
  check "recorderctl watch $args names the option" grep -q -- "${args%% *} must be" "$work/err"
done
check "recorderctl watch with good numbers gets as far as the socket" \
  test "$(status "$ctl" watch --interval 0.5 --count 1 --control-socket "$work/none.sock")" -eq 1

# recorder-sim: scenario numbers.
scenario() { # scenario FILE LINK_JSON RECORDINGS_JSON FAULTS_JSON
  printf '{"schema": 1, "recorders": [{"identity": {"serial": "V000001"}, "password": "", "link": %s, "recordings": %s, "faults": %s}]}\n' \
    "$2" "$3" "$4" > "$1"
}
scenario "$work/fast.json" '{"bytesPerSecond": 1e300}' '[]' '[]'
check "a bandwidth of 1e300 is an invalid scenario (65)" test "$(status "$sim" describe "$work/fast.json" --json)" -eq 65
check "a bandwidth of 1e300 names the field and range" grep -q 'recorders\[0\].link.bytesPerSecond: must be a number within 1000...1000000000000' "$work/err"
scenario "$work/lies.json" '"unlimited"' '[{"id": 1, "kind": "video", "path": "a", "size": 10}]' \
  '[{"kind": "sizeLies", "recording": 1, "reportedSize": 1.5e19}]'
check "a catalog size of 1.5e19 as a JSON number is taken" test "$(status "$sim" describe "$work/lies.json" --json)" -eq 0
check "describe shows the size of 1.5e19 exactly" python3 -c "
import json; f = json.load(open('$work/out'))['recorders'][0]['files'][0]
assert f['reportedSize'] == 15000000000000000000 and f['size'] == 10, f"
scenario "$work/huge.json" '"unlimited"' '[{"id": 1, "kind": "video", "path": "a", "size": 18446744073709551616}]' '[]'
check "a size of 2^64 is an invalid scenario naming its range" bash -c \
  "test \$('$sim' describe '$work/huge.json' 2> '$work/err' > /dev/null; echo \$?) -eq 65 && grep -q 'size: .*18446744073709551615' '$work/err'"
for v in 99999999999999999999 0 -1 1e3; do
  check "recorder-sim demo --window $v exits 64" test "$(status "$sim" demo --window "$v")" -eq 64
done
check "recorder-sim content with an id of 2^32 exits 64" test "$(status "$sim" content "$work/lies.json" V000001 4294967296)" -eq 64

[ "$failures" -eq 0 ] || { echo "$failures value check(s) failed"; exit 1; }
