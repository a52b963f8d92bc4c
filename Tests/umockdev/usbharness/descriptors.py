"""USB descriptors: what one recorder looks like (`DeviceModel`: ids, speed, descriptors,
strings, and the descriptor faults) and what a hub looks like.
"""

import struct


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
        self.interface_subclass = 0x00
        self.interface_protocol = 0x00
        self.endpoint_type = 0x02   # bulk
        # Vendor-type control requests ((bmRequestType & 0x60) == 0x40) on endpoint 0 go to the
        # device process (device_framing.py's CONTROL messages) instead of stalling here.
        self.vendor_requests = False

    def vendor_interface(self, bulk_endpoints=True):
        """A vendor device of issue 14's families: interface class 0xFF whose vendor requests
        on endpoint 0 are answered by the device process; with bulk OUT 0x01 / IN 0x81
        (amba-ascii) or with no endpoint but endpoint 0 (amba-ctrl)."""
        self.interface_class, self.interface_subclass, self.interface_protocol = 0xFF, 0x00, 0x00
        self.vendor_requests = True
        if not bulk_endpoints:
            self.ep_out = self.ep_in = None

    @property
    def bulk_endpoints(self):
        """The bulk endpoint addresses the interface has, OUT first (none for amba-ctrl)."""
        return [ep for ep in (self.ep_out, self.ep_in) if ep is not None]

    def mass_storage(self):
        """The interface becomes USB mass storage, SCSI transparent command set, Bulk-Only
        Transport (08/06/50), and endpoint 0 answers BOT's class requests (control.py)."""
        self.interface_class, self.interface_subclass, self.interface_protocol = 0x08, 0x06, 0x50

    @property
    def is_mass_storage(self):
        return (self.interface_class, self.interface_subclass, self.interface_protocol) == (0x08, 0x06, 0x50)

    def break_descriptors(self, fault):
        """Makes the descriptors wrong in one way, to test that a gateway ignores such a device:
        `no-bulk` (interrupt endpoints), `wrong-class` (a mass-storage interface where the vendor
        one belongs, or the vendor one where mass storage belongs), `zero-packet` (wMaxPacketSize 0)."""
        if fault == "no-bulk":
            self.endpoint_type = 0x03
        elif fault == "wrong-class":
            self.interface_class = 0xFF if self.is_mass_storage else 0x08
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
        interface = struct.pack("<BBBBBBBBB", 9, 4, 0, 0, len(self.bulk_endpoints), self.interface_class,
                                self.interface_subclass, self.interface_protocol, 0)
        endpoints = b""
        for address in self.bulk_endpoints:
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
