"""The kiosk: a umockdev testbed with USB bays, docking and undocking simulated recorders, and the
environment a program under test runs in.
"""

import json
import os
import shutil
import stat
import sys
import threading
import time

from .descriptors import DeviceModel
from .messages import die, log
from .sysfs import parse_port, SysfsTree
from .timers import Timers
from .umockdev import load_umockdev, PRELOAD, WRAPPER_MARKER
from .usb_device import UsbDevice
from .usbdevfs import DEFAULT_CAPS

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The device programs beside the harness: issue 14's vendor families, and the Bulk-Only
# Transport device a vendor recorder comes back as.
VENDOR_DEVICE = os.path.join(HERE, "vendor_device.py")
BOT_DEVICE = os.path.join(HERE, "bot_device.py")
VENDOR_FAMILIES = ("amba-ascii", "amba-ctrl")
DEFAULT_RETURN_AFTER = 0.5     # seconds between a vendor device's leave and its return


class Kiosk(SysfsTree):
    """A docking kiosk of USB bays in a umockdev testbed."""

    def __init__(self, sim=None, scenario=None, reap_hold_ms=2.0, caps=DEFAULT_CAPS, sim_args=(),
                 vendor_sim=None, storage_sim=None):
        self.UMockdev = load_umockdev()
        self.sim = sim or os.environ.get("RECORDER_SIM")
        self.sim_args = list(sim_args)
        # vendor recorders ("family": amba-*) are served by vendor_sim, their mass-storage
        # appearance by storage_sim (default bot_device.py), which also serves the scenario's
        # plain mass-storage recorders when given (otherwise `sim` does, as before)
        self.vendor_sim = vendor_sim or VENDOR_DEVICE
        self.storage_sim = storage_sim
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
        # Re-enumeration faults, per serial: when and where a vendor recorder comes back.
        self.return_after = {}     # serial -> seconds after it left (default DEFAULT_RETURN_AFTER)
        self.return_never = set()  # serials that never come back
        self.return_port = {}      # serial -> the port it comes back on (default: the one it left)
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
        """What the recorder looks like on USB. A recorder with "storage" is a mass-storage
        device (interface 08/06/50, default ids 1209:0002, the device database's test model);
        any other one speaks protocol v1 (interface ff/00/00, default ids 1209:0001)."""
        r = self.recorder(serial)
        usb = r.get("usb") or {}
        link = r.get("link", "usb2")
        super_speed = link == "usb3" or (isinstance(link, dict) and link.get("packetSize") == 1024)
        identity = r.get("identity", {})
        family = r.get("family")
        if family in VENDOR_FAMILIES:
            # both families are 4255:0001; only the interface's endpoints tell them apart
            model = DeviceModel(int(usb.get("vendorId", "4255"), 16), int(usb.get("productId", "0001"), 16),
                                serial, product=identity.get("model", "DSJ-SIM1"),
                                manufacturer="recorder-gateway simulator", super_speed=super_speed)
            model.vendor_interface(bulk_endpoints=family == "amba-ascii")
            if serial in self.descriptor_faults:
                model.break_descriptors(self.descriptor_faults[serial])
            return model
        storage = "storage" in r
        model = DeviceModel(int(usb.get("vendorId", "1209"), 16), int(usb.get("productId", "0002" if storage else "0001"), 16),
                            serial, product=identity.get("model", "DSJ-SIM1"),
                            manufacturer="recorder-gateway simulator", super_speed=super_speed)
        if storage:
            model.mass_storage()
        if serial in self.descriptor_faults:
            model.break_descriptors(self.descriptor_faults[serial])
        return model

    # -- docking -----------------------------------------------------------------------------

    def device_argv(self, serial):
        if not self.scenario_path:
            raise ValueError("no scenario file")
        r = self.recorder(serial)
        if r.get("family") in VENDOR_FAMILIES:
            program, extra = self.vendor_sim, []
        elif "storage" in r and self.storage_sim:
            program, extra = self.storage_sim, []
        else:
            program, extra = self.sim, self.sim_args
        if not program:
            raise ValueError("no device program: pass sim= / --sim or set RECORDER_SIM")
        return [program, "serve", self.scenario_path, "--serial", serial] + extra

    def dock(self, serial, port=None):
        """Plugs a recorder into a bay: starts its device process, adds the USB device (with a
        uevent "add" that libudev/libusb monitors see: hotplug if the program runs already)."""
        with self.lock:
            return self._dock(serial, port or self.default_port(serial), self.model_for(serial),
                              self.device_argv(serial))

    def dock_storage_appearance(self, serial, port, vendor_id, product_id):
        """Docks what a vendor recorder comes back as after its switch: a mass-storage device
        (08/06/50) with these ids and the recorder's serial, served by the storage device
        program (bot_device.py: the recorder's `storage.image`)."""
        with self.lock:
            vendor = self.model_for(serial)
            model = DeviceModel(vendor_id, product_id, serial, product=vendor.product,
                                manufacturer=vendor.manufacturer, super_speed=vendor.super_speed)
            model.mass_storage()
            argv = [self.storage_sim or BOT_DEVICE, "serve", self.scenario_path, "--serial", serial]
            return self._dock(serial, port, model, argv)

    def _dock(self, serial, port, model, argv):
        with self.lock:
            if self.closed:
                raise RuntimeError("kiosk closed")
            if serial in self.devices:
                raise ValueError("%s is docked already (at %s)" % (serial, self.devices[serial].port))
            for d in self.devices.values():
                if d.port == port:
                    raise ValueError("bay %s is taken by %s" % (port, d.serial))
            bus, numbers = parse_port(port)
            self._ensure_hubs(port, model.super_speed)
            devnum = self._alloc_devnum(bus)
            dev = UsbDevice(self, serial, port, bus, devnum, model, argv, self.reap_hold)
            dev.start_process()
            # the ioctl socket must exist before the node appears (the preload library connects
            # to it when the program opens the node)
            self.testbed.attach_ioctl(dev.devnode, dev.handler)
            devpath = ".".join(str(n) for n in numbers)
            props = [("ID_VENDOR_ID", "%04x" % model.vendor_id), ("ID_MODEL_ID", "%04x" % model.product_id),
                     ("ID_SERIAL_SHORT", serial), ("ID_BUS", "usb"),
                     ("ID_USB_INTERFACES", ":%02x%02x%02x:" % (model.interface_class, model.interface_subclass,
                                                               model.interface_protocol))]
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
                "E: INTERFACE=%d/%d/%d" % (model.interface_class, model.interface_subclass, model.interface_protocol),
                "E: MODALIAS=usb:v%04Xp%04Xd%04Xdc00dsc00dp00ic%02Xisc%02Xip%02Xin00" % (
                    model.vendor_id, model.product_id, model.bcd_device, model.interface_class,
                    model.interface_subclass, model.interface_protocol),
                "A: bInterfaceNumber=00",
                "A: bAlternateSetting= 0",
                "A: bNumEndpoints=%02x" % len(model.bulk_endpoints),
                "A: bInterfaceClass=%02x" % model.interface_class,
                "A: bInterfaceSubClass=%02x" % model.interface_subclass,
                "A: bInterfaceProtocol=%02x" % model.interface_protocol,
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

    def _reenumerate(self, dev, vendor_id, product_id):
        """A vendor recorder leaves the bus (uevent "remove", URBs fail with ENODEV, as for an
        unplug) and, unless --return-never, comes back as mass storage with these ids after
        --return-after seconds, on its port or the --return-port one: uevent "add"."""
        serial = dev.serial
        with self.lock:
            if self.closed or self.devices.get(serial) is not dev:
                return
            self._remove(dev, "re-enumeration: it comes back as mass storage %04x:%04x" % (vendor_id, product_id))
            if serial in self.return_never:
                log("%s: it never comes back (--return-never)" % dev.name)
            else:
                port = self.return_port.get(serial, dev.port)
                delay = self.return_after.get(serial, DEFAULT_RETURN_AFTER)
                log("%s: it comes back as mass storage %04x:%04x at %s in %.1f s" % (
                    dev.name, vendor_id, product_id, port, delay))
                self.timers.call_at(time.monotonic() + delay,
                                    lambda: self._return(serial, port, vendor_id, product_id))
        if dev.process is not None:
            # its end of input; not on the timers thread, which the return needs
            threading.Thread(target=dev.process.close, name="close-" + dev.name, daemon=True).start()

    def _return(self, serial, port, vendor_id, product_id):
        try:
            self.dock_storage_appearance(serial, port, vendor_id, product_id)
        except (KeyError, ValueError, RuntimeError) as e:
            log("%s cannot come back at %s: %s" % (serial, port, e.args[0] if e.args else e))

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
