"""Where a device lives in the testbed: ports (1-1.3), sysfs paths, device numbers, hubs, and the
usb_device records of umockdev's description format: part of `Kiosk`.
"""

from .descriptors import hub_descriptors


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


class SysfsTree:
    """The testbed's USB tree of `Kiosk` (a mix-in: it uses the kiosk's state)."""

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
