#!/usr/bin/env python3
"""Self-test of the umockdev harness with a libusb client that is not ours: pyusb.

Run it as the PROGRAM under harness.py (see README.md, "Self-test"). Needs pyusb
(`python3 -m pip install pyusb`; it loads the system libusb-1.0 through ctypes). It does not need
python3-gi, so any interpreter with pyusb will do.

    selftest.py hello    [--serial S] [--port 1-1.3] [--usb3]
    selftest.py inflight [--fake]          several IN reads in flight (threads); with --fake
                                           also transfer splitting and zero-length packets
    selftest.py control                    GETDRIVER, detach/attach, set configuration and
                                           interface, clear halt, control transfers, stall,
                                           reset, claim through DISCONNECT_CLAIM (auto-detach)
    selftest.py multi    [--count N]       N recorders at once, one thread each (20 HELLOs)
    selftest.py hotplug  [--wait SECONDS]  the device is absent at start and appears later
    selftest.py unplug   [--wait SECONDS]  a pending read fails with "No such device"
                         [--by-device]     (fake device: it reports the unplug itself)
    selftest.py replug   [--wait SECONDS]  unplug, then the recorder is docked again: new address
    selftest.py stall    [--forever]       harness --stall-in S:2 --stall-out S:3: the 2nd IN and
                                           3rd OUT transfer STALL (LIBUSB_ERROR_PIPE) until
                                           clear_halt, GET_STATUS shows the halt, nothing lost
    selftest.py denied   [--refusals K]    harness --deny-open S[:K]: the first K opens (default:
                                           all of 5 tries) fail with LIBUSB_ERROR_ACCESS, then HELLO

Exit status 0 when every check passed, 1 otherwise.
"""
import argparse
import errno
import struct
import sys
import threading
import time

try:
    import usb.core
    import usb.util
except ImportError:
    sys.stderr.write("selftest: pyusb is missing: python3 -m pip install pyusb\n")
    sys.exit(2)

VID, PID = 0x1209, 0x0001
MAGIC = bytes.fromhex("5A465952")
# Docs/protocol.md section 9.1, vector hello-request (tag 1)
HELLO_REQUEST = bytes.fromhex(
    "5A465952 01 01 00 00 01000000 0000 0000 10000000 6DA9DB17 062D9256"
    "01 01 00 10 40 00 08 00 6B 69 6F 73 6B 2D 30 31".replace(" ", ""))
READ_SIZE = 64 * 1024
failures = []
_print_lock = threading.Lock()


def check(condition, what):
    with _print_lock:
        print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def request(opcode, tag, payload=b""):
    head = MAGIC + bytes([1, opcode, 0, 0]) + struct.pack(
        "<IHHII", tag, 0, 0, len(payload), crc32c(payload) if payload else 0)
    return head + struct.pack("<I", crc32c(head)) + payload


def check_reply(reply, opcode, tag, what):
    reply = bytes(reply)
    ok = check(reply[:4] == MAGIC, "%s: reply starts with magic 5A 46 59 52 (got %s)" % (what, reply[:8].hex()))
    if not ok or len(reply) < 28:
        return False
    ok &= check(reply[6] & 1 == 1, "%s: response flag set (flags 0x%02x)" % (what, reply[6]))
    ok &= check(reply[5] == opcode, "%s: opcode 0x%02x echoed" % (what, opcode))
    (got_tag,) = struct.unpack_from("<I", reply, 8)
    ok &= check(got_tag == tag, "%s: tag %d echoed (got %d)" % (what, tag, got_tag))
    (hcheck,) = struct.unpack_from("<I", reply, 24)
    ok &= check(hcheck == crc32c(reply[:24]), "%s: header check is the CRC-32C of bytes 0..23" % what)
    (plen,) = struct.unpack_from("<I", reply, 16)
    ok &= check(len(reply) == 28 + plen, "%s: one frame per transfer (%d bytes, payload %d)" % (what, len(reply), plen))
    return ok


def find(wait=0.0):
    deadline = time.monotonic() + wait
    while True:
        dev = usb.core.find(idVendor=VID, idProduct=PID)
        if dev is not None or time.monotonic() >= deadline:
            return dev
        time.sleep(0.1)


