"""usb_device uevents as libudev's monitor sees them (what udevd's clients and libusb listen to),
through ctypes: for the self-test, a udev client that is not ours. Under the umockdev harness
(LD_PRELOAD, UMOCKDEV_DIR) it sees the testbed's uevents.
"""
import ctypes
import ctypes.util
import select
import time


class UdevMonitor:
    """libudev's monitor of usb_device uevents (what udevd and libusb listen to), opened before
    anything happens so that every event of the run is seen, in order."""

    def __init__(self):
        lib = ctypes.CDLL(ctypes.util.find_library("udev") or "libudev.so.1")
        for name, res, args in (
                ("udev_new", ctypes.c_void_p, []),
                ("udev_monitor_new_from_netlink", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p]),
                ("udev_monitor_filter_add_match_subsystem_devtype", ctypes.c_int,
                 [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]),
                ("udev_monitor_enable_receiving", ctypes.c_int, [ctypes.c_void_p]),
                ("udev_monitor_get_fd", ctypes.c_int, [ctypes.c_void_p]),
                ("udev_monitor_receive_device", ctypes.c_void_p, [ctypes.c_void_p]),
                ("udev_device_get_action", ctypes.c_char_p, [ctypes.c_void_p]),
                ("udev_device_get_devpath", ctypes.c_char_p, [ctypes.c_void_p]),
                ("udev_device_get_property_value", ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_char_p]),
                ("udev_device_unref", ctypes.c_void_p, [ctypes.c_void_p])):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.lib = lib
        self.udev = lib.udev_new()
        self.mon = lib.udev_monitor_new_from_netlink(self.udev, b"udev")
        lib.udev_monitor_filter_add_match_subsystem_devtype(self.mon, b"usb", b"usb_device")
        rc = lib.udev_monitor_enable_receiving(self.mon)
        self.fd = lib.udev_monitor_get_fd(self.mon)
        self.events = []        # (action, devpath, PRODUCT), in arrival order
        self.listening = self.mon is not None and rc == 0 and self.fd >= 0

    def _receive(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        dev = self.lib.udev_monitor_receive_device(self.mon)
        if not dev:
            return None
        product = self.lib.udev_device_get_property_value(dev, b"PRODUCT")
        event = (self.lib.udev_device_get_action(dev).decode(), self.lib.udev_device_get_devpath(dev).decode(),
                 product.decode() if product else "")
        self.lib.udev_device_unref(dev)
        self.events.append(event)
        return event

    def drain(self):
        """Takes every event that has arrived so far into `events`, without waiting."""
        while self._receive(0) is not None:
            pass

    def wait_for(self, action, port, timeout):
        """The first `action` uevent of the device at `port` (devpath ending /PORT), waiting up
        to `timeout` seconds for it; None if it did not come."""
        for event in self.events:
            if event[0] == action and event[1].endswith("/" + port):
                return event
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            event = self._receive(left)
            if event is not None and event[0] == action and event[1].endswith("/" + port):
                return event
