"""The state of one device's programs: URBs in flight, the open file descriptors (`ClientState`),
and reaps held for a deadline (`Held`).
"""

import collections
import struct


class Urb:
    __slots__ = ("client", "data", "addr", "type", "endpoint", "flags", "length", "status",
                 "actual", "seq", "buf", "reply")

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
        self.buf = None             # a control URB's buffer (setup + data), resolved at SUBMITURB
        self.reply = None           # a forwarded control IN's answer, written into buf at reap time


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
        self.kind = kind            # "reap" | "reap-ndelay" | "bulk-in" | "control"
        self.state = state
        self.arg = arg
        self.deadline = deadline
        self.done = False
        self.extra = extra