def open_recorder(dev):
    """Claims the vendor-class interface and finds its bulk endpoints from the descriptors."""
    cfg = dev.get_active_configuration()
    intf = next(i for i in cfg if i.bInterfaceClass == 0xFF)
    usb.util.claim_interface(dev, intf.bInterfaceNumber)
    ep_out = usb.util.find_descriptor(intf, custom_match=lambda e: usb.util.endpoint_direction(
        e.bEndpointAddress) == usb.util.ENDPOINT_OUT and usb.util.endpoint_type(e.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK)
    ep_in = usb.util.find_descriptor(intf, custom_match=lambda e: usb.util.endpoint_direction(
        e.bEndpointAddress) == usb.util.ENDPOINT_IN and usb.util.endpoint_type(e.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK)
    check(ep_out is not None and ep_in is not None, "interface %d (class 0xFF) has one bulk OUT and one bulk IN endpoint"
          % intf.bInterfaceNumber)
    return intf, ep_out, ep_in


def hello(dev, ep_out, ep_in, what="HELLO"):
    n = dev.write(ep_out.bEndpointAddress, HELLO_REQUEST, timeout=5000)
    check(n == len(HELLO_REQUEST), "%s: wrote the %d-byte golden hello-request to 0x%02x" % (what, n, ep_out.bEndpointAddress))
    reply = dev.read(ep_in.bEndpointAddress, READ_SIZE, timeout=5000)
    check_reply(reply, 0x01, 1, what)
    return bytes(reply)


def mode_hello(args):
    dev = find(args.wait)
    if not check(dev is not None, "found %04x:%04x" % (VID, PID)):
        return
    print("      bus %d address %d port %s speed %s" % (dev.bus, dev.address, dev.port_numbers, dev.speed))
    check(dev.bcdUSB == (0x0320 if args.usb3 else 0x0200), "bcdUSB 0x%04x" % dev.bcdUSB)
    if args.port:
        bus, path = args.port.split("-", 1)
        check(dev.bus == int(bus) and list(dev.port_numbers or []) == [int(p) for p in path.split(".")],
              "bus %d, port numbers %s match bay %s" % (dev.bus, dev.port_numbers, args.port))
    if args.serial:
        check(dev.serial_number == args.serial, "serial string descriptor %r (a control GET_DESCRIPTOR)" % dev.serial_number)
    intf, ep_out, ep_in = open_recorder(dev)
    check(ep_in.wMaxPacketSize == (1024 if args.usb3 else 512), "wMaxPacketSize %d" % ep_in.wMaxPacketSize)
    hello(dev, ep_out, ep_in)
    # a short read buffer: the rest of the transfer stays for the next read
    dev.write(ep_out.bEndpointAddress, HELLO_REQUEST, timeout=5000)
    first = bytes(dev.read(ep_in.bEndpointAddress, 16, timeout=5000))
    rest = bytes(dev.read(ep_in.bEndpointAddress, READ_SIZE, timeout=5000))
    check(len(first) == 16 and first[:4] == MAGIC, "reply read into a 16-byte buffer: 16 bytes")
    check_reply(first + rest, 0x01, 1, "HELLO over two reads")
    usb.util.release_interface(dev, intf.bInterfaceNumber)
    usb.util.dispose_resources(dev)


def mode_inflight(args):
    dev = find(args.wait)
    if not check(dev is not None, "found %04x:%04x" % (VID, PID)):
        return
    intf, ep_out, ep_in = open_recorder(dev)
    results = {}

    def reader(k):
        try:
            results[k] = bytes(dev.read(ep_in.bEndpointAddress, READ_SIZE, timeout=10000))
        except usb.core.USBError as e:
            results[k] = e

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.5)   # all three IN URBs posted before anything is sent
    check(all(t.is_alive() for t in threads), "three reads in flight, none completed without data")
    dev.write(ep_out.bEndpointAddress, HELLO_REQUEST, timeout=5000)
    dev.write(ep_out.bEndpointAddress, request(0x02, 2), timeout=5000)   # IDENTITY, tag 2
    time.sleep(1.0)
    done = [k for k in results]
    check(len(done) == 2, "two replies completed two of the three reads (%d completed)" % len(done))
    dev.write(ep_out.bEndpointAddress, request(0x02, 3), timeout=5000)   # IDENTITY, tag 3
    for t in threads:
        t.join(15)
    replies = [results.get(k) for k in range(3)]
    if check(all(isinstance(r, bytes) for r in replies), "all three reads completed"):
        tags = sorted(struct.unpack_from("<I", r, 8)[0] for r in replies)
        check(tags == [1, 2, 3], "replies carry tags 1, 2, 3 (got %s)" % tags)
        for r in replies:
            (tag,) = struct.unpack_from("<I", r, 8)
            check_reply(r, 0x01 if tag == 1 else 0x02, tag, "reply tag %d" % tag)
    if args.fake:
        mps = ep_in.wMaxPacketSize
        # one 1500-byte IN transfer read with 512-byte buffers: 512 + 512 + 476
        dev.write(ep_out.bEndpointAddress, request(0x7F, 9, b"burst 1 1500"), timeout=5000)
        sizes = [len(dev.read(ep_in.bEndpointAddress, 512, timeout=5000)) for _ in range(3)]
        check(sizes == [512, 512, 476], "a 1500-byte transfer read 512 at a time: %s" % sizes)
        # a transfer of exactly 2 packets into a 2-packet buffer: then its ZLP (0 bytes)
        dev.write(ep_out.bEndpointAddress, request(0x7F, 9, b"burst 2 %d" % (2 * mps)), timeout=5000)
        sizes = [len(dev.read(ep_in.bEndpointAddress, 2 * mps, timeout=5000)) for _ in range(3)]
        check(sizes == [2 * mps, 0, 2 * mps], "2-packet transfer into 2-packet buffer, then its ZLP: %s" % sizes)
        sizes = [len(dev.read(ep_in.bEndpointAddress, READ_SIZE, timeout=5000))]
        check(sizes == [0], "...and the second transfer's ZLP: %s" % sizes)
        # a transfer of exactly 2 packets into a bigger buffer: the ZLP ends it, nothing follows
        dev.write(ep_out.bEndpointAddress, request(0x7F, 9, b"burst 1 %d" % (2 * mps)), timeout=5000)
        got = bytes(dev.read(ep_in.bEndpointAddress, READ_SIZE, timeout=5000))
        check(len(got) == 2 * mps and got == bytes((i & 0xFF) for i in range(2 * mps)),
              "2-packet transfer into a big buffer: %d bytes, content intact" % len(got))
        try:
            dev.read(ep_in.bEndpointAddress, READ_SIZE, timeout=300)
            check(False, "no data after a transfer ended by its ZLP")
        except usb.core.USBTimeoutError:
            check(True, "no data after a transfer ended by its ZLP (read timed out)")
        # big transfers keep their bytes
        dev.write(ep_out.bEndpointAddress, request(0x7F, 9, b"burst 3 300000"), timeout=5000)
        ok = True
        for k in range(3):
            got = bytes(dev.read(ep_in.bEndpointAddress, 1 << 20, timeout=5000))
            ok &= len(got) == 300000 and got[:3] == bytes([k & 0xFF, (k + 1) & 0xFF, (k + 2) & 0xFF]) \
                and got == bytes(((k + i) & 0xFF) for i in range(300000))
        check(ok, "three 300000-byte transfers arrive whole and in order")
    usb.util.release_interface(dev, intf.bInterfaceNumber)
    usb.util.dispose_resources(dev)


def expect_usb_error(fn, code, what):
    """Runs fn; checks it fails with libusb error `code` (e.g. -5 LIBUSB_ERROR_NOT_FOUND)."""
    try:
        fn()
        return check(False, what + " (it succeeded)")
    except usb.core.USBError as e:
        return check(e.backend_error_code == code, "%s (%s)" % (what, e))


def mode_control(args):
    """The less common requests libusb turns into usbdevfs ioctls."""
    dev = find(args.wait)
    if not check(dev is not None, "found %04x:%04x" % (VID, PID)):
        return
    check(dev.is_kernel_driver_active(0) is False, "no kernel driver on interface 0 (GETDRIVER: ENODATA)")
    expect_usb_error(lambda: dev.detach_kernel_driver(0), -5,
                     "detach_kernel_driver with no driver: LIBUSB_ERROR_NOT_FOUND (USBDEVFS_IOCTL DISCONNECT: ENODATA)")
    expect_usb_error(lambda: dev.attach_kernel_driver(0), -5,
                     "attach_kernel_driver finds no driver: LIBUSB_ERROR_NOT_FOUND (USBDEVFS_IOCTL CONNECT: 0)")
    dev.set_configuration(1)
    check(True, "set_configuration(1) (SETCONFIGURATION)")
    expect_usb_error(lambda: dev._ctx.backend.set_configuration(dev._ctx.handle, 2), -5,
                     "configuration 2 does not exist: LIBUSB_ERROR_NOT_FOUND (EINVAL)")
    intf, ep_out, ep_in = open_recorder(dev)
    check(dev.is_kernel_driver_active(0) is False, "claimed: the driver is usbfs, not a kernel driver (GETDRIVER)")
    dev.set_interface_altsetting(0, 0)
    check(True, "set_interface_altsetting(0, 0) (SETINTERFACE)")
    # pyusb checks these itself: ask its libusb backend directly
    backend, handle = dev._ctx.backend, dev._ctx.handle
    expect_usb_error(lambda: backend.set_interface_altsetting(handle, 0, 1), -5,
                     "alternate setting 1 does not exist: LIBUSB_ERROR_NOT_FOUND (SETINTERFACE: EINVAL)")
    expect_usb_error(lambda: backend.set_configuration(handle, 1), -6,
                     "set configuration with an interface claimed: LIBUSB_ERROR_BUSY (as the kernel)")
    dev.clear_halt(ep_in.bEndpointAddress)
    dev.clear_halt(ep_out.bEndpointAddress)
    check(True, "clear_halt on both endpoints (CLEAR_HALT)")
    check(list(dev.ctrl_transfer(0x80, 0, 0, 0, 2)) == [0, 0], "GET_STATUS control transfer")
    desc = bytes(dev.ctrl_transfer(0x80, 6, 0x0100, 0, 18))
    check(len(desc) == 18 and struct.unpack_from("<HH", desc, 8) == (VID, PID), "GET_DESCRIPTOR(device) over endpoint 0")
    cfg = bytes(dev.ctrl_transfer(0x80, 6, 0x0200, 0, 9))
    total = struct.unpack_from("<H", cfg, 2)[0]
    cfg = bytes(dev.ctrl_transfer(0x80, 6, 0x0200, 0, total))
    check(len(cfg) == total and cfg[9 + 5] == 0xFF, "GET_DESCRIPTOR(configuration), %d bytes, interface class 0xFF" % total)
    check(bytes(dev.ctrl_transfer(0x80, 6, 0x0300, 0, 255)) == bytes([4, 3, 9, 4]), "string descriptor 0: LANGID 0x0409")
    expect_usb_error(lambda: dev.ctrl_transfer(0xC0, 0x55, 0, 0, 4), -9, "a vendor control request stalls: LIBUSB_ERROR_PIPE")
    hello(dev, ep_out, ep_in, "HELLO before reset")
    dev.reset()
    check(True, "reset (RELEASEINTERFACE, RESET)")
    # libusb's auto-detach: claiming then goes through USBDEVFS_DISCONNECT_CLAIM
    dev._ctx.managed_open()
    lib = dev._ctx.backend.lib
    rc = lib.libusb_set_auto_detach_kernel_driver(dev._ctx.handle.handle, 1)
    check(rc == 0, "libusb_set_auto_detach_kernel_driver (rc %d)" % rc)
    intf, ep_out, ep_in = open_recorder(dev)
    hello(dev, ep_out, ep_in, "HELLO after reset, claimed with auto-detach")
    usb.util.release_interface(dev, intf.bInterfaceNumber)
    usb.util.dispose_resources(dev)


def mode_multi(args):
    """Several recorders at once, each talked to from its own thread."""
    deadline = time.monotonic() + args.wait
    devs = []
    while time.monotonic() < deadline:
        devs = list(usb.core.find(find_all=True, idVendor=VID, idProduct=PID))
        if len(devs) >= args.count:
            break
        time.sleep(0.1)
    if not check(len(devs) == args.count, "%d recorders present (%d expected)" % (len(devs), args.count)):
        return
    serials = sorted(d.serial_number for d in devs)
    print("      serials %s" % serials)
    check(len(set(serials)) == len(serials), "distinct serial numbers")
    errors = []

    def talk(dev):
        try:
            intf, ep_out, ep_in = open_recorder(dev)
            for _ in range(20):
                hello(dev, ep_out, ep_in, "HELLO to %s" % dev.serial_number)
            usb.util.release_interface(dev, intf.bInterfaceNumber)
            usb.util.dispose_resources(dev)
        except Exception as e:
            errors.append(e)
    start = time.monotonic()
    threads = [threading.Thread(target=talk, args=(d,)) for d in devs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    print("      %d x 20 HELLOs in %.2f s" % (len(devs), time.monotonic() - start))
    check(not errors, "no errors talking to %d recorders at once %s" % (len(devs), errors or ""))


def mode_hotplug(args):
    check(find(0) is None, "no %04x:%04x at start" % (VID, PID))
    start = time.monotonic()
    dev = find(args.wait)
    if not check(dev is not None, "device appeared after %.1f s (hotplug: libusb saw the uevent)" % (time.monotonic() - start)):
        return
    intf, ep_out, ep_in = open_recorder(dev)
    hello(dev, ep_out, ep_in, "HELLO on the hotplugged device")
    usb.util.release_interface(dev, intf.bInterfaceNumber)
    usb.util.dispose_resources(dev)


def mode_unplug(args):
    dev = find(5)
    if not check(dev is not None, "found %04x:%04x" % (VID, PID)):
        return
    intf, ep_out, ep_in = open_recorder(dev)
    hello(dev, ep_out, ep_in)
    if args.by_device:
        # fake_device.py's test hook: the device itself reports the unplug (0xFFFFFFFF)
        dev.write(ep_out.bEndpointAddress, request(0x7F, 9, b"unplug"), timeout=5000)
    start = time.monotonic()
    try:
        dev.read(ep_in.bEndpointAddress, READ_SIZE, timeout=int(args.wait * 1000))
        check(False, "a pending read fails when the device is pulled out")
    except usb.core.USBTimeoutError:
        check(False, "a pending read fails when the device is pulled out (it timed out instead)")
    except usb.core.USBError as e:
        print("      pyusb: %s (errno %s) after %.1f s" % (e, e.errno, time.monotonic() - start))
        check(e.errno == errno.ENODEV and "No such device" in str(e),
              "the pending read failed with \"No such device\"")
    try:
        dev.write(ep_out.bEndpointAddress, HELLO_REQUEST, timeout=1000)
        check(False, "a write after the unplug fails")
    except usb.core.USBError as e:
        check(e.errno == errno.ENODEV, "a write after the unplug fails with \"No such device\" (%s)" % e)
    usb.util.dispose_resources(dev)
    deadline = time.monotonic() + 5
    while find(0) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    check(find(0) is None, "the device left libusb's device list (remove uevent)")


def mode_replug(args):
    """Unplugged, then docked again (--unplug-after, then --redock-after): a new device."""
    first = find(5)
    if not check(first is not None, "found %04x:%04x" % (VID, PID)):
        return
    address = (first.bus, first.address)
    mode_unplug(args)
    start = time.monotonic()
    dev = find(args.wait)
    if not check(dev is not None, "docked again after %.1f s" % (time.monotonic() - start)):
        return
    check((dev.bus, dev.address) != address, "the new device has a new address (%d/%d, was %d/%d)"
          % (dev.bus, dev.address, address[0], address[1]))
    intf, ep_out, ep_in = open_recorder(dev)
    hello(dev, ep_out, ep_in, "HELLO after the redock")
    usb.util.release_interface(dev, intf.bInterfaceNumber)
    usb.util.dispose_resources(dev)


LIBUSB_ERROR_ACCESS, LIBUSB_ERROR_PIPE = -3, -9


def endpoint_halted(dev, address):
    """GET_STATUS(endpoint): bit 0 is the halt feature."""
    return bool(struct.unpack("<H", bytes(dev.ctrl_transfer(0x82, 0, 0, address, 2)))[0] & 1)


def mode_stall(args):
    """Run with --stall-in S:2 --stall-out S:3 (and --stall-forever for --forever)."""
    dev = find(args.wait)
    if not check(dev is not None, "found %04x:%04x" % (VID, PID)):
        return
    intf, ep_out, ep_in = open_recorder(dev)
    i, o = ep_in.bEndpointAddress, ep_out.bEndpointAddress
    hello(dev, ep_out, ep_in, "HELLO before any stall (OUT #1, IN #1)")
    dev.write(o, HELLO_REQUEST, timeout=5000)
    expect_usb_error(lambda: dev.read(i, READ_SIZE, timeout=5000), LIBUSB_ERROR_PIPE,
                     "IN transfer #2 STALLs: LIBUSB_ERROR_PIPE")
    check(endpoint_halted(dev, i), "GET_STATUS(0x%02x) says halted" % i)
    expect_usb_error(lambda: dev.read(i, READ_SIZE, timeout=5000), LIBUSB_ERROR_PIPE,
                     "the next IN transfer STALLs too: the endpoint stays halted")
    dev.clear_halt(i)
    if args.forever:
        check(endpoint_halted(dev, i), "--stall-forever: still halted after clear_halt")
        expect_usb_error(lambda: dev.read(i, READ_SIZE, timeout=5000), LIBUSB_ERROR_PIPE,
                         "--stall-forever: an IN transfer after clear_halt STALLs")
        return
    check(not endpoint_halted(dev, i), "clear_halt(0x%02x): GET_STATUS says running" % i)
    check_reply(bytes(dev.read(i, READ_SIZE, timeout=5000)), 0x01, 1, "after clear_halt the stalled reply arrives whole")
    expect_usb_error(lambda: dev.write(o, HELLO_REQUEST, timeout=5000), LIBUSB_ERROR_PIPE,
                     "OUT transfer #3 STALLs: LIBUSB_ERROR_PIPE")
    check(endpoint_halted(dev, o), "GET_STATUS(0x%02x) says halted" % o)
    expect_usb_error(lambda: dev.write(o, HELLO_REQUEST, timeout=5000), LIBUSB_ERROR_PIPE,
                     "the next OUT transfer STALLs too")
    dev.ctrl_transfer(0x02, 1, 0, o, None)   # CLEAR_FEATURE(ENDPOINT_HALT) over endpoint 0
    check(not endpoint_halted(dev, o), "CLEAR_FEATURE(ENDPOINT_HALT) on ep 0 clears it as well")
    hello(dev, ep_out, ep_in, "HELLO after the OUT halt is cleared")
    try:
        dev.read(i, READ_SIZE, timeout=300)
        check(False, "the device never saw the stalled OUT transfers")
    except usb.core.USBTimeoutError:
        check(True, "the device never saw the stalled OUT transfers (no more replies)")
    usb.util.release_interface(dev, intf.bInterfaceNumber)
    usb.util.dispose_resources(dev)


def mode_denied(args):
    """Run with --deny-open S[:K]: --refusals K (0: every one of 5 tries is refused)."""
    dev = find(args.wait)
    if not check(dev is not None, "found %04x:%04x" % (VID, PID)):
        return
    tries = args.refusals if args.refusals else 5
    for n in range(1, tries + 1):
        expect_usb_error(dev._ctx.managed_open, LIBUSB_ERROR_ACCESS, "open #%d refused: LIBUSB_ERROR_ACCESS" % n)
        # as a service does between tries: the harness makes the node writable when it sees the
        # Kth refusal, a moment after open() returned (README, gotcha 16)
        time.sleep(0.1)
    if not args.refusals:
        return
    dev._ctx.managed_open()
    check(True, "open #%d succeeds" % (tries + 1))
    intf, ep_out, ep_in = open_recorder(dev)
    hello(dev, ep_out, ep_in, "HELLO once the node is writable")
    usb.util.release_interface(dev, intf.bInterfaceNumber)
    usb.util.dispose_resources(dev)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["hello", "inflight", "control", "multi", "hotplug", "unplug", "replug", "stall", "denied"])
    p.add_argument("--serial")
    p.add_argument("--port")
    p.add_argument("--usb3", action="store_true")
    p.add_argument("--fake", action="store_true", help="the device is fake_device.py: test hooks available")
    p.add_argument("--by-device", action="store_true", help="unplug: fake_device.py unplugs itself on request")
    p.add_argument("--count", type=int, default=3, help="multi: how many recorders")
    p.add_argument("--forever", action="store_true", help="stall: the harness runs with --stall-forever")
    p.add_argument("--refusals", type=int, default=0, help="denied: opens refused before one succeeds (0: all)")
    p.add_argument("--wait", type=float, default=10.0)
    args = p.parse_args()
    if args.mode in ("hello", "inflight", "control", "multi", "stall", "denied") and args.wait == 10.0:
        args.wait = 2.0
    try:
        {"hello": mode_hello, "inflight": mode_inflight, "control": mode_control, "multi": mode_multi, "hotplug": mode_hotplug, "unplug": mode_unplug,
         "replug": mode_replug, "stall": mode_stall, "denied": mode_denied}[args.mode](args)
    except Exception as e:
        import traceback
        traceback.print_exc()
        failures.append("exception: %r" % (e,))
    print("selftest %s: %s" % (args.mode, "PASS" if not failures else "FAIL (%d)" % len(failures)), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
