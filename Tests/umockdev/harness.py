#!/usr/bin/python3
"""Simulated recorders as real USB devices, for unmodified programs (umockdev).

A `Kiosk` owns a umockdev testbed: a fake /sys and /dev that programs started with
UMOCKDEV_DIR and LD_PRELOAD=libumockdev-preload.so.0 see instead of the real ones. Each docked
recorder is a USB device in it (sysfs attributes, descriptors, a /dev/bus/usb/BBB/DDD node), its
usbdevfs ioctls are answered here, and its bulk endpoints are wired to one device process
(`recorder-sim serve SCENARIO --serial S`) through length-prefixed messages on its stdin/stdout.
libusb and libudev in the program under test cannot tell the difference (README.md lists the
few places where they could).

Library use (the process must run under umockdev-wrapper, see `ensure_wrapper`):

    kiosk = Kiosk(sim="/path/recorder-sim", scenario="scenario.json")
    kiosk.dock("F000001", "1-1.3")          # coldplug or hotplug: uevent "add"
    env = kiosk.program_env()               # UMOCKDEV_DIR, LD_PRELOAD for the program
    ...
    kiosk.unplug("F000001")                 # pending URBs fail with ENODEV, uevent "remove"
    kiosk.close()

Faults: `kiosk.stall_in[serial] = {N}` / `stall_out` (a halted endpoint until CLEAR_HALT),
`kiosk.stall_forever`, `kiosk.deny_open[serial] = K` (the first K opens fail with EACCES; -1:
all; start the program with `kiosk.program_argv(argv)`), all set before the dock.

CLI: python3 Tests/umockdev/harness.py --sim PATH --scenario FILE [--dock SERIAL@PORT ...]
     [--unplug-after SECONDS SERIAL] [--redock-after SECONDS SERIAL[@PORT]]
     [--dock-on-log REGEX SERIAL[@PORT]] [--stall-in SERIAL:N] [--stall-out SERIAL:N]
     [--stall-forever] [--deny-open SERIAL[:K]] -- PROGRAM ARGS...
"""

import argparse
import collections
import errno
import heapq
import json
import os
import shutil
import re
import signal
import stat
import struct
import subprocess
import sys
import threading
import time

WRAPPER_MARKER = "RECORDER_UMOCKDEV_HARNESS"
PRELOAD = "libumockdev-preload.so.0"
INSTALL_HINT = "install them with: sudo apt-get install umockdev gir1.2-umockdev-1.0 python3-gi"

UMockdev = None  # set by load_umockdev()


def _import_umockdev():
    """(module, None) or (None, why not)."""
    try:
        import gi
    except ImportError:
        return None, "python3-gi (PyGObject) is not importable by %s" % sys.executable
    try:
        gi.require_version("UMockdev", "1.0")
        from gi.repository import UMockdev as module
    except (ValueError, ImportError) as e:
        return None, "the umockdev GI bindings are missing (%s)" % e
    return module, None


def load_umockdev():
    """Imports the umockdev GI bindings, or exits with a clear message."""
    global UMockdev
    if UMockdev is None:
        module, error = _import_umockdev()
        if module is None:
            die("%s; %s" % (error, INSTALL_HINT))
        UMockdev = module
    return UMockdev


def die(message, status=2):
    sys.stderr.write("umockdev-harness: error: %s\n" % message)
    sys.exit(status)


# ---------------------------------------------------------------------------------------------
# Logging

_log_lock = threading.Lock()
_T0 = time.monotonic()
VERBOSE = bool(os.environ.get("UMOCKDEV_HARNESS_VERBOSE"))


def log(message):
    with _log_lock:
        sys.stderr.write("[harness %7.3f] %s\n" % (time.monotonic() - _T0, message))
        sys.stderr.flush()


def debug(message):
    if VERBOSE:
        log(message)


# ---------------------------------------------------------------------------------------------
# usbdevfs: ioctl numbers (x86_64 / any LP64 Linux; computed like <asm-generic/ioctl.h>)

def _ioc(direction, nr, size):
    return (direction << 30) | (size << 16) | (ord("U") << 8) | nr


_NONE, _WRITE, _READ = 0, 1, 2   # _IOC_NONE, _IOC_WRITE, _IOC_READ


USBDEVFS_CONTROL = _ioc(_READ | _WRITE, 0, 24)
USBDEVFS_BULK = _ioc(_READ | _WRITE, 2, 24)
USBDEVFS_RESETEP = _ioc(_READ, 3, 4)
USBDEVFS_SETINTERFACE = _ioc(_READ, 4, 8)
USBDEVFS_SETCONFIGURATION = _ioc(_READ, 5, 4)
USBDEVFS_GETDRIVER = _ioc(_WRITE, 8, 260)
USBDEVFS_SUBMITURB = _ioc(_READ, 10, 56)
USBDEVFS_DISCARDURB = _ioc(_NONE, 11, 0)
USBDEVFS_REAPURB = _ioc(_WRITE, 12, 8)
USBDEVFS_REAPURBNDELAY = _ioc(_WRITE, 13, 8)
USBDEVFS_DISCSIGNAL = _ioc(_READ, 14, 16)
USBDEVFS_CLAIMINTERFACE = _ioc(_READ, 15, 4)
USBDEVFS_RELEASEINTERFACE = _ioc(_READ, 16, 4)
USBDEVFS_CONNECTINFO = _ioc(_WRITE, 17, 8)
USBDEVFS_IOCTL = _ioc(_READ | _WRITE, 18, 16)
USBDEVFS_HUB_PORTINFO = _ioc(_READ, 19, 128)
USBDEVFS_RESET = _ioc(_NONE, 20, 0)
USBDEVFS_CLEAR_HALT = _ioc(_READ, 21, 4)
USBDEVFS_DISCONNECT = _ioc(_NONE, 22, 0)
USBDEVFS_CONNECT = _ioc(_NONE, 23, 0)
USBDEVFS_CLAIM_PORT = _ioc(_READ, 24, 4)
USBDEVFS_RELEASE_PORT = _ioc(_READ, 25, 4)
USBDEVFS_GET_CAPABILITIES = _ioc(_READ, 26, 4)
USBDEVFS_DISCONNECT_CLAIM = _ioc(_READ, 27, 264)
USBDEVFS_ALLOC_STREAMS = _ioc(_READ, 28, 8)
USBDEVFS_FREE_STREAMS = _ioc(_READ, 29, 8)
USBDEVFS_DROP_PRIVILEGES = _ioc(_WRITE, 30, 4)
USBDEVFS_GET_SPEED = _ioc(_NONE, 31, 0)
USBDEVFS_CONNINFO_EX_NR = 32            # _IOC(_IOC_READ, 'U', 32, len): size varies
USBDEVFS_FORBID_SUSPEND = _ioc(_NONE, 33, 0)
USBDEVFS_ALLOW_SUSPEND = _ioc(_NONE, 34, 0)
USBDEVFS_WAIT_FOR_RESUME = _ioc(_NONE, 35, 0)

IOCTL_NAMES = {v: k for k, v in dict(globals()).items()
               if k.startswith("USBDEVFS_") and isinstance(v, int) and k != "USBDEVFS_CONNINFO_EX_NR"}

# Capabilities answered to USBDEVFS_GET_CAPABILITIES. BULK_SCATTER_GATHER makes libusb submit
# every bulk transfer as ONE URB, whatever its size (no 16 KiB splitting). No MMAP: libusb's
# dev_mem_alloc would mmap the emulated node, which is a plain file.
CAP_ZERO_PACKET = 0x01
CAP_BULK_CONTINUATION = 0x02
CAP_NO_PACKET_SIZE_LIM = 0x04
CAP_BULK_SCATTER_GATHER = 0x08
CAP_REAP_AFTER_DISCONNECT = 0x10
DEFAULT_CAPS = (CAP_ZERO_PACKET | CAP_BULK_CONTINUATION | CAP_NO_PACKET_SIZE_LIM
                | CAP_BULK_SCATTER_GATHER | CAP_REAP_AFTER_DISCONNECT)

URB_TYPE_ISO, URB_TYPE_INTERRUPT, URB_TYPE_CONTROL, URB_TYPE_BULK = 0, 1, 2, 3
URB_SHORT_NOT_OK = 0x01

# struct usbdevfs_urb on LP64: type u8 @0, endpoint u8 @1, status i32 @4, flags u32 @8,
# buffer ptr @16, buffer_length i32 @24, actual_length i32 @28, start_frame @32,
# number_of_packets/stream_id @36, error_count @40, signr @44, usercontext ptr @48; 56 bytes.
URB_SIZE = 56

# libumockdev-preload (0.17.16) keeps the ioctl sockets of the program's open device fds in a
# map of 50 entries, and adds one (for fd -1, never removed) after every failed open() too.
PRELOAD_FD_MAP_SIZE = 50
PRELOAD_FD_MAP_WARN = 40

USB_SPEED_HIGH, USB_SPEED_SUPER = 3, 5   # enum usb_device_speed (USBDEVFS_GET_SPEED)


def ioctl_name(request):
    if (request >> 8) & 0xFF == ord("U") and request & 0xFF == USBDEVFS_CONNINFO_EX_NR:
        return "USBDEVFS_CONNINFO_EX(%d)" % ((request >> 16) & 0x3FFF)
    return IOCTL_NAMES.get(request, "unknown")


# ---------------------------------------------------------------------------------------------
# Descriptors

def _string_descriptor(text):
    data = text.encode("utf-16-le")
    return bytes([2 + len(data), 3]) + data


