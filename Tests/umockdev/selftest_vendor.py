#!/usr/bin/env python3
"""Self-test of the harness's vendor requests and re-enumeration, with clients that are not
ours: pyusb (libusb-1.0 through ctypes) for the transfers, libudev (through ctypes) for the
uevents. Run it as the PROGRAM under harness.py with a scenario of vendor recorders
(run-selftest.sh writes one); the password, device id, ids and image come from that scenario,
never from the command line, and the password is never printed.

    selftest_vendor.py dance --scenario F --serial S [--return-port P | --return-never]
        the family's exchange byte for byte (amba-ascii: @Ver, @Gdv, @Sdt, @Stm, @ATH on bulk
        0x01/0x81; amba-ctrl: login, result, disk mode, result over vendor control transfers),
        then the re-enumeration: udev sees "remove" of the vendor device's devpath, the old
        handle fails with ENODEV, and udev sees "add" on the same devpath (or P's) of a device
        with the storage ids, which pyusb finds on that port path as mass storage (08/06/50);
        READ CAPACITY and a few READ(10)s through Bulk-Only Transport match the image's bytes.
        --return-never: nothing comes back (see mode_dance for how that is observed).
        --unread (amba-ascii): @ATH's answer is never read; the device leaves all the same (the
        harness's 5 s grace) and the answer is lost with it (the read fails ENODEV).
    selftest_vendor.py lockout --scenario F --serial S
        wrong passwords are refused and counted, a right one resets the count (amba-ascii), and
        after lockout.attempts wrong ones in a row even the right password is refused; the
        device stays on the bus.

Exit status 0 when every check passed, 1 otherwise.
"""
import argparse
import ctypes
import errno
import fcntl
import json
import os
import struct
import sys
import time

try:
    import usb.core
    import usb.util
except ImportError:
    sys.stderr.write("selftest_vendor: pyusb is missing: python3 -m pip install pyusb\n")
    sys.exit(2)

from udev_monitor import UdevMonitor

VENDOR_IDS = (0x4255, 0x0001)
LIBUSB_ERROR_PIPE = -9
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


# -- the scenario --------------------------------------------------------------------------

class Recorder:
    """The facts the test checks against, from the scenario (as the device reads them)."""

    def __init__(self, scenario_path, serial):
        with open(scenario_path, encoding="utf-8") as f:
            scenario = json.load(f)
        r = next(x for x in scenario["recorders"] if x["identity"]["serial"] == serial)
        self.serial = serial
        self.family = r["family"]
        self.password = r["password"].encode("ascii")
        self.port = r["port"]
        self.attempts = (r.get("lockout") or {}).get("attempts")
        vendor = r.get("vendor") or {}
        self.faults = {f["kind"] for f in vendor.get("faults") or []}
        self.device_id = vendor.get("deviceId", serial).encode("ascii")
        usb_ids = vendor.get("storageUsb") or {}
        self.storage_ids = (int(usb_ids.get("vendorId", "1209"), 16), int(usb_ids.get("productId", "0003"), 16))
        image = r["storage"]["image"]
        if not os.path.isabs(image):
            image = os.path.join(os.path.dirname(os.path.abspath(scenario_path)), image)
        with open(image, "rb") as f:
            self.image = f.read()


def port_numbers(port):
    bus, path = port.split("-", 1)
    return int(bus), [int(p) for p in path.split(".")]


# -- USB ---------------------------------------------------------------------------------

def find(vendor_ids, serial=None, wait=0.0):
    """The device with these ids (and serial), polling libusb's list until `wait` is over."""
    deadline = time.monotonic() + wait
    while True:
        for dev in usb.core.find(find_all=True, idVendor=vendor_ids[0], idProduct=vendor_ids[1]):
            if serial is None or dev.serial_number == serial:
                return dev
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)


def gone(vendor_ids, serial, wait):
    """True once libusb's list no longer has the device (its monitor thread handles the uevent
    on its own time), polling until `wait` is over."""
    deadline = time.monotonic() + wait
    while find(vendor_ids, serial) is not None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def at_port(dev, port, what):
    bus, numbers = port_numbers(port)
    return check(dev.bus == bus and list(dev.port_numbers or []) == numbers,
                 "%s: bus %d port numbers %s, bay %s" % (what, dev.bus, list(dev.port_numbers or []), port))


