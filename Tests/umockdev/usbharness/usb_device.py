"""One emulated USB device: its umockdev ioctl handler, its device process, connect and
disconnect. What it answers is in dispatch (the ioctls), control, vendor_requests, bulk and
reaping; its leave when it re-enumerates in reenumeration.
"""

import collections
import errno
import os
import subprocess
import threading

from .bulk import BulkEndpoints
from .control import ControlEndpoint
from .device_process import DeviceProcess
from .dispatch import IoctlDispatch
from .messages import debug, log
from .reaping import UrbReaping
from .reenumeration import Reenumeration
from .urbs import _CompleteOnce, ClientState
from .usbdevfs import ioctl_name, PRELOAD_FD_MAP_SIZE, PRELOAD_FD_MAP_WARN
from .vendor_requests import VendorRequests


class UsbDevice(IoctlDispatch, ControlEndpoint, VendorRequests, BulkEndpoints, UrbReaping, Reenumeration):
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
        # Vendor requests forwarded to the device process (control.py), by tag.
        self.pending_ctrl = {}
        self.ctrl_seq = 0
        self.answered_ctrl = set()      # forwarded control URBs answered, not reaped yet
        # Re-enumeration: (vendorId, productId) the device comes back as, once it has left.
        self.leaving = None
        self.leave_scheduled = False

        self.handler = kiosk.UMockdev.IoctlBase()
        self.handler.connect("handle-ioctl", self._handle_ioctl)
        self.handler.connect("client-connected", self._client_connected)
        self.process = None
        self._argv = argv

    # -- lifecycle -------------------------------------------------------------------------

    def start_process(self):
        self.process = DeviceProcess(self._argv, self.name, self._device_message, self._device_gone,
                                     on_control=self._control_answer, on_reenumerate=self._device_reenumerates)

    def _device_message(self, data):
        with self.lock:
            if self.removed:
                return
            self.in_queue.append([data, 0])
            self.stats["in-messages"] += 1
            self._service_held()
        self.kiosk._wake_others(self)

    def _device_gone(self, reason, proc):
        try:
            status = proc.wait(timeout=1.0)
            reason += " (exit status %s%s)" % (status, "" if status == 0 else ": FAILED")
        except subprocess.TimeoutExpired:
            pass
        with self.lock:
            already = self.gone
            leaving = self.leaving is not None
        if not already and leaving:
            # it said it re-enumerates: it leaves (and comes back) once the host has its last
            # answer, as if the process were still there
            log("%s: %s after its re-enumeration message: the leave goes on" % (self.name, reason))
        elif not already:
            log("%s: %s: unplugging" % (self.name, reason))
            self.kiosk._unplugged_by_device(self)

    def disconnect(self):
        """The device leaves the bus: pending URBs end with -ENODEV, further ioctls get ENODEV."""
        with self.lock:
            if self.gone:
                return
            self.gone = True
            self._fail_pending_control(errno.ENODEV, "when the device left")
            self._service_held()

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
            # answers it will never reap must not hold up a leave
            self.answered_ctrl = {u for u in self.answered_ctrl if u.client is not client}
            self._maybe_leave()
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