class DeviceModel:
    """What one USB device looks like: ids, speed, descriptors, strings."""

    def __init__(self, vendor_id, product_id, serial, product="", manufacturer="",
                 super_speed=False, bcd_device=0x0100):
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.bcd_device = bcd_device
        self.serial = serial
        self.product = product
        self.manufacturer = manufacturer
        self.super_speed = super_speed
        self.max_packet = 1024 if super_speed else 512
        self.speed_mbps = 5000 if super_speed else 480
        self.bcd_usb = 0x0320 if super_speed else 0x0200
        self.ep_out = 0x01
        self.ep_in = 0x81
        self.interface_class = 0xFF
        self.endpoint_type = 0x02   # bulk

    def break_descriptors(self, fault):
        """Makes the descriptors wrong in one way, to test that a gateway ignores such a device:
        `no-bulk` (interrupt endpoints), `wrong-class` (mass storage interface), `zero-packet`
        (wMaxPacketSize 0)."""
        if fault == "no-bulk":
            self.endpoint_type = 0x03
        elif fault == "wrong-class":
            self.interface_class = 0x08
        elif fault == "zero-packet":
            self.max_packet = 0
        else:
            raise ValueError("unknown descriptor fault %r (no-bulk, wrong-class, zero-packet)" % fault)

    def device_descriptor(self):
        return struct.pack("<BBHBBBBHHHBBBB", 18, 1, self.bcd_usb, 0, 0, 0,
                           9 if self.super_speed else 64,
                           self.vendor_id, self.product_id, self.bcd_device,
                           1 if self.manufacturer else 0, 2 if self.product else 0,
                           3 if self.serial else 0, 1)

    def config_descriptor(self):
        interface = struct.pack("<BBBBBBBBB", 9, 4, 0, 0, 2, self.interface_class, 0, 0, 0)
        endpoints = b""
        for address in (self.ep_out, self.ep_in):
            endpoints += struct.pack("<BBBBHB", 7, 5, address, self.endpoint_type, self.max_packet, 0)
            if self.super_speed:   # SuperSpeed endpoint companion: no bursts, no streams
                endpoints += struct.pack("<BBBBH", 6, 0x30, 0, 0, 0)
        body = interface + endpoints
        # bMaxPower: 500 mA in 2 mA units (USB 2), 896 mA in 8 mA units (USB 3)
        return struct.pack("<BBHBBBBB", 9, 2, 9 + len(body), 1, 1, 0, 0x80,
                           112 if self.super_speed else 250) + body

    def descriptors(self):
        """The sysfs `descriptors` attribute: device descriptor, then the raw configurations."""
        return self.device_descriptor() + self.config_descriptor()

    def string(self, index):
        if index == 0:
            return bytes([4, 3, 0x09, 0x04])   # LANGID en-US
        text = {1: self.manufacturer, 2: self.product, 3: self.serial}.get(index)
        return None if not text else _string_descriptor(text)


def hub_descriptors(root, super_speed):
    """Descriptors of a hub (the root hub or an external one): class 9, one interrupt IN."""
    bcd = 0x0300 if super_speed else 0x0200
    vendor, product = (0x1D6B, 0x0003 if super_speed else 0x0002) if root else (0x05E3, 0x0610)
    device = struct.pack("<BBHBBBBHHHBBBB", 18, 1, bcd, 9, 0, 1 if not super_speed else 3,
                         9 if super_speed else 64, vendor, product, 0x0606 if root else 0x9226,
                         0, 0, 0, 1)
    interface = struct.pack("<BBBBBBBBB", 9, 4, 0, 0, 1, 9, 0, 0, 0)
    endpoint = struct.pack("<BBBBHB", 7, 5, 0x81, 0x03, 4, 12)
    if super_speed:
        endpoint += struct.pack("<BBBBH", 6, 0x30, 0, 0, 2)
    body = interface + endpoint
    config = struct.pack("<BBHBBBBB", 9, 2, 9 + len(body), 1, 1, 0, 0xE0, 0) + body
    return device + config, vendor, product


# ---------------------------------------------------------------------------------------------
# Timers (deadlines of held reaps, scripted events)

class Timers:
    """One thread running callbacks at monotonic deadlines."""

    def __init__(self):
        self._heap = []
        self._seq = 0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="harness-timers", daemon=True)
        self._thread.start()

    def call_at(self, deadline, fn):
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (deadline, self._seq, fn))
            self._cond.notify()

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _run(self):
        while True:
            with self._cond:
                while not self._stopped:
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    self._cond.wait(None if not self._heap else self._heap[0][0] - now)
                if self._stopped:
                    return
                _, _, fn = heapq.heappop(self._heap)
            try:
                fn()
            except Exception as e:  # a timer must never kill the thread
                log("timer callback failed: %r" % (e,))


# ---------------------------------------------------------------------------------------------
# The device process: recorder-sim serve (or anything speaking the same framing)

GONE = 0xFFFFFFFF


def clean_env(env=None):
    """The environment without umockdev: device processes must see the real system."""
    env = dict(os.environ if env is None else env)
    env.pop("UMOCKDEV_DIR", None)
    env.pop(WRAPPER_MARKER, None)
    preload = [p for p in env.get("LD_PRELOAD", "").replace(" ", ":").split(":")
               if p and "libumockdev-preload" not in p]
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    else:
        env.pop("LD_PRELOAD", None)
    return env


class DeviceProcess:
    """One device process. Messages are `u32 LE length + bytes`: on stdin one bulk OUT transfer
    each, on stdout one bulk IN transfer each; length 0xFFFFFFFF on stdout = unplugged."""

    def __init__(self, argv, name, on_message, on_gone):
        self.name = name
        self._on_message = on_message
        self._on_gone = on_gone
        self._out = collections.deque()
        self._out_cond = threading.Condition()
        self._closing = False
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=clean_env(), bufsize=0, close_fds=True)
        self._reader = threading.Thread(target=self._read_loop, name="dev-read-" + name, daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="dev-write-" + name, daemon=True)
        self._reader.start()
        self._writer.start()

    def send(self, data):
        """Queues one OUT transfer for the device (never blocks the caller)."""
        with self._out_cond:
            if self._closing:
                return
            self._out.append(bytes(data))
            self._out_cond.notify()

    def _write_loop(self):
        stdin = self.proc.stdin
        while True:
            with self._out_cond:
                while not self._out and not self._closing:
                    self._out_cond.wait()
                if not self._out and self._closing:
                    break
                data = self._out.popleft()
            try:
                stdin.write(struct.pack("<I", len(data)) + data)
            except (BrokenPipeError, OSError, ValueError):
                break
        try:
            stdin.close()
        except OSError:
            pass

    def _read_exactly(self, n):
        chunks = []
        stdout = self.proc.stdout
        while n > 0:
            chunk = stdout.read(n)
            if not chunk:
                return None
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _read_loop(self):
        reason = "device process closed its stdout"
        while True:
            header = self._read_exactly(4)
            if header is None:
                break
            (length,) = struct.unpack("<I", header)
            if length == GONE:
                reason = "device process reported unplug (0xFFFFFFFF)"
                break
            data = self._read_exactly(length) if length else b""
            if data is None:
                reason = "device process closed its stdout in the middle of a message"
                break
            self._on_message(data)
        self._on_gone(reason, self.proc)

    def close(self, timeout=5.0):
        """End of stdin (the device process exits), then wait; kill it if it does not."""
        with self._out_cond:
            self._closing = True
            self._out_cond.notify()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log("%s: device process %d did not exit on end of input; killing it" % (self.name, self.proc.pid))
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode


# ---------------------------------------------------------------------------------------------
# One emulated USB device: usbdevfs ioctls

class Urb:
    __slots__ = ("client", "data", "addr", "type", "endpoint", "flags", "length", "status",
                 "actual", "seq")

    def __init__(self, client, data, addr, raw, seq):
        self.client = client
        self.data = data            # UMockdev.IoctlData of the struct (resolved at SUBMITURB)
        self.addr = addr            # the URB's address in the program (for DISCARDURB)
        self.type, self.endpoint = raw[0], raw[1]
        (self.flags,) = struct.unpack_from("<I", raw, 8)
        (self.length,) = struct.unpack_from("<i", raw, 24)
        self.status = 0
        self.actual = 0
        self.seq = seq


class _CompleteOnce:
    """The IoctlClient of one ioctl call, remembering whether it was answered. Everything but
    complete() goes to the client; held operations keep the real client."""

    def __init__(self, client):
        self._client = client
        self.done = False

    def complete(self, result, err):
        self.done = True
        self._client.complete(result, err)

    def __getattr__(self, name):
        return getattr(self._client, name)


class ClientState:
    """One open file descriptor of the program on the device node (or, with `refused`, the
    ioctl socket the preload library connects even after an open() that failed)."""

    def __init__(self, client, number):
        self.client = client
        self.number = number
        self.completed = collections.deque()   # Urb, in completion order
        self.held = None                        # a held REAPURB/REAPURBNDELAY or BULK IN
        self.connected = True
        self.refused = False


class Held:
    __slots__ = ("kind", "state", "arg", "deadline", "done", "extra")

    def __init__(self, kind, state, arg, deadline, extra=None):
        self.kind = kind            # "reap" | "reap-ndelay" | "bulk-in"
        self.state = state
        self.arg = arg
        self.deadline = deadline
        self.done = False
        self.extra = extra


