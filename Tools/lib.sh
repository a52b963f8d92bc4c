# Shared by the Tools/ scripts: find Swift and install the Debian packages a step needs.
# Source it; it changes nothing until a function is called.

# Swift lives in /opt/swift on the kiosk build machines; put it on PATH when it is not already.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi

# The system libraries the package links (Package.swift names the same apt providers).
BUILD_PACKAGES="pkg-config libusb-1.0-0-dev libudev-dev libssl-dev libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev"

# ensure_packages PKG...: installs with apt-get whatever of PKG is not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing Debian packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

# ensure_swift: fails with a clear message when no Swift toolchain can be found.
ensure_swift() {
  command -v swift >/dev/null 2>&1 && return 0
  echo "error: no Swift toolchain found (looked on PATH and in /opt/swift/usr/bin); install Swift 6 first" >&2
  exit 1
}

# ensure_python_modules MODULE=PYPI_PACKAGE...: installs from PyPI with pip whatever module
# cannot be imported yet.
ensure_python_modules() {
  local missing=()
  for pair in "$@"; do
    python3 -c "import ${pair%%=*}" 2>/dev/null || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing from PyPI: ${missing[*]}" >&2
  python3 -m pip install --quiet "${missing[@]}" >&2 \
    || python3 -m pip install --quiet --break-system-packages "${missing[@]}" >&2
}
