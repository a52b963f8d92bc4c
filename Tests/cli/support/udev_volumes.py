#!/usr/bin/python3
"""What udev makes of a mass-storage recorder's disk, should a kernel driver bind it, next to an
ordinary USB stick's: `udevadm test` (systemd's own rules processor, with this machine's rules
in /usr/lib/udev/rules.d and whatever is in /etc/udev/rules.d) run on block devices in a umockdev
testbed. Prints one JSON object: for each device, the properties udev ends with, the rule files
that logged an action on it (IMPORT, RUN, ...), the rule files read, and udev's complaints about
ours.

Run by Tests/cli/udev-rules.sh under `unshare -m` with the rules under test bind-mounted on
/etc/udev/rules.d, and itself under umockdev-wrapper (else the testbed sends nothing).
Usage: udev_volumes.py RECORDER_VID:PID
"""
import json
import os
import subprocess
import sys

import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402


def main():
    vid, pid = sys.argv[1].split(":")
    bed = UMockdev.Testbed.new()
    root = bed.get_root_dir()
    hub = bed.add_device("usb", "usb1", None, ["idVendor", "1d6b", "idProduct", "0002"], ["DEVTYPE", "usb_device"])
    disks = {}

    def dock(name, port, vendor, product, minor):
        # The chain the kernel builds when usb-storage binds: device, interface 08/06/50, SCSI
        # host, disk, partition.
        device = bed.add_device("usb", port, hub, ["idVendor", vendor, "idProduct", product, "bInterfaceClass", "00"],
                                ["DEVTYPE", "usb_device", "PRODUCT", "%x/%x/100" % (int(vendor, 16), int(product, 16))])
        interface = bed.add_device("usb", port + ":1.0", device,
                                   ["bInterfaceClass", "08", "bInterfaceSubClass", "06", "bInterfaceProtocol", "50"],
                                   ["DEVTYPE", "usb_interface", "DRIVER", "usb-storage"])
        host = bed.add_device("scsi", "host%d" % minor, interface, [], [])
        disk = bed.add_device("block", name, host, ["size", "81920", "removable", "1"],
                              ["DEVTYPE", "disk", "DEVNAME", "/dev/" + name, "MAJOR", "8", "MINOR", str(minor)])
        part = bed.add_device("block", name + "1", disk, ["size", "81000", "partition", "1"],
                              ["DEVTYPE", "partition", "DEVNAME", "/dev/%s1" % name, "MAJOR", "8", "MINOR", str(minor + 1)])
        disks[name] = disk
        disks[name + "1"] = part
        disks[name + "-usb"] = device

    dock("sdb", "1-1", vid, pid, 16)          # the recorder
    dock("sdc", "1-2", "0781", "5567", 32)    # an ordinary USB stick
    env = dict(os.environ, UMOCKDEV_DIR=root, LD_PRELOAD="libumockdev-preload.so.0")
    out = {}
    for name, syspath in disks.items():
        r = subprocess.run(["udevadm", "test", "--action=add", syspath], env=env, capture_output=True, text=True)
        props = {}
        for line in r.stdout.splitlines():
            key, eq, value = line.partition("=")
            if eq and key.isupper() and " " not in key:
                props[key] = value
        rules = sorted({l.split(":", 2)[1].strip() for l in r.stderr.splitlines()
                        if l.startswith(os.path.basename(syspath) + ":") and ".rules:" in l})
        read = sorted({l.split(":", 1)[1].strip() for l in r.stderr.splitlines() if l.startswith("Reading rules file:")})
        out[name] = {"status": r.returncode, "properties": props, "rules": rules, "read": read,
                     "warnings": [l for l in r.stderr.splitlines() if "recorder-gateway" in l and ".rules:" in l
                                  and not l.startswith(os.path.basename(syspath) + ":")]}
    json.dump(out, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