def vendor_interface(dev, family):
    cfg = dev.get_active_configuration()
    intf = cfg[(0, 0)]
    check(intf.bInterfaceClass == 0xFF, "%s: interface 0 is class 0xFF (vendor)" % family)
    addresses = sorted(e.bEndpointAddress for e in intf)
    if family == "amba-ascii":
        check(addresses == [0x01, 0x81] and all(usb.util.endpoint_type(e.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
                                                for e in intf),
              "amba-ascii: bulk endpoints 0x01 and 0x81 (got %s)" % ["0x%02x" % a for a in addresses])
    else:
        check(addresses == [] and intf.bNumEndpoints == 0, "amba-ctrl: no endpoint but endpoint 0 (got %s)" % addresses)
    return intf


# -- amba-ascii ------------------------------------------------------------------------

def ascii_command(dev, command):
    n = dev.write(0x01, command, timeout=5000)
    if n != len(command):
        check(False, "a %d-byte command written whole (%d)" % (len(command), n))
    return bytes(dev.read(0x81, 512, timeout=5000))


def ascii_dance(dev, rec, read_last=True):
    reply = ascii_command(dev, b"@Ver;8;00000000;#")
    check(b"Ver;OK" in reply and len(reply) <= 64, "@Ver;8;00000000;# answered with Ver;OK (%r)" % reply)
    expect_usb_error(lambda: dev.ctrl_transfer(0xC0, 0x55, 0x0080, 0, 10, timeout=5000), LIBUSB_ERROR_PIPE,
                     "amba-ascii: a vendor control request is forwarded to the device, which STALLs it")
    reply = ascii_command(dev, b"@Gdv;8;" + rec.password + b";#")
    fields = reply.split(b"#")[0].split(b";")
    check(reply.startswith(b"@Gdv;") and reply.endswith(b"#") and fields[-1] == rec.device_id,
          "@Gdv;8;<password>;# answered with the device id %r" % rec.device_id.decode())
    check(rec.password not in reply, "the @Gdv reply does not carry the password")
    reply = ascii_command(dev, b"@Sdt;8;20261206;#")
    check(b"ERROR" not in reply and reply == b"@Sdt;OK#", "@Sdt;8;20261206;# accepted (%r)" % reply)
    reply = ascii_command(dev, b"@Stm;6;16304500;#")
    check(reply == b"@Stm;OK#", "@Stm;6;16304500;# accepted (%r)" % reply)
    if not read_last:
        # the host never reads @ATH's answer: the device leaves anyway, after the harness's grace
        dev.write(0x01, b"@ATH;8;" + rec.password + b";#", timeout=5000)
        return True
    if "leaveWithoutAnswer" in rec.faults:
        dev.write(0x01, b"@ATH;8;" + rec.password + b";#", timeout=5000)
        try:
            dev.read(0x81, 512, timeout=5000)
            check(False, "leaveWithoutAnswer: @ATH's answer never comes")
        except usb.core.USBError as e:
            check(e.errno == errno.ENODEV, "leaveWithoutAnswer: the read of @ATH's answer fails with No such device (%s)" % e)
        return True
    reply = ascii_command(dev, b"@ATH;8;" + rec.password + b";#")
    if "refuseDiskMode" in rec.faults:
        check(reply == b"@ATH;ERROR#", "refuseDiskMode: @ATH with the right password is refused (%r)" % reply)
        check(b"Ver;OK" in ascii_command(dev, b"@Ver;8;00000000;#"), "refuseDiskMode: the device stays (@Ver answered)")
        return False
    check(reply == b"@ATH;OK#", "@ATH;8;<password>;# accepted: the device switches to storage mode")
    return True


# -- amba-ctrl -------------------------------------------------------------------------

def ctrl_packet(header, text=b""):
    return (bytes(header) + text).ljust(64, b"\0")


LOGIN = bytes([0xA1, 0x12, 0x00, 0x12])
DISK_MODE = bytes([0xA1, 0x23, 0x00, 0x23])


def ctrl_out(dev, request, packet):
    return dev.ctrl_transfer(0x40, request, 0x0080, 0, packet, timeout=5000)


def ctrl_result(dev):
    return bytes(dev.ctrl_transfer(0xC0, 0x55, 0x0080, 0, 10, timeout=5000))


def ctrl_dance(dev, rec):
    expect_usb_error(lambda: ctrl_result(dev), LIBUSB_ERROR_PIPE,
                     "amba-ctrl: a result read with none pending is STALLed by the device")
    n = ctrl_out(dev, 0x55, ctrl_packet(LOGIN, rec.password))
    check(n == 64, "login: control OUT 40h/55h wValue 0080h, 64 bytes a1 12 00 12 + <password> (%d written)" % n)
    result = ctrl_result(dev)
    check(len(result) == 10 and result[2] == 1, "login result: control IN C0h/55h, 10 bytes, byte 2 = 1 (accepted: %s)"
          % (result[2] if len(result) > 2 else "short"))
    n = ctrl_out(dev, 0x50, ctrl_packet(DISK_MODE))
    check(n == 64, "disk mode: control OUT 40h/50h wValue 0080h, 64 bytes a1 23 00 23 (%d written)" % n)
    if "leaveWithoutAnswer" in rec.faults:
        try:
            ctrl_result(dev)
            check(False, "leaveWithoutAnswer: the disk-mode result never comes")
        except usb.core.USBError as e:
            check(e.errno == errno.ENODEV, "leaveWithoutAnswer: the result read fails with No such device (%s)" % e)
        return True
    result = ctrl_result(dev)
    if "refuseDiskMode" in rec.faults:
        check(len(result) == 10 and result[2] == 0, "refuseDiskMode: the disk-mode result is 0 (refused)")
        ctrl_out(dev, 0x50, ctrl_packet(DISK_MODE))
        check(ctrl_result(dev)[2] == 0, "refuseDiskMode: the device stays, and refuses again")
        return False
    check(len(result) == 10 and result[2] == 1, "disk mode result: byte 2 = 1 (accepted)")
    return True


# -- the mass-storage appearance ---------------------------------------------------------

def bot_command(dev, tag, cdb, length):
    cbw = b"USBC" + struct.pack("<IIBBB", tag, length, 0x80 if length else 0, 0, len(cdb)) + bytes(cdb).ljust(16, b"\0")
    dev.write(0x01, cbw, timeout=5000)
    # a buffer a packet longer than the data: the data phase ends short, never with a ZLP
    data = bytes(dev.read(0x81, length + 512, timeout=5000)) if length else b""
    csw = bytes(dev.read(0x81, 13, timeout=5000))
    ok = len(csw) == 13 and csw[:4] == b"USBS" and struct.unpack_from("<I", csw, 4)[0] == tag and csw[12] == 0
    return data, ok


def read_storage(dev, rec):
    cfg = dev.get_active_configuration()
    intf = cfg[(0, 0)]
    check((intf.bInterfaceClass, intf.bInterfaceSubClass, intf.bInterfaceProtocol) == (0x08, 0x06, 0x50),
          "mass storage: interface 08/06/50 (SCSI, Bulk-Only Transport)")
    usb.util.claim_interface(dev, 0)
    data, ok = bot_command(dev, 1, bytes([0x25]) + bytes(9), 8)       # READ CAPACITY(10)
    last, block = struct.unpack(">II", data) if len(data) == 8 else (0, 0)
    check(ok and block and (last + 1) * block == len(rec.image),
          "READ CAPACITY(10): %d blocks of %d bytes, the image's %d bytes" % (last + 1, block, len(rec.image)))
    if not block:
        return
    for tag, (lba, count) in enumerate([(0, 8), (last, 1), ((last + 1) // 2 - 3, 7)], start=2):
        data, ok = bot_command(dev, tag, bytes([0x28, 0]) + struct.pack(">IBHB", lba, 0, count, 0), count * block)
        check(ok and data == rec.image[lba * block:(lba + count) * block],
              "READ(10) of %d blocks at %d: the image's bytes (CSW passed)" % (count, lba))
    usb.util.release_interface(dev, 0)


# -- modes -------------------------------------------------------------------------------

def expect_usb_error(fn, code, what):
    try:
        fn()
        return check(False, what + " (it succeeded)")
    except usb.core.USBError as e:
        return check(e.backend_error_code == code, "%s (%s)" % (what, e))


def mode_dance(args, rec):
    monitor = UdevMonitor()
    check(monitor.listening, "libudev monitor listening for usb_device uevents")
    dev = find(VENDOR_IDS, rec.serial, wait=5)
    if not check(dev is not None, "%s: found %04x:%04x serial %s" % (rec.family, VENDOR_IDS[0], VENDOR_IDS[1], rec.serial)):
        return
    at_port(dev, rec.port, "the vendor device")
    intf = vendor_interface(dev, rec.family)
    usb.util.claim_interface(dev, intf.bInterfaceNumber)
    if rec.family == "amba-ascii":
        switching = ascii_dance(dev, rec, read_last=not args.unread)
    else:
        switching = ctrl_dance(dev, rec)
    if not switching:
        monitor.drain()
        check(not any(e[0] == "remove" for e in monitor.events), "no \"remove\" uevent: the device did not leave")
        check(find(VENDOR_IDS, rec.serial) is not None, "still in libusb's list")
        usb.util.release_interface(dev, intf.bInterfaceNumber)
        usb.util.dispose_resources(dev)
        return
    removed = monitor.wait_for("remove", rec.port, 15)
    check(removed is not None, "udev: \"remove\" of %s (the vendor device left the bus)" % rec.port)
    try:
        if args.unread:
            dev.read(0x81, 512, timeout=2000)       # @ATH's answer left with the device
        elif rec.family == "amba-ascii":
            dev.write(0x01, b"@Ver;8;00000000;#", timeout=2000)
        else:
            ctrl_result(dev)
        check(False, "a transfer on the old handle fails with No such device")
    except usb.core.USBError as e:
        check(e.errno == errno.ENODEV, "a transfer on the old handle fails with No such device (%s)" % e)
    usb.util.dispose_resources(dev)
    check(gone(VENDOR_IDS, rec.serial, 5), "the vendor device left libusb's device list")
    if args.return_never:
        # Nothing can be awaited for an absence: the harness logs "it never comes back", which
        # run-selftest.sh checks; here nothing appears within 8 times the default return delay.
        added = monitor.wait_for("add", rec.port, 4)
        check(added is None, "udev: no \"add\" at %s (it never comes back)" % rec.port)
        check(find(rec.storage_ids) is None, "no %04x:%04x in libusb's list" % rec.storage_ids)
        return
    port = args.return_port or rec.port
    added = monitor.wait_for("add", port, 20)
    product = "%x/%x/" % rec.storage_ids
    if check(added is not None, "udev: \"add\" at %s after the \"remove\"%s" % (
            port, "" if args.return_port else " (the same devpath)")):
        check(added[2].startswith(product), "the added device is %s... (PRODUCT=%s)" % (product, added[2]))
        if not args.return_port:
            check(added[1] == removed[1], "same devpath: %s" % added[1])
    if args.return_port:
        check(monitor.wait_for("add", rec.port, 0) is None, "nothing came back at %s" % rec.port)
    storage = find(rec.storage_ids, rec.serial, wait=5)
    if not check(storage is not None, "found the mass-storage appearance %04x:%04x serial %s" % (
            rec.storage_ids[0], rec.storage_ids[1], rec.serial)):
        return
    at_port(storage, port, "the mass-storage appearance")
    check(find(VENDOR_IDS, rec.serial) is None, "the vendor appearance is not listed any more")
    read_storage(storage, rec)
    usb.util.dispose_resources(storage)


def wrong_password(rec):
    """A password of the same length that is not the right one (never printed either)."""
    return bytes(b"A"[0] if c != ord("A") else ord("B") for c in rec.password)


USBDEVFS_CONTROL = 0xC0185500


def sync_control_in(dev, request_type, request, value, index, length):
    """A control IN through the USBDEVFS_CONTROL ioctl itself on our own descriptor of the
    node (libusb never issues it): the harness's synchronous control path."""
    node = "/dev/bus/usb/%03d/%03d" % (dev.bus, dev.address)
    fd = os.open(node, os.O_RDWR)
    try:
        buf = ctypes.create_string_buffer(length)
        arg = bytearray(struct.pack("<BBHHHI4xQ", request_type, request, value, index, length, 5000,
                                    ctypes.addressof(buf)))
        n = fcntl.ioctl(fd, USBDEVFS_CONTROL, arg, True)
        return buf.raw[:n]
    finally:
        os.close(fd)


def mode_lockout(args, rec):
    dev = find(VENDOR_IDS, rec.serial, wait=5)
    if not check(dev is not None, "%s: found the vendor device" % rec.family):
        return
    n = rec.attempts
    if not check(isinstance(n, int) and n >= 2, "the scenario sets lockout.attempts (%s)" % n):
        return
    wrong = wrong_password(rec)
    intf = vendor_interface(dev, rec.family)
    usb.util.claim_interface(dev, intf.bInterfaceNumber)
    if rec.family == "amba-ascii":
        check(b"Ver;OK" in ascii_command(dev, b"@Ver;8;00000000;#"), "@Ver answered")
        refused = [ascii_command(dev, b"@Gdv;8;" + wrong + b";#") for _ in range(n - 1)]
        check(refused == [b"@Gdv;ERROR#"] * (n - 1), "%d wrong passwords: each @Gdv;ERROR#" % (n - 1))
        reply = ascii_command(dev, b"@Gdv;8;" + rec.password + b";#")
        check(reply.endswith(b";" + rec.device_id + b"#"), "the right one after %d wrong: accepted (the count resets)" % (n - 1))
        refused = [ascii_command(dev, b"@Gdv;8;" + wrong + b";#") for _ in range(n)]
        check(refused == [b"@Gdv;ERROR#"] * n, "%d wrong passwords in a row: each @Gdv;ERROR#" % n)
        check(ascii_command(dev, b"@Gdv;8;" + rec.password + b";#") == b"@ERROR;LOCKED#",
              "locked: the right password is refused (@ERROR;LOCKED#)")
        check(ascii_command(dev, b"@ATH;8;" + rec.password + b";#") == b"@ERROR;LOCKED#",
              "locked: @ATH with the right password is refused, no switch")
        check(b"Ver;OK" in ascii_command(dev, b"@Ver;8;00000000;#"), "the device is still on the bus (@Ver answered)")
    else:
        for k in range(1, n + 1):
            ctrl_out(dev, 0x55, ctrl_packet(LOGIN, wrong))
            # the first result through the USBDEVFS_CONTROL ioctl, the others as URBs (libusb)
            result = sync_control_in(dev, 0xC0, 0x55, 0x0080, 0, 10) if k == 1 else ctrl_result(dev)
            check(len(result) == 10 and result[2] == 0, "wrong password #%d: refused (byte 2 = 0)%s" % (
                k, " (read through USBDEVFS_CONTROL)" if k == 1 else ""))
        ctrl_out(dev, 0x55, ctrl_packet(LOGIN, rec.password))
        check(ctrl_result(dev)[2] == 0, "locked after %d: the right password is refused (byte 2 = 0)" % n)
        ctrl_out(dev, 0x50, ctrl_packet(DISK_MODE))
        check(ctrl_result(dev)[2] == 0, "disk mode without an accepted login: refused, no switch")
        expect_usb_error(lambda: ctrl_out(dev, 0x55, b"\xa1\x12\x00\x12"), LIBUSB_ERROR_PIPE,
                         "a 4-byte login packet is STALLed")
        check(find(VENDOR_IDS, rec.serial) is not None, "the device is still on the bus")
    usb.util.release_interface(dev, intf.bInterfaceNumber)
    usb.util.dispose_resources(dev)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["dance", "lockout"])
    p.add_argument("--scenario", required=True)
    p.add_argument("--serial", required=True)
    p.add_argument("--return-port", help="dance: the harness runs with --return-port SERIAL:PORT")
    p.add_argument("--return-never", action="store_true", help="dance: the harness runs with --return-never SERIAL")
    p.add_argument("--unread", action="store_true",
                   help="dance (amba-ascii): never read @ATH's answer; the device leaves after the harness's grace")
    args = p.parse_args()
    try:
        rec = Recorder(args.scenario, args.serial)
        {"dance": mode_dance, "lockout": mode_lockout}[args.mode](args, rec)
    except Exception as e:
        import traceback
        traceback.print_exc()
        failures.append("exception: %r" % (e,))
    print("selftest_vendor %s %s: %s" % (args.mode, args.serial, "PASS" if not failures else "FAIL (%d)" % len(failures)),
          flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
