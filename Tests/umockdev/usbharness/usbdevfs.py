"""The kernel's usbdevfs interface as numbers: ioctl requests (x86_64 / any LP64 Linux, computed
like <asm-generic/ioctl.h>), the capabilities answered, the URB struct's layout, speeds.
"""


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
