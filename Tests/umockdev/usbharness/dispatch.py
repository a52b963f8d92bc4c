"""Each usbdevfs ioctl a program makes on an emulated device, answered: part of `UsbDevice`.
"""

import errno
import struct

from .messages import log
from .usbdevfs import (
    USB_SPEED_HIGH, USB_SPEED_SUPER, USBDEVFS_ALLOC_STREAMS, USBDEVFS_ALLOW_SUSPEND, USBDEVFS_BULK,
    USBDEVFS_CLAIM_PORT, USBDEVFS_CLAIMINTERFACE, USBDEVFS_CLEAR_HALT, USBDEVFS_CONNECT,
    USBDEVFS_CONNECTINFO, USBDEVFS_CONNINFO_EX_NR, USBDEVFS_CONTROL, USBDEVFS_DISCARDURB,
    USBDEVFS_DISCONNECT, USBDEVFS_DISCONNECT_CLAIM, USBDEVFS_DISCSIGNAL, USBDEVFS_DROP_PRIVILEGES,
    USBDEVFS_FORBID_SUSPEND, USBDEVFS_FREE_STREAMS, USBDEVFS_GET_CAPABILITIES, USBDEVFS_GET_SPEED,
    USBDEVFS_GETDRIVER, USBDEVFS_HUB_PORTINFO, USBDEVFS_IOCTL, USBDEVFS_REAPURB,
    USBDEVFS_REAPURBNDELAY, USBDEVFS_RELEASE_PORT, USBDEVFS_RELEASEINTERFACE, USBDEVFS_RESET,
    USBDEVFS_RESETEP, USBDEVFS_SETCONFIGURATION, USBDEVFS_SETINTERFACE, USBDEVFS_SUBMITURB,
    USBDEVFS_WAIT_FOR_RESUME,
)


class IoctlDispatch:
    """The ioctl switch of `UsbDevice` (a mix-in: it uses the device's state)."""

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
