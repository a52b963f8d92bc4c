"""A device that re-enumerates: the device process said it leaves the bus and comes back as
mass storage; it leaves once the host has what it sent before, and the kiosk then unplugs it
and docks its return (Kiosk._reenumerate): part of `UsbDevice`.
"""

import time

from .messages import log

# A device that says it re-enumerates leaves once the host has taken what it sent before (IN
# data read, control answers reaped), or after this long if the host never does.
LEAVE_GRACE = 5.0


class Reenumeration:
    """The leave of `UsbDevice` (a mix-in: it uses the device's state)."""

    def _device_reenumerates(self, vendor_id, product_id):
        """The device process said it leaves the bus and comes back as mass storage with these
        ids (device process reader thread). It leaves once the host has what it sent before."""
        with self.lock:
            if self.gone or self.leaving is not None:
                return
            self.leaving = (vendor_id, product_id)
            log("%s: the device leaves the bus to come back as mass storage %04x:%04x (once the host has "
                "read its last answer)" % (self.name, vendor_id, product_id))
            self._maybe_leave()
            if not self.leave_scheduled:
                self.kiosk.timers.call_at(time.monotonic() + LEAVE_GRACE, lambda: self._leave_now(True))

    def _maybe_leave(self):
        """Schedules the leave if the device is leaving and the host has taken everything it
        sent (lock held; the leave itself runs on the timers thread, which may take the
        kiosk's lock: never from inside an ioctl handler)."""
        if self.leaving is None or self.leave_scheduled or self.gone:
            return
        if self.in_queue or self.answered_ctrl:
            return
        self.leave_scheduled = True
        self.kiosk.timers.call_at(time.monotonic(), lambda: self._leave_now(False))

    def _leave_now(self, grace_over):
        with self.lock:
            if self.gone:
                return
            if grace_over:
                if self.leave_scheduled:
                    return
                self.leave_scheduled = True
                unread = sum(len(d) - o for d, o in self.in_queue)
                log("%s: the host did not take the device's last answer within %.0f s (%d IN bytes unread, %d "
                    "control answers unreaped): the device leaves anyway" % (
                        self.name, LEAVE_GRACE, unread, len(self.answered_ctrl)))
            vendor_id, product_id = self.leaving
        self.kiosk._reenumerate(self, vendor_id, product_id)