class UsbDevice:
    """A docked recorder: sysfs/dev entries in the testbed, the usbdevfs ioctl handler, the
    device process. All state is under `lock`; handlers run on umockdev's worker thread, device
    messages arrive on the device process's reader thread."""

    def __init__(self, kiosk, serial, port, bus, devnum, model, argv, reap_hold):
        self.kiosk = kiosk
        self.serial = serial
        self.port = port
        self.bus = bus
        self.devnum = devnum
        self.model = model
        self.reap_hold = reap_hold
        self.devnode = "/dev/bus/usb/%03d/%03d" % (bus, devnum)
        self.syspath = kiosk.syspath_for(port)
        self.name = "%s@%s" % (serial, port)
        self.lock = threading.RLock()
        self.gone = False
        self.removed = False
        self.clients = {}               # IoctlClient -> ClientState
        self.client_count = 0
        self.pending_in = []            # Urb, submission order (bulk IN waiting for data)
        self.in_queue = collections.deque()   # [bytes, offset] device messages not yet delivered
        self.claims = {}                # interface number -> ClientState
        self.urb_seq = 0
        self.stats = collections.Counter()
        self.unknown = collections.Counter()
        # Halted endpoints (STALL): every URB on one ends with -EPIPE until CLEAR_HALT.
        self.halted = set()
        self.halt_urbs = collections.Counter()  # endpoint -> URBs ended -EPIPE in this halt
        self.in_data_urbs = 0                   # IN URBs that carried data since the dock
        self.out_urbs = 0                       # bulk OUT URBs submitted since the dock
        self.stall_in = set(kiosk.stall_in.get(serial, ()))
        self.stall_out = set(kiosk.stall_out.get(serial, ()))
        self.stall_forever = kiosk.stall_forever
        # Refused opens (--deny-open): how many more (-1: all), and the node's mode once allowed.
        self.deny_left = kiosk.deny_open.get(serial, 0)
        self.refused = 0
        self.node_mode = None

        self.handler = kiosk.UMockdev.IoctlBase()
        self.handler.connect("handle-ioctl", self._handle_ioctl)
        self.handler.connect("client-connected", self._client_connected)
        self.process = None
        self._argv = argv

    # -- lifecycle -------------------------------------------------------------------------

    def start_process(self):
        self.process = DeviceProcess(self._argv, self.name, self._device_message, self._device_gone)

    def _device_message(self, data):
        with self.lock:
            if self.removed:
                return
            self.in_queue.append([data, 0])
            self.stats["in-messages"] += 1
            self._service_held()
        self.kiosk._wake_others(self)

    def release_idle_holds(self):
        """Answers held REAPURBNDELAYs with EAGAIN now: the program's event loop, stuck in
        this fd's reap, can then go on to another device that has data."""
        with self.lock:
            for state in self.clients.values():
                held = state.held
                if held is not None and not held.done and held.kind == "reap-ndelay":
                    held.done = True
                    state.held = None
                    if state.connected:
                        state.client.complete(-1, errno.ENODEV if self.gone else errno.EAGAIN)

    def _device_gone(self, reason, proc):
        try:
            status = proc.wait(timeout=1.0)
            reason += " (exit status %s%s)" % (status, "" if status == 0 else ": FAILED")
        except subprocess.TimeoutExpired:
            pass
        with self.lock:
            already = self.gone
        if not already:
            log("%s: %s: unplugging" % (self.name, reason))
            self.kiosk._unplugged_by_device(self)

    def disconnect(self):
        """The device leaves the bus: pending URBs end with -ENODEV, further ioctls get ENODEV."""
        with self.lock:
            if self.gone:
                return
            self.gone = True
            self._service_held()

    # -- device messages -> IN URBs ----------------------------------------------------------

    def _take_chunk(self, maxlen):
        """The next piece of device data for an IN URB of `maxlen` bytes, or None if none yet.
        A message longer than the URB is split (the rest goes to the next IN URB, as on USB).
        A message that is a whole number of packets and exactly fills the URB is followed by
        its zero-length packet, which completes the next IN URB with 0 bytes (as on USB)."""
        if not self.in_queue:
            return None
        entry = self.in_queue[0]
        data, offset = entry
        n = min(len(data) - offset, maxlen)
        chunk = data[offset:offset + n]
        entry[1] = offset + n
        if entry[1] >= len(data):
            self.in_queue.popleft()
            if len(data) and len(data) % self.model.max_packet == 0 and n == maxlen:
                self.in_queue.appendleft([b"", 0])   # the ZLP still on the wire
        return chunk

    def _fill_in_urb(self, urb):
        """Completes `urb` (first pending bulk IN) from device data if possible. Must run while
        its client is inside an ioctl: the buffer is written through the client's socket."""
        if self.pending_in and self.pending_in[0] is not urb:
            return False          # FIFO: an earlier URB (another fd) gets the data first
        if urb.endpoint in self.halted and not self.gone:
            # a halted endpoint answers every IN token with STALL: no data, -EPIPE
            urb.status, urb.actual = -errno.EPIPE, 0
            self.halt_urbs[urb.endpoint] += 1
            self.pending_in.remove(urb)
            return True
        if self._stall_in_now(urb):
            self.pending_in.remove(urb)
            return True
        chunk = self._take_chunk(urb.length)
        if chunk is None:
            if not self.gone:
                return False
            urb.status = -errno.ENODEV
            urb.actual = 0
        else:
            if chunk:
                buf = urb.data.resolve(16, len(chunk))
                buf.update(0, chunk)
                self.in_data_urbs += 1
            urb.actual = len(chunk)
            urb.status = 0
            if urb.flags & URB_SHORT_NOT_OK and urb.actual < urb.length:
                urb.status = -errno.EREMOTEIO
            self.stats["in-bytes"] += len(chunk)
        self.pending_in.remove(urb)
        return True

    def _stall_in_now(self, urb):
        """--stall-in: if `urb` is the Nth IN URB that would carry data, it gets the first half
        of that data (whole packets, possibly none) and ends with -EPIPE, and the endpoint
        halts. The rest of the data stays queued for after the CLEAR_HALT: nothing is lost."""
        if not self.stall_in or self.gone or not self.in_queue:
            return False
        data, offset = self.in_queue[0]
        if len(data) <= offset or self.in_data_urbs + 1 not in self.stall_in:
            return False
        self.in_data_urbs += 1
        packet = self.model.max_packet or 512
        n = min(urb.length, (len(data) - offset) // 2 // packet * packet)
        if n:
            urb.data.resolve(16, n).update(0, data[offset:offset + n])
            self.in_queue[0][1] = offset + n
            self.stats["in-bytes"] += n
        urb.status, urb.actual = -errno.EPIPE, n
        self._halt(urb.endpoint, "IN URB #%d carrying data, after %d of its %d bytes" % (
            self.in_data_urbs, n, len(data) - offset))
        return True

    def _halt(self, endpoint, where):
        """The device halts `endpoint` (a STALL handshake): called with the lock held."""
        self.halted.add(endpoint)
        self.halt_urbs[endpoint] = 1
        self.stats["stall 0x%02x" % endpoint] += 1
        log("%s: endpoint 0x%02x STALLs at %s: it stays halted (every URB on it ends with -EPIPE) "
            "until CLEAR_HALT 0x%02x%s" % (self.name, endpoint, where, endpoint,
                                           " (--stall-forever: and after it)" if self.stall_forever else ""))

    def _clear_halt(self, state, endpoint, how):
        """CLEAR_HALT (or CLEAR_FEATURE(ENDPOINT_HALT) on ep 0) for `endpoint`: logged, always;
        the endpoint runs again unless --stall-forever. Called with the lock held."""
        self.stats["CLEAR_HALT 0x%02x" % endpoint] += 1
        if endpoint not in self.halted:
            outcome = "the endpoint was not halted"
        elif self.stall_forever:
            outcome = "the endpoint stays halted (--stall-forever)"
            self.halt_urbs[endpoint] = 0
        else:
            outcome = "the endpoint runs again (%d URBs ended -EPIPE while it was halted)" % self.halt_urbs.pop(endpoint, 0)
            self.halted.discard(endpoint)
        log("%s: fd#%d %s 0x%02x: %s" % (self.name, state.number, how, endpoint, outcome))
        self._service_held()

    def _next_reapable(self, state):
        if state.completed:
            return state.completed.popleft()
        for urb in list(self.pending_in):
            if urb.client is state.client:
                if self._fill_in_urb(urb):
                    return urb
                break
        if self.gone:
            # unplugged: every URB still pending for this fd ends now with -ENODEV
            for urb in [u for u in self.pending_in if u.client is state.client]:
                urb.status = -errno.ENODEV
                urb.actual = 0
                self.pending_in.remove(urb)
                state.completed.append(urb)
            if state.completed:
                return state.completed.popleft()
        return None

    def _finish_reap(self, state, arg, urb):
        self._write_urb_result(urb)
        slot = arg.resolve(0, 8)
        slot.set_ptr(0, urb.data)
        self.stats["reaped"] += 1
        debug("%s: fd#%d reap URB ep 0x%02x len %d -> status %d actual %d" % (
            self.name, state.number, urb.endpoint, urb.length, urb.status, urb.actual))
        state.client.complete(0, 0)

    @staticmethod
    def _write_urb_result(urb):
        urb.data.update(4, struct.pack("<i", urb.status))
        urb.data.update(28, struct.pack("<i", urb.actual))

    def _service_held(self):
        """Answers held reaps / bulk reads that can be answered now (called with lock held)."""
        for state in list(self.clients.values()):
            held = state.held
            if held is None or held.done:
                continue
            if not state.connected:
                state.held = None
                continue
            if held.kind in ("reap", "reap-ndelay"):
                urb = self._next_reapable(state)
                if urb is not None:
                    held.done = True
                    state.held = None
                    self._finish_reap(state, held.arg, urb)
                elif self.gone and held.kind == "reap":
                    held.done = True
                    state.held = None
                    state.client.complete(-1, errno.ENODEV)
            elif held.kind == "bulk-in":
                self._try_bulk_in(state, held)

    def _held_expired(self, state, held):
        with self.lock:
            if held.done or state.held is not held:
                return
            held.done = True
            state.held = None
            if not state.connected:
                return
            if held.kind == "bulk-in":
                state.client.complete(-1, errno.ETIMEDOUT)
            else:
                state.client.complete(-1, errno.ENODEV if self.gone else errno.EAGAIN)

    # -- the ioctl handler -----------------------------------------------------------------

    def _client_connected(self, handler, client):
        with self.lock:
            self.client_count += 1
            state = ClientState(client, self.client_count)
            self.clients[client] = state
            # The preload library connects the ioctl socket after every open() of the node, also
            # one that failed: while the node is read-only, this connection is a refused open.
            refused = self.deny_left != 0 and self.node_mode is not None
            if refused:
                state.refused = True
                self.refused += 1
                self.stats["refused opens"] += 1
                if self.deny_left > 0:
                    self.deny_left -= 1
                if self.deny_left == 0:
                    os.chmod(self.kiosk.root + self.devnode, self.node_mode)
        client.connect("notify::connected", self._client_notify)
        if not refused:
            debug("%s: fd#%d opened %s" % (self.name, state.number, self.devnode))
            return
        log("%s: open #%d of %s refused: EACCES (the node is read-only, as before udev applies the "
            "rule)%s" % (self.name, self.refused, self.devnode,
                         "; the node is writable from now on" if self.deny_left == 0 else ""))
        if self.refused == PRELOAD_FD_MAP_WARN:
            log("%s: WARNING: every refused open costs the program one of the %d entries of "
                "libumockdev-preload's fd map for good; it aborts when they run out (README, gotcha 16)"
                % (self.name, PRELOAD_FD_MAP_SIZE))

    def _client_notify(self, client, _pspec):
        if client.get_connected():
            return
        with self.lock:
            state = self.clients.pop(client, None)
            if state is None:
                return
            state.connected = False
            state.held = None
            dropped = [u for u in self.pending_in if u.client is client]
            self.pending_in = [u for u in self.pending_in if u.client is not client]
            for ifno, owner in list(self.claims.items()):
                if owner is state:
                    del self.claims[ifno]
            state.completed.clear()
        debug("%s: fd#%d closed (%d IN URBs dropped)" % (self.name, state.number, len(dropped)))

    def _handle_ioctl(self, handler, client):
        request = client.get_request()
        once = _CompleteOnce(client)
        state = None
        try:
            with self.lock:
                state = self.clients.get(client)
                if state is None:   # client-connected not seen (should not happen)
                    self.client_count += 1
                    state = self.clients[client] = ClientState(client, self.client_count)
                self.stats[ioctl_name(request)] += 1
                self._dispatch(state, once, request)
        except Exception as e:
            log("%s: ioctl %s (0x%08x) failed in the harness: %r" % (self.name, ioctl_name(request), request, e))
            import traceback
            traceback.print_exc()
            # Answer EIO unless answered already: a second complete() aborts the process.
            with self.lock:
                if state is not None and state.held is not None and not state.held.done:
                    state.held.done = True
                    state.held = None
                if not once.done:
                    once.complete(-1, errno.EIO)
        return True

    def _dispatch(self, state, client, request):
        arg = client.get_arg()
        reap_after_gone = request in (USBDEVFS_REAPURB, USBDEVFS_REAPURBNDELAY)
        if self.gone and not reap_after_gone:
            # like the kernel: after disconnect only the reaps still work
            client.complete(-1, errno.ENODEV)
            return

        if request == USBDEVFS_SUBMITURB:
            self._submit_urb(state, client, arg)
        elif request in (USBDEVFS_REAPURB, USBDEVFS_REAPURBNDELAY):
            self._reap(state, client, arg, blocking=(request == USBDEVFS_REAPURB))
        elif request == USBDEVFS_DISCARDURB:
            self._discard_urb(state, client, arg)
        elif request == USBDEVFS_GET_CAPABILITIES:
            arg.resolve(0, 4).update(0, struct.pack("<I", self.kiosk.caps))
            client.complete(0, 0)
        elif request == USBDEVFS_CLAIMINTERFACE:
            (ifno,) = struct.unpack("<I", arg.resolve(0, 4).retrieve())
            client.complete(*self._claim(state, ifno))
        elif request == USBDEVFS_RELEASEINTERFACE:
            (ifno,) = struct.unpack("<I", arg.resolve(0, 4).retrieve())
            client.complete(*self._release(state, ifno))
        elif request == USBDEVFS_DISCONNECT_CLAIM:
            ifno, flags = struct.unpack_from("<II", arg.resolve(0, 264).retrieve(), 0)
            # no kernel driver is ever bound to the recorder interface: nothing to disconnect
            client.complete(*self._claim(state, ifno))
        elif request == USBDEVFS_GETDRIVER:
            data = arg.resolve(0, 260)
            (ifno,) = struct.unpack_from("<I", data.retrieve(), 0)
            if ifno != 0:
                client.complete(-1, errno.EINVAL)
            elif ifno in self.claims:
                data.update(4, b"usbfs".ljust(256, b"\0"))
                client.complete(0, 0)
            else:
                client.complete(-1, errno.ENODATA)   # no driver bound
        elif request == USBDEVFS_IOCTL:
            data = arg.resolve(0, 16)
            ifno, code = struct.unpack_from("<iI", data.retrieve(), 0)
            if ifno != 0:
                client.complete(-1, errno.EINVAL)
            elif code == USBDEVFS_DISCONNECT:
                if ifno in self.claims:        # the bound driver is usbfs: unbind = release
                    del self.claims[ifno]
                    client.complete(0, 0)
                else:
                    client.complete(-1, errno.ENODATA)
            elif code == USBDEVFS_CONNECT:
                # binding a kernel driver: there is none for a vendor-class interface
                client.complete(-1 if ifno in self.claims else 0, errno.EBUSY if ifno in self.claims else 0)
            else:
                log("%s: USBDEVFS_IOCTL with unknown ioctl_code 0x%08x on interface %d: ENOTTY" % (self.name, code, ifno))
                client.complete(-1, errno.ENOTTY)
        elif request == USBDEVFS_SETINTERFACE:
            ifno, alt = struct.unpack("<II", arg.resolve(0, 8).retrieve())
            if ifno != 0 or alt != 0:
                client.complete(-1, errno.EINVAL)
            else:
                res = self._claim(state, ifno)       # the kernel claims implicitly
                client.complete(*res)
        elif request == USBDEVFS_SETCONFIGURATION:
            (config,) = struct.unpack("<i", arg.resolve(0, 4).retrieve())
            if self.claims:
                # the kernel refuses while any interface is claimed, by usbfs (us) included
                client.complete(-1, errno.EBUSY)
            elif config == 1:
                client.complete(0, 0)
            else:
                log("%s: SETCONFIGURATION %d refused (only configuration 1 exists)" % (self.name, config))
                client.complete(-1, errno.EINVAL)
        elif request in (USBDEVFS_CLEAR_HALT, USBDEVFS_RESETEP):
            (ep,) = struct.unpack("<I", arg.resolve(0, 4).retrieve())
            if ep not in (self.model.ep_in, self.model.ep_out):
                client.complete(-1, errno.ENOENT)
            elif request == USBDEVFS_CLEAR_HALT:
                # the kernel sends CLEAR_FEATURE(ENDPOINT_HALT) and resets the host's toggle
                self._clear_halt(state, ep, "USBDEVFS_CLEAR_HALT")
                client.complete(0, 0)
            else:
                # the kernel only resets the host side's state (usb_reset_endpoint): a halted
                # device endpoint stays halted
                self.stats["RESETEP 0x%02x" % ep] += 1
                if ep in self.halted:
                    log("%s: fd#%d USBDEVFS_RESETEP 0x%02x: resets the host side only; the device's "
                        "endpoint stays halted until CLEAR_HALT" % (self.name, state.number, ep))
                client.complete(0, 0)
        elif request == USBDEVFS_RESET:
            # The kernel unbinds usbfs from every interface across a reset: all claims go, and
            # the URBs on them are killed without ever being reaped (libusb re-claims).
            dropped = len(self.pending_in)
            self.pending_in = []
            self.claims.clear()
            log("%s: USBDEVFS_RESET: claims released, %d IN URBs dropped; the device process "
                "itself is not reset" % (self.name, dropped))
            client.complete(0, 0)
        elif request == USBDEVFS_CONNECTINFO:
            arg.resolve(0, 8).update(0, struct.pack("<IB3x", self.devnum, 0))
            client.complete(0, 0)
        elif (request >> 8) & 0xFF == ord("U") and request & 0xFF == USBDEVFS_CONNINFO_EX_NR:
            size = (request >> 16) & 0x3FFF
            ports = self.kiosk.port_numbers(self.port)
            info = struct.pack("<IIIIB7s", 24, self.bus, self.devnum,
                               USB_SPEED_SUPER if self.model.super_speed else USB_SPEED_HIGH,
                               len(ports), bytes(ports).ljust(7, b"\0"))
            arg.resolve(0, size).update(0, info[:size])
            client.complete(0, 0)
        elif request == USBDEVFS_GET_SPEED:
            client.complete(USB_SPEED_SUPER if self.model.super_speed else USB_SPEED_HIGH, 0)
        elif request == USBDEVFS_CONTROL:
            self._control_ioctl(state, client, arg)
        elif request == USBDEVFS_BULK:
            self._bulk_ioctl(state, client, arg)
        elif request in (USBDEVFS_DISCSIGNAL, USBDEVFS_FORBID_SUSPEND, USBDEVFS_ALLOW_SUSPEND,
                         USBDEVFS_WAIT_FOR_RESUME, USBDEVFS_DROP_PRIVILEGES):
            client.complete(0, 0)
        elif request in (USBDEVFS_ALLOC_STREAMS, USBDEVFS_FREE_STREAMS,
                         USBDEVFS_HUB_PORTINFO, USBDEVFS_CLAIM_PORT, USBDEVFS_RELEASE_PORT):
            client.complete(-1, errno.EINVAL)     # what the kernel says for a non-hub HS device
        else:
            self.unknown[request] += 1
            log("%s: UNKNOWN IOCTL 0x%08x (dir %d, type %r, nr %d, size %d) on %s: answering ENOTTY; "
                "teach Tests/umockdev/harness.py about it" % (
                    self.name, request, request >> 30, chr((request >> 8) & 0xFF),
                    request & 0xFF, (request >> 16) & 0x3FFF, self.devnode))
            client.complete(-1, errno.ENOTTY)

    # -- claims ----------------------------------------------------------------------------

    def _claim(self, state, ifno):
        if ifno != 0:
            return (-1, errno.ENOENT)
        owner = self.claims.get(ifno)
        if owner is not None and owner is not state:
            return (-1, errno.EBUSY)
        self.claims[ifno] = state
        return (0, 0)

    def _release(self, state, ifno):
        if self.claims.get(ifno) is not state:
            return (-1, errno.EINVAL)
        del self.claims[ifno]
        # the kernel kills the fd's URBs on the interface's endpoints; they are never reaped
        dropped = [u for u in self.pending_in if u.client is state.client]
        if dropped:
            log("%s: fd#%d released interface %d with %d IN URBs pending: they are dropped (as the kernel does)"
                % (self.name, state.number, ifno, len(dropped)))
        self.pending_in = [u for u in self.pending_in if u.client is not state.client]
        return (0, 0)

    # -- URBs ------------------------------------------------------------------------------

    def _submit_urb(self, state, client, arg):
        (addr,) = struct.unpack("<Q", arg.retrieve())
        data = arg.resolve(0, URB_SIZE)
        self.urb_seq += 1
        urb = Urb(state.client, data, addr, data.retrieve(), self.urb_seq)
        if urb.type == URB_TYPE_CONTROL:
            if urb.endpoint & 0x7F != 0:
                client.complete(-1, errno.ENOENT)
                return
            self._control_urb(state, urb)
            state.completed.append(urb)
            client.complete(0, 0)
            return
        if urb.type != URB_TYPE_BULK:
            log("%s: URB type %d to endpoint 0x%02x refused (only bulk and control exist): EINVAL"
                % (self.name, urb.type, urb.endpoint))
            client.complete(-1, errno.EINVAL)
            return
        if urb.endpoint not in (self.model.ep_in, self.model.ep_out):
            client.complete(-1, errno.ENOENT)
            return
        if urb.length < 0:
            client.complete(-1, errno.EINVAL)
            return
        status = self._claim(state, 0)         # the kernel claims the interface implicitly
        if status[0] < 0:
            client.complete(*status)
            return
        if urb.endpoint & 0x80:
            self.pending_in.append(urb)
            debug("%s: fd#%d IN URB posted (%d bytes; %d pending)" % (self.name, state.number, urb.length, len(self.pending_in)))
        elif self._stall_out_now(urb):
            # the device answered the first OUT packet with STALL: it never sees the transfer
            urb.actual = 0
            urb.status = -errno.EPIPE
            state.completed.append(urb)
        else:
            payload = urb.data.resolve(16, urb.length).retrieve() if urb.length else b""
            self.process.send(payload)
            self.stats["out-bytes"] += len(payload)
            self.stats["out-transfers"] += 1
            urb.actual = len(payload)
            urb.status = 0
            state.completed.append(urb)
            debug("%s: fd#%d OUT %d bytes" % (self.name, state.number, len(payload)))
        client.complete(0, 0)

    def _stall_out_now(self, urb):
        """True if the OUT `urb` ends with -EPIPE: its endpoint is halted, or it is the Nth
        bulk OUT URB of the dock named by --stall-out (which halts the endpoint)."""
        self.out_urbs += 1
        if urb.endpoint in self.halted:
            self.halt_urbs[urb.endpoint] += 1
            return True
        if self.out_urbs in self.stall_out:
            self._halt(urb.endpoint, "OUT URB #%d (%d bytes, not delivered)" % (self.out_urbs, urb.length))
            return True
        return False

    def _reap(self, state, client, arg, blocking):
        urb = self._next_reapable(state)
        if urb is not None:
            self._finish_reap(state, arg, urb)
            return
        if (blocking and self.gone) or (not blocking and self.reap_hold <= 0):
            client.complete(-1, errno.ENODEV if self.gone else errno.EAGAIN)
            return
        # Nothing yet. Hold the answer until device data arrives (or, for REAPURBNDELAY, a few
        # milliseconds pass): the emulated fd always polls ready, so without this libusb's event
        # loop would spin on EAGAIN at full speed. After an unplug the ENODEV answer is held
        # too: libusb never sees POLLERR here, so it keeps reaping until the program closes.
        deadline = None if blocking else time.monotonic() + self.reap_hold
        held = Held("reap" if blocking else "reap-ndelay", state, arg, deadline)
        state.held = held
        if deadline is not None:
            self.kiosk.timers.call_at(deadline, lambda: self._held_expired(state, held))

    def _discard_urb(self, state, client, arg):
        (addr,) = struct.unpack("<Q", arg.retrieve())
        for urb in self.pending_in:
            if urb.client is state.client and urb.addr == addr:
                self.pending_in.remove(urb)
                urb.status = -errno.ENOENT
                urb.actual = 0
                state.completed.append(urb)
                debug("%s: fd#%d discarded IN URB" % (self.name, state.number))
                client.complete(0, 0)
                return
        client.complete(-1, errno.EINVAL)    # already completed (or never submitted)

    # -- control transfers -----------------------------------------------------------------

    def _control_request(self, state, setup, out_data):
        """Standard requests on endpoint 0. Returns (status, data for an IN request)."""
        request_type, request, value, index, length = struct.unpack("<BBHHH", setup)
        if request_type == 0x80 and request == 6:          # GET_DESCRIPTOR
            kind, number = value >> 8, value & 0xFF
            if kind == 1:
                data = self.model.device_descriptor()
            elif kind == 2 and number == 0:
                data = self.model.config_descriptor()
            elif kind == 3:
                data = self.model.string(number)
            else:
                data = None
            if data is None:
                return -errno.EPIPE, b""
            return 0, data[:length]
        if request_type == 0x80 and request == 0:           # GET_STATUS (device)
            return 0, b"\x00\x00"[:length]
        if request_type == 0x81 and request == 0:           # GET_STATUS (interface)
            return 0, b"\x00\x00"[:length]
        if request_type == 0x82 and request == 0:           # GET_STATUS (endpoint): bit 0 = halted
            return 0, struct.pack("<H", 1 if index in self.halted else 0)[:length]
        if request_type == 0x80 and request == 8:           # GET_CONFIGURATION
            return 0, b"\x01"[:length]
        if request_type == 0x81 and request == 10:          # GET_INTERFACE
            return 0, b"\x00"[:length]
        if request_type == 0x00 and request == 9 and value == 1:      # SET_CONFIGURATION 1
            return 0, b""
        if request_type == 0x01 and request == 11 and value == 0:     # SET_INTERFACE 0
            return 0, b""
        if request_type == 0x02 and value == 0 and index in (self.model.ep_in, self.model.ep_out):
            if request == 1:                                          # CLEAR_FEATURE(ENDPOINT_HALT)
                self._clear_halt(state, index, "CLEAR_FEATURE(ENDPOINT_HALT) on ep 0 for")
                return 0, b""
            if request == 3:                                          # SET_FEATURE(ENDPOINT_HALT)
                if index not in self.halted:
                    self._halt(index, "SET_FEATURE(ENDPOINT_HALT)")
                return 0, b""
        if request_type in (0x00, 0x02) and request in (1, 3):        # CLEAR/SET_FEATURE
            return 0, b""
        log("%s: control request %02x %02x %04x %04x %d: STALL" % (self.name, request_type, request, value, index, length))
        return -errno.EPIPE, b""

    def _control_urb(self, state, urb):
        if urb.length < 8:
            urb.status, urb.actual = -errno.EINVAL, 0
            return
        buf = urb.data.resolve(16, urb.length)
        raw = buf.retrieve()
        setup = raw[:8]
        status, reply = self._control_request(state, setup, raw[8:])
        urb.status = status
        if setup[0] & 0x80:
            reply = reply[:urb.length - 8]
            if reply:
                buf.update(8, reply)
            urb.actual = len(reply)
        else:
            urb.actual = 0 if status else urb.length - 8
        self.stats["control"] += 1

    def _control_ioctl(self, state, client, arg):
        data = arg.resolve(0, 24)
        raw = data.retrieve()
        setup = raw[:8]
        length = struct.unpack_from("<H", raw, 6)[0]
        buf = data.resolve(16, length) if length else None
        status, reply = self._control_request(state, setup, buf.retrieve() if buf and not setup[0] & 0x80 else b"")
        if status:
            client.complete(-1, -status)
        elif setup[0] & 0x80:
            if reply:
                buf.update(0, reply)
            client.complete(len(reply), 0)
        else:
            client.complete(length, 0)

    def _bulk_ioctl(self, state, client, arg):
        data = arg.resolve(0, 24)
        ep, length, timeout = struct.unpack_from("<III", data.retrieve(), 0)
        if ep not in (self.model.ep_in, self.model.ep_out):
            client.complete(-1, errno.ENOENT)
            return
        if ep in self.halted:
            self.halt_urbs[ep] += 1
            client.complete(-1, errno.EPIPE)
            return
        status = self._claim(state, 0)
        if status[0] < 0:
            client.complete(*status)
            return
        if not ep & 0x80:
            payload = data.resolve(16, length).retrieve() if length else b""
            self.process.send(payload)
            client.complete(len(payload), 0)
            return
        held = Held("bulk-in", state, arg, time.monotonic() + timeout / 1000.0 if timeout else None,
                    extra=(data, length))
        state.held = held
        if not self._try_bulk_in(state, held) and held.deadline is not None:
            self.kiosk.timers.call_at(held.deadline, lambda: self._held_expired(state, held))

    def _try_bulk_in(self, state, held):
        data, length = held.extra
        if self.pending_in:
            return False     # posted URBs come first
        chunk = self._take_chunk(length)
        if chunk is None:
            if self.gone:
                held.done = True
                state.held = None
                state.client.complete(-1, errno.ENODEV)
                return True
            return False
        if chunk:
            data.resolve(16, len(chunk)).update(0, chunk)
        held.done = True
        state.held = None
        state.client.complete(len(chunk), 0)
        return True


# ---------------------------------------------------------------------------------------------
# The kiosk: testbed, hubs, docking and undocking

def parse_port(port):
    """'1-1.3' -> (bus 1, [1, 3])."""
    try:
        bus, rest = port.split("-", 1)
        numbers = [int(p) for p in rest.split(".")]
        bus = int(bus)
    except ValueError:
        raise ValueError("port %r is not like 1-1.3 (bus-port.port...)" % port)
    if not 1 <= bus <= 255 or not numbers or any(not 1 <= n <= 31 for n in numbers) or len(numbers) > 7:
        raise ValueError("port %r out of range" % port)
    return bus, numbers


class Kiosk:
    """A docking kiosk of USB bays in a umockdev testbed."""

    def __init__(self, sim=None, scenario=None, reap_hold_ms=2.0, caps=DEFAULT_CAPS, sim_args=()):
        self.UMockdev = load_umockdev()
        self.sim = sim or os.environ.get("RECORDER_SIM")
        self.sim_args = list(sim_args)
        self.scenario_path = scenario
        self.scenario = {}
        if scenario:
            with open(scenario, encoding="utf-8") as f:
                self.scenario = json.load(f)
        self.reap_hold = reap_hold_ms / 1000.0
        self.descriptor_faults = {}
        self.stall_in = {}         # serial -> set of N: the Nth IN URB carrying data STALLs
        self.stall_out = {}        # serial -> set of N: the Nth bulk OUT URB STALLs
        self.stall_forever = False # CLEAR_HALT does not help
        self.deny_open = {}        # serial -> K: the first K opens fail with EACCES (-1: all)
        self.caps = caps
        self.lock = threading.RLock()
        self.testbed = self.UMockdev.Testbed.new()
        self.root = self.testbed.get_root_dir()
        # Only now (UMOCKDEV_DIR is set) may in_mock_environment() be asked: it caches its
        # answer, and without it add_from_string sends no uevents.
        if not self.UMockdev.in_mock_environment():
            die("this process is not running under umockdev-wrapper: uevents would not be sent "
                "(run it as `umockdev-wrapper %s ...`)" % sys.executable)
        self.timers = Timers()
        self.devices = {}          # serial -> UsbDevice (docked now)
        self.history = []          # every UsbDevice ever docked
        self.hubs = {}             # sysfs name ('usb1', '1-1') -> devnum
        self.next_devnum = {}      # bus -> next address to hand out
        self.gone_callbacks = []
        self.closed = False

    # -- scenario ----------------------------------------------------------------------------

    def recorders(self):
        return self.scenario.get("recorders", [])

    def recorder(self, serial):
        for r in self.recorders():
            if r.get("identity", {}).get("serial") == serial:
                return r
        if self.scenario:
            raise KeyError("no recorder with serial %s in %s" % (serial, self.scenario_path))
        return {"identity": {"serial": serial}}

    def default_port(self, serial):
        for i, r in enumerate(self.recorders()):
            if r.get("identity", {}).get("serial") == serial:
                return r.get("port") or "1-1.%d" % (i + 1)
        return "1-1.1"

    def model_for(self, serial):
        r = self.recorder(serial)
        usb = r.get("usb") or {}
        link = r.get("link", "usb2")
        super_speed = link == "usb3" or (isinstance(link, dict) and link.get("packetSize") == 1024)
        identity = r.get("identity", {})
        model = DeviceModel(int(usb.get("vendorId", "1209"), 16), int(usb.get("productId", "0001"), 16),
                            serial, product=identity.get("model", "DSJ-SIM1"),
                            manufacturer="recorder-gateway simulator", super_speed=super_speed)
        if serial in self.descriptor_faults:
            model.break_descriptors(self.descriptor_faults[serial])
        return model

    # -- sysfs -------------------------------------------------------------------------------

    @staticmethod
    def port_numbers(port):
        return parse_port(port)[1]

    @staticmethod
    def syspath_for(port):
        bus, numbers = parse_port(port)
        parts = ["/sys/devices/pci0000:00/0000:00:14.0", "usb%d" % bus]
        for i in range(1, len(numbers) + 1):
            parts.append("%d-%s" % (bus, ".".join(str(n) for n in numbers[:i])))
        return "/".join(parts)

    def _alloc_devnum(self, bus):
        n = self.next_devnum.get(bus, 2)
        used = {d.devnum for d in self.devices.values() if d.bus == bus} | {
            v for k, v in self.hubs.items() if self._hub_bus(k) == bus}
        while n in used:
            n = n + 1 if n < 127 else 2
        self.next_devnum[bus] = n + 1 if n < 127 else 2
        return n

    @staticmethod
    def _hub_bus(name):
        return int(name[3:]) if name.startswith("usb") else int(name.split("-")[0])

    @staticmethod
    def _record(syspath, devnum, bus, descriptors, vendor, product, bcd_device, speed, devpath,
                extra_attrs=(), extra_props=(), device_class=0):
        """A usb_device paragraph of umockdev's description format."""
        minor = (bus - 1) * 128 + devnum - 1
        lines = [
            "P: %s" % syspath[len("/sys"):],
            "N: bus/usb/%03d/%03d=%s" % (bus, devnum, descriptors.hex().upper()),
            "E: SUBSYSTEM=usb",
            "E: DEVTYPE=usb_device",
            "E: DEVNAME=/dev/bus/usb/%03d/%03d" % (bus, devnum),
            "E: DRIVER=usb",
            "E: PRODUCT=%x/%x/%x" % (vendor, product, bcd_device),
            "E: TYPE=%d/0/0" % device_class,
            "E: BUSNUM=%03d" % bus,
            "E: DEVNUM=%03d" % devnum,
            "E: MAJOR=189",
            "E: MINOR=%d" % minor,
        ]
        lines += ["E: %s=%s" % kv for kv in extra_props]
        lines += [
            "A: busnum=%d" % bus,
            "A: devnum=%d" % devnum,
            "A: dev=189:%d" % minor,
            "A: speed=%d" % speed,
            "A: idVendor=%04x" % vendor,
            "A: idProduct=%04x" % product,
            "A: bcdDevice=%04x" % bcd_device,
            "A: bDeviceClass=%02x" % device_class,
            "A: bConfigurationValue=1",
            "A: bNumConfigurations=1",
            "A: bNumInterfaces= 1",
            "A: bmAttributes=80",
            "A: devpath=%s" % devpath,
            "A: authorized=1",
            "A: removable=removable",
        ]
        lines += ["A: %s=%s" % kv for kv in extra_attrs]
        lines.append("H: descriptors=%s" % descriptors.hex().upper())
        return "\n".join(lines) + "\n\n"

    def _ensure_hubs(self, port, super_speed):
        """Root hub and external hubs above `port`, so libusb finds the parents (port paths)."""
        bus, numbers = parse_port(port)
        text = ""
        chain = ["usb%d" % bus] + ["%d-%s" % (bus, ".".join(str(n) for n in numbers[:i]))
                                   for i in range(1, len(numbers))]
        for depth, name in enumerate(chain):
            if name in self.hubs:
                continue
            root = depth == 0
            devnum = 1 if root else self._alloc_devnum(bus)
            self.hubs[name] = devnum
            descriptors, vendor, product = hub_descriptors(root, super_speed)
            syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb%d" % bus if root else self.syspath_for(name)
            devpath = "0" if root else name.split("-", 1)[1]
            text += self._record(syspath, devnum, bus, descriptors, vendor, product,
                                 0x0606 if root else 0x9226, 5000 if super_speed else 480, devpath,
                                 extra_attrs=[("maxchild", "4")], device_class=9)
        if text:
            self.testbed.add_from_string(text)

    # -- docking -----------------------------------------------------------------------------

    def device_argv(self, serial):
        if not self.sim:
            raise ValueError("no device program: pass sim= / --sim or set RECORDER_SIM")
        if not self.scenario_path:
            raise ValueError("no scenario file")
        return [self.sim, "serve", self.scenario_path, "--serial", serial] + self.sim_args

    def dock(self, serial, port=None):
        """Plugs a recorder into a bay: starts its device process, adds the USB device (with a
        uevent "add" that libudev/libusb monitors see: hotplug if the program runs already)."""
        with self.lock:
            if self.closed:
                raise RuntimeError("kiosk closed")
            if serial in self.devices:
                raise ValueError("%s is docked already (at %s)" % (serial, self.devices[serial].port))
            port = port or self.default_port(serial)
            for d in self.devices.values():
                if d.port == port:
                    raise ValueError("bay %s is taken by %s" % (port, d.serial))
            model = self.model_for(serial)
            bus, numbers = parse_port(port)
            self._ensure_hubs(port, model.super_speed)
            devnum = self._alloc_devnum(bus)
            dev = UsbDevice(self, serial, port, bus, devnum, model, self.device_argv(serial), self.reap_hold)
            dev.start_process()
            # the ioctl socket must exist before the node appears (the preload library connects
            # to it when the program opens the node)
            self.testbed.attach_ioctl(dev.devnode, dev.handler)
            devpath = ".".join(str(n) for n in numbers)
            props = [("ID_VENDOR_ID", "%04x" % model.vendor_id), ("ID_MODEL_ID", "%04x" % model.product_id),
                     ("ID_SERIAL_SHORT", serial), ("ID_BUS", "usb"),
                     ("ID_USB_INTERFACES", ":%02x0000:" % model.interface_class)]
            attrs = [("version", " 3.20" if model.super_speed else " 2.00"), ("maxchild", "0"),
                     ("manufacturer", model.manufacturer), ("product", model.product), ("serial", serial),
                     ("bMaxPacketSize0", "09" if model.super_speed else "64"), ("bMaxPower", "500mA")]
            text = self._record(dev.syspath, devnum, bus, model.descriptors(), model.vendor_id,
                                model.product_id, model.bcd_device, model.speed_mbps, devpath,
                                extra_attrs=attrs, extra_props=props)
            # the interface, as the kernel adds it after the device
            iface = "%s:1.0" % dev.syspath.rsplit("/", 1)[1]
            text += "\n".join([
                "P: %s/%s" % (dev.syspath[len("/sys"):], iface),
                "E: SUBSYSTEM=usb",
                "E: DEVTYPE=usb_interface",
                "E: PRODUCT=%x/%x/%x" % (model.vendor_id, model.product_id, model.bcd_device),
                "E: TYPE=0/0/0",
                "E: INTERFACE=%d/0/0" % model.interface_class,
                "E: MODALIAS=usb:v%04Xp%04Xd%04Xdc00dsc00dp00ic%02Xisc00ip00in00" % (
                    model.vendor_id, model.product_id, model.bcd_device, model.interface_class),
                "A: bInterfaceNumber=00",
                "A: bAlternateSetting= 0",
                "A: bNumEndpoints=02",
                "A: bInterfaceClass=%02x" % model.interface_class,
                "A: bInterfaceSubClass=00",
                "A: bInterfaceProtocol=00",
                "A: authorized=1",
            ]) + "\n\n"
            if dev.deny_left:
                # Read-only from the start, so that even a hotplug's first open is refused: the
                # node is created inside add_from_string, just before the uevent.
                old = os.umask(0o222)
                dev.node_mode = 0o666 & ~old    # set first: the program may open at once
                try:
                    self.testbed.add_from_string(text)
                finally:
                    os.umask(old)
                for top, dirs, _ in os.walk(self.root):   # directories stay writable for the harness
                    for d in dirs:
                        path = os.path.join(top, d)
                        mode = os.lstat(path).st_mode
                        if stat.S_ISDIR(mode) and not mode & stat.S_IWUSR:
                            os.chmod(path, stat.S_IMODE(mode) | stat.S_IWUSR)
                log("%s: %s is read-only: %s refused with EACCES" % (
                    dev.name, dev.devnode, "every open is" if dev.deny_left < 0 else
                    "the first open is" if dev.deny_left == 1 else "the first %d opens are" % dev.deny_left))
            else:
                self.testbed.add_from_string(text)
            self.devices[serial] = dev
            self.history.append(dev)
            log("docked %s at %s: %s, %04x:%04x, %s" % (serial, port, dev.devnode, model.vendor_id,
                                                       model.product_id, "SuperSpeed" if model.super_speed else "high speed"))
            return dev

    def _wake_others(self, dev):
        with self.lock:
            others = [d for d in self.devices.values() if d is not dev]
        for other in others:
            other.release_idle_holds()

    def unplug(self, serial, reason="unplugged by the harness"):
        """Pulls a recorder out of its bay: pending URBs complete with -ENODEV, further ioctls
        fail with ENODEV, uevent "remove", the device leaves the testbed, its process ends."""
        with self.lock:
            dev = self.devices.get(serial)
            if dev is None:
                raise KeyError("%s is not docked" % serial)
            self._remove(dev, reason)
        if dev.process is not None:
            dev.process.close()

    def _unplugged_by_device(self, dev):
        with self.lock:
            if self.devices.get(dev.serial) is dev and not self.closed:
                self._remove(dev, "device process")
        for cb in self.gone_callbacks:
            cb(dev)

    def _remove(self, dev, reason):
        dev.disconnect()
        # The kernel's remove uevent comes when sysfs is already gone. umockdev builds the event
        # from the sysfs uevent file, so: drop the other attributes first (a program reading
        # them on remove fails as on a real kiosk), then the event, then the directory.
        for path in (dev.syspath + "/" + dev.syspath.rsplit("/", 1)[1] + ":1.0", dev.syspath):
            real = self.root + path
            try:
                names = os.listdir(real)
            except OSError:
                continue
            for name in names:
                if name in ("uevent", "subsystem", "dev", "driver") or os.path.isdir(os.path.join(real, name)):
                    continue
                try:
                    os.unlink(os.path.join(real, name))
                except OSError:
                    pass
        iface = dev.syspath + "/" + dev.syspath.rsplit("/", 1)[1] + ":1.0"
        self.testbed.uevent(iface, "remove")
        self.testbed.uevent(dev.syspath, "remove")
        # the interface first: remove_device() on the parent deletes the child's directory but
        # not its /sys/bus/usb/devices link, and the next dock at this port would then abort
        # umockdev (assertion on symlink creation)
        self.testbed.remove_device(iface)
        self.testbed.remove_device(dev.syspath)
        try:
            self.testbed.detach_ioctl(dev.devnode)   # open fds keep talking to dev.handler
        except Exception as e:
            log("detach_ioctl(%s): %s" % (dev.devnode, e))
        with dev.lock:
            dev.removed = True
        del self.devices[dev.serial]
        log("undocked %s from %s (%s)" % (dev.serial, dev.port, reason))

    # -- the program under test --------------------------------------------------------------

    def program_env(self, env=None):
        env = dict(os.environ if env is None else env)
        env.pop(WRAPPER_MARKER, None)
        env["UMOCKDEV_DIR"] = self.root
        rest = [p for p in env.get("LD_PRELOAD", "").replace(" ", ":").split(":")
                if p and "libumockdev-preload" not in p]
        env["LD_PRELOAD"] = ":".join([PRELOAD] + rest)
        return env

    def program_argv(self, argv):
        """The command line to start the program under test with: with refused opens
        (`deny_open`) and a root harness, under setpriv without CAP_DAC_OVERRIDE and
        CAP_DAC_READ_SEARCH, since root would open the read-only node anyway."""
        if not self.deny_open or os.geteuid() != 0:
            return list(argv)
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            die("refused opens (--deny-open) as root need setpriv (package util-linux)")
        return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"] + list(argv)

    def close(self):
        with self.lock:
            if self.closed:
                return
            self.closed = True
            devices = list(self.devices.values())
        for dev in devices:
            with self.lock:
                if self.devices.get(dev.serial) is dev:
                    self._remove(dev, "harness shutting down")
        for dev in self.history:
            if dev.process is not None:
                dev.process.close()
        self.timers.stop()
        # The testbed's destructor removes its directory, but only if the GObject is finalized,
        # which the handlers' references prevent at interpreter exit: remove it ourselves.
        root, self.testbed = self.root, None
        shutil.rmtree(root, ignore_errors=True)

    def report(self):
        for dev in self.history:
            unknown = ", ".join("0x%08x x%d" % kv for kv in dev.unknown.items())
            log("%s: %s%s" % (dev.name, dict(sorted(dev.stats.items())),
                              ("; UNKNOWN IOCTLS: " + unknown) if unknown else ""))


# ---------------------------------------------------------------------------------------------
# CLI

def ensure_wrapper(argv=None, script=None):
    """Re-executes the running script (default sys.argv[0]) under umockdev-wrapper unless it
    runs there already. A test script that uses `Kiosk` calls this first:
    `harness.ensure_wrapper(sys.argv[1:], __file__)`."""
    argv = sys.argv[1:] if argv is None else argv
    script = os.path.abspath(script or sys.argv[0])
    if os.environ.get(WRAPPER_MARKER) == "1":
        return
    wrapper = shutil.which("umockdev-wrapper")
    if wrapper is None:
        die("umockdev-wrapper not found (package umockdev); " + INSTALL_HINT)
    python = sys.executable
    module, error = _import_umockdev()
    if module is None:
        # a venv or another interpreter: python3-gi belongs to the system one
        if python != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            python = "/usr/bin/python3"
        else:
            die("%s; %s" % (error, INSTALL_HINT))
    env = dict(os.environ)
    env[WRAPPER_MARKER] = "1"
    os.execve(wrapper, [wrapper, python, script] + argv, env)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="harness.py",
        description="Run PROGRAM with simulated recorders as USB devices (umockdev).",
        epilog="Times are seconds after PROGRAM starts. With no --dock, --unplug-after or "
               "--redock-after at all, every recorder of the scenario is docked at its port before "
               "PROGRAM starts (coldplug); otherwise exactly the --dock ones are.")
    p.add_argument("--sim", default=os.environ.get("RECORDER_SIM"),
                   help="the device program, run as `SIM serve SCENARIO --serial S` (env RECORDER_SIM)")
    p.add_argument("--scenario", required=True, help="scenario JSON file (Docs/simulator.md)")
    p.add_argument("--dock", action="append", default=[], metavar="SERIAL[@PORT]",
                   help="dock this recorder before PROGRAM starts (port default: the scenario's)")
    p.add_argument("--unplug-after", nargs=2, action="append", default=[], metavar=("SECONDS", "SERIAL"),
                   help="pull SERIAL out SECONDS after start")
    p.add_argument("--redock-after", nargs=2, action="append", default=[], metavar=("SECONDS", "SERIAL[@PORT]"),
                   help="dock SERIAL at PORT (default: the scenario's) SECONDS after start (hotplug)")
    p.add_argument("--sim-arg", action="append", default=[], metavar="ARG",
                   help="one more argument for every device process, e.g. --sim-arg=--keep-link "
                        "(recorder-sim: keep the scenario's link timing)")
    p.add_argument("--descriptor-fault", action="append", default=[], metavar="SERIAL:KIND",
                   help="give SERIAL's device odd descriptors: no-bulk, wrong-class or zero-packet")
    p.add_argument("--stall-in", action="append", default=[], metavar="SERIAL:N",
                   help="SERIAL's bulk IN endpoint STALLs at the Nth IN URB that carries data (counted "
                        "from the dock): the URB gets the first half of its data (whole packets) and ends "
                        "with -EPIPE, and every IN URB ends so until CLEAR_HALT; nothing is lost")
    p.add_argument("--stall-out", action="append", default=[], metavar="SERIAL:N",
                   help="SERIAL's bulk OUT endpoint STALLs at the Nth bulk OUT URB (counted from the dock): "
                        "it and every OUT URB until CLEAR_HALT end with -EPIPE, undelivered")
    p.add_argument("--stall-forever", action="store_true",
                   help="a halted endpoint stays halted: CLEAR_HALT is answered 0 and does not help")
    p.add_argument("--deny-open", action="append", default=[], metavar="SERIAL[:K]",
                   help="the first K opens of SERIAL's device node fail with EACCES (default: every one), "
                        "as on hotplug before udev applies the group and mode; PROGRAM runs without "
                        "CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH when the harness runs as root")
    p.add_argument("--dock-on-log", nargs=2, action="append", default=[], metavar=("REGEX", "SERIAL[@PORT]"),
                   help="dock SERIAL once a line PROGRAM writes to stderr matches REGEX")
    p.add_argument("--timeout", type=float, default=0, help="kill PROGRAM after this many seconds (exit 124)")
    p.add_argument("--reap-hold-ms", type=float, default=2.0,
                   help="how long an empty REAPURBNDELAY is held before EAGAIN (0: answer at once)")
    p.add_argument("--verbose", action="store_true", help="log every USB operation")
    p.add_argument("program", nargs=argparse.REMAINDER, help="-- PROGRAM ARGS...")
    args = p.parse_args(argv)
    if args.program and args.program[0] == "--":
        args.program = args.program[1:]
    if not args.program:
        p.error("no PROGRAM given (after --)")
    if not args.sim:
        p.error("no device program: --sim PATH or RECORDER_SIM")
    try:
        for spec in args.dock:
            split_serial_port(spec)
        for secs, spec in args.redock_after:
            split_serial_port(spec)
        for regex, spec in args.dock_on_log:
            split_serial_port(spec)
            re.compile(regex)
        args.stall_in = [split_serial_count(x, "--stall-in") for x in args.stall_in]
        args.stall_out = [split_serial_count(x, "--stall-out") for x in args.stall_out]
        args.deny_open = [split_serial_count(x, "--deny-open", default=-1) for x in args.deny_open]
        for secs, _ in args.unplug_after + args.redock_after:
            if float(secs) < 0:
                raise ValueError("negative time %s" % secs)
    except (ValueError, re.error) as e:
        p.error(str(e))
    return args


