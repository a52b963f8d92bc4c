#!/usr/bin/env bash
# The committed udev rules and modprobe options are the ones generated from the device database,
# every model in the database has its rule, and (udevadm test on umockdev block devices) what
# udev makes of a mass-storage recorder's disk should a kernel driver bind it all the same.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 Tools/udev-rules --check
python3 - <<'PY'
import json
rules = open("udev/70-recorder-gateway.rules").read()
volumes = open("udev/59-recorder-gateway-volumes.rules").read()
modprobe = open("udev/recorder-gateway-usb-storage.conf").read()
for m in json.load(open("Sources/RecorderHAL/recorders.json"))["models"]:
    vid, pid = m["vendorId"].lower(), m["productId"].lower()
    match = 'ATTR{idVendor}=="%s", ATTR{idProduct}=="%s"' % (vid, pid)
    assert match in rules, "no rule for " + m["name"]
    if m["interfaceClass"] == 8:
        assert 'ATTRS{idVendor}=="%s", ATTRS{idProduct}=="%s"' % (vid, pid) in volumes, "no volume rule for " + m["name"]
        assert "%s:%s:iu" % (vid, pid) in modprobe, "no usb-storage quirk for " + m["name"]
print("ok   every model has a udev rule; every mass-storage model a volume rule and a usb-storage quirk")
# Families that share USB ids (told apart by their interface, which udev does not match on at
# the device level) share one rule, which names all their drivers.
groups = {}
for m in json.load(open("Sources/RecorderHAL/recorders.json"))["models"]:
    drivers = groups.setdefault((m["vendorId"].lower(), m["productId"].lower()), [])
    if m["driver"] not in drivers:
        drivers.append(m["driver"])
for (vid, pid), drivers in groups.items():
    lines = [l for l in rules.splitlines() if l.startswith('ATTR{idVendor}=="%s", ATTR{idProduct}=="%s"' % (vid, pid))]
    assert len(lines) == 1, "%s:%s has %d rules, not one" % (vid, pid, len(lines))
    assert 'ENV{RECORDER_GATEWAY_DRIVER}="%s"' % ",".join(drivers) in lines[0], "%s:%s's rule does not name %s" % (vid, pid, drivers)
    assert rules.count('ENV{PRODUCT}=="%x/%x/*"' % (int(vid, 16), int(pid, 16))) == 1, "%s:%s has not one remove rule" % (vid, pid)
shared = ["%s:%s (%s)" % (v, p, ", ".join(d)) for (v, p), d in groups.items() if len(d) > 1]
print("ok   one rule per USB id; shared ids name every driver: " + ("; ".join(shared) or "none shared"))
PY

# udevadm test on umockdev block devices: the recorder's disk as usb-storage would present it,
# beside an ordinary USB stick, with this machine's rules, ours, and Debian 12's udisks2 rules
# (80-udisks2.rules, taken from its package unless udisks2 is installed).
if ! command -v udevadm > /dev/null || ! command -v umockdev-wrapper > /dev/null; then
    echo "FAIL udevadm and umockdev-wrapper are needed (apt-get install udev umockdev gir1.2-umockdev-1.0 python3-gi)"
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "skip udevadm test of the volume rules: needs root for a private mount namespace (unshare -m)"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/rules"
cp udev/59-recorder-gateway-volumes.rules udev/70-recorder-gateway.rules "$work/rules/"
if [ -f /usr/lib/udev/rules.d/80-udisks2.rules ]; then
    udisks_rules=/usr/lib/udev/rules.d/80-udisks2.rules     # already among the system's rules
else
    (cd "$work" && apt-get download udisks2 > /dev/null 2>&1 && dpkg-deb -x udisks2_*.deb udisks2) \
        || { echo "FAIL cannot fetch udisks2's rules (apt-get download udisks2)"; exit 1; }
    udisks_rules=$(find "$work/udisks2" -name 80-udisks2.rules)
    cp "$udisks_rules" "$work/rules/"
fi
vidpid=$(python3 -c "import json; m = [m for m in json.load(open('Sources/RecorderHAL/recorders.json'))['models'] if m['interfaceClass'] == 8][0]; print(m['vendorId'] + ':' + m['productId'])")
unshare -m sh -c 'mount --bind "$1" /etc/udev/rules.d && exec umockdev-wrapper /usr/bin/python3 "$2" "$3"' \
    - "$work/rules" "$PWD/Tests/cli/support/udev_volumes.py" "$vidpid" > "$work/udev.json"
python3 - "$work/udev.json" "$udisks_rules" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
failures = 0
def check(name, ok, detail):
    global failures
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + json.dumps(detail)))
    failures += not ok
for name in ("sdb", "sdb1"):
    p = r[name]["properties"]
    check("udevadm test: the recorder's %s is hidden from udisks, not automounted, for administrators only" % name,
          r[name]["status"] == 0 and p.get("UDISKS_IGNORE") == "1" and p.get("UDISKS_AUTO") == "0" and p.get("UDISKS_SYSTEM") == "1", p)
    check("udevadm test: the recorder's %s is not probed (no blkid, no ID_FS_*, no /dev/disk links)" % name,
          not any(k.startswith("ID_FS_") for k in p) and "DEVLINKS" not in p
          and not any("60-persistent-storage.rules" in f for f in r[name]["rules"]), {"properties": p, "rules": r[name]["rules"]})
p = r["sdc"]["properties"]
check("udevadm test: an ordinary USB stick beside it is left alone (probed, by-id link, no UDISKS_* of ours)",
      "UDISKS_IGNORE" not in p and "RECORDER_GATEWAY" not in p and "/dev/disk/by-id/" in p.get("DEVLINKS", "")
      and any("60-persistent-storage.rules" in f for f in r["sdc"]["rules"]), {"properties": p, "rules": r["sdc"]["rules"]})
p = r["sdb-usb"]["properties"]
check("udevadm test: the recorder's USB device is the gateway's (RECORDER_GATEWAY_DRIVER=usb-mass-storage)",
      p.get("RECORDER_GATEWAY") == "1" and p.get("RECORDER_GATEWAY_DRIVER") == "usb-mass-storage", p)
# The rules parse without complaint (an unknown group is this test machine's: Tools/install creates it).
complaints = sorted({w for d in r.values() for w in d["warnings"] if "Unknown group" not in w})
check("udevadm parses our rules without a complaint", not complaints, complaints)
read = r["sdb"]["read"]
check("udevadm read our rules, the system's and udisks2's (%s)" % sys.argv[2],
      any(f.endswith("/59-recorder-gateway-volumes.rules") for f in read) and any(f.endswith("/80-udisks2.rules") for f in read)
      and any(f.endswith("/60-persistent-storage.rules") for f in read), read)
sys.exit(1 if failures else 0)
PY
