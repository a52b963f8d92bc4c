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

Vendor recorders (scenario "family" amba-ascii / amba-ctrl) are served by vendor_device.py: their
vendor control requests go to it and wait for its answer, and when it re-enumerates the kiosk
unplugs it and docks its mass-storage appearance on the same port (bot_device.py); when and
where: `kiosk.return_after[serial] = SECONDS`, `kiosk.return_never.add(serial)`,
`kiosk.return_port[serial] = PORT`. The framing is in ../device_framing.py.

The modules, one concept each: umockdev (its bindings, umockdev-wrapper), messages (log
lines), usbdevfs (ioctl numbers, URB layout), descriptors (what a device looks like),
device_process (the recorder-sim behind a device), urbs, usb_device with its parts dispatch,
control, bulk and reaping, sysfs (ports, paths, hubs), kiosk, timers, and cli (harness.py's
command line).
"""

from .cli import main
from .descriptors import DeviceModel
from .kiosk import Kiosk
from .sysfs import parse_port
from .umockdev import ensure_wrapper, load_umockdev
from .usb_device import UsbDevice

__all__ = ["DeviceModel", "Kiosk", "UsbDevice", "ensure_wrapper", "load_umockdev", "main", "parse_port"]