def split_serial_count(text, option, default=None):
    """'SERIAL:N' -> (SERIAL, N >= 1); 'SERIAL' -> (SERIAL, default) if there is a default."""
    serial, sep, count = text.partition(":")
    if not serial or (not sep and default is None):
        raise ValueError("%s wants SERIAL:N, not %r" % (option, text))
    if not sep:
        return serial, default
    if not count.isdigit() or int(count) < 1:
        raise ValueError("%s %s: N must be a whole number from 1" % (option, text))
    return serial, int(count)


def split_serial_port(text):
    serial, _, port = text.partition("@")
    if port:
        parse_port(port)
    return serial, port or None


def watch_stderr(proc, kiosk, triggers):
    """Copies PROGRAM's stderr to ours, line by line, and docks a recorder the first time a
    line matches its --dock-on-log pattern."""
    pending = [(re.compile(regex), split_serial_port(spec)) for regex, spec in triggers]
    for raw in iter(proc.stderr.readline, b""):
        with _log_lock:
            sys.stderr.buffer.write(raw)
            sys.stderr.flush()
        line = raw.decode("utf-8", "replace")
        for item in [t for t in pending if t[0].search(line)]:
            pending.remove(item)
            serial, port = item[1]
            log("PROGRAM wrote a line matching %r: docking %s" % (item[0].pattern, serial))
            try:
                kiosk.dock(serial, port)
            except (KeyError, ValueError, RuntimeError) as e:
                log("docking %s on PROGRAM's output failed: %s" % (serial, e))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)           # usage errors before any re-exec
    ensure_wrapper(argv, __file__)
    global VERBOSE
    VERBOSE = VERBOSE or args.verbose
    if not os.access(args.sim, os.X_OK):
        die("device program %s is not executable" % args.sim)

    events = []   # (seconds, order, kind, serial, port)
    for i, (secs, serial) in enumerate(args.unplug_after):
        events.append((float(secs), i, "unplug", serial, None))
    for i, (secs, spec) in enumerate(args.redock_after):
        serial, port = split_serial_port(spec)
        events.append((float(secs), i, "dock", serial, port))
    events.sort(key=lambda e: (e[0], e[2] != "unplug", e[1]))   # at equal times unplug first

    kiosk = Kiosk(sim=args.sim, scenario=args.scenario, reap_hold_ms=args.reap_hold_ms, sim_args=args.sim_arg)
    for item in args.descriptor_fault:
        serial, _, kind = item.partition(":")
        kiosk.descriptor_faults[serial] = kind
    for serial, n in args.stall_in:
        kiosk.stall_in.setdefault(serial, set()).add(n)
    for serial, n in args.stall_out:
        kiosk.stall_out.setdefault(serial, set()).add(n)
    kiosk.stall_forever = args.stall_forever
    for serial, k in args.deny_open:
        kiosk.deny_open[serial] = k
    program = kiosk.program_argv(args.program)
    status = 1
    proc = None
    try:
        docks = [split_serial_port(d) for d in args.dock]
        if not args.dock and not events:
            docks = [(r["identity"]["serial"], None) for r in kiosk.recorders()]
        for serial, port in docks:
            try:
                kiosk.dock(serial, port)
            except (KeyError, ValueError) as e:
                log("cannot dock %s: %s" % (serial, e.args[0] if e.args else e))
                return 2

        forwarded = {"signal": None}

        def forward(signum, _frame):
            forwarded["signal"] = signum
            if proc is not None and proc.poll() is None:
                proc.send_signal(signum)
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, forward)

        log("starting %s (UMOCKDEV_DIR=%s)" % (" ".join(program), kiosk.root))
        start = time.monotonic()
        proc = subprocess.Popen(program, env=kiosk.program_env(),
                                stderr=subprocess.PIPE if args.dock_on_log else None)
        if args.dock_on_log:
            watcher = threading.Thread(target=watch_stderr, args=(proc, kiosk, args.dock_on_log),
                                       name="program-stderr", daemon=True)
            watcher.start()
        timed_out = False
        while True:
            now = time.monotonic() - start
            while events and events[0][0] <= now:
                _, _, kind, serial, port = events.pop(0)
                try:
                    if kind == "unplug":
                        kiosk.unplug(serial)
                    else:
                        kiosk.dock(serial, port)
                except (KeyError, ValueError) as e:
                    log("scripted %s of %s failed: %s" % (kind, serial, e))
            wait = 0.5
            if events:
                wait = min(wait, max(0.0, events[0][0] - now))
            if args.timeout:
                left = args.timeout - now
                if left <= 0:
                    log("PROGRAM still running after %.1f s: killing it" % args.timeout)
                    proc.kill()
                    timed_out = True
                    proc.wait()
                    break
                wait = min(wait, left)
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        rc = proc.returncode
        if args.dock_on_log:
            watcher.join(5)
        status = 124 if timed_out else (rc if rc >= 0 else 128 - rc)
        log("PROGRAM exited with status %s" % (rc if rc >= 0 else "signal %d" % -rc))
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        kiosk.close()
        kiosk.report()
    return status


if __name__ == "__main__":
    sys.exit(main())
