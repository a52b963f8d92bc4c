#!/usr/bin/env bash
# The committed udev rules are the ones generated from the device database, and every model
# in the database has its rule.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 Tools/udev-rules --check
python3 - <<'PY'
import json
rules = open("udev/70-recorder-gateway.rules").read()
for m in json.load(open("Sources/RecorderHAL/recorders.json"))["models"]:
    match = 'ATTR{idVendor}=="%s", ATTR{idProduct}=="%s"' % (m["vendorId"].lower(), m["productId"].lower())
    assert match in rules, "no rule for " + m["name"]
print("ok   every model has a udev rule")
PY
