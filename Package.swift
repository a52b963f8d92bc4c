// swift-tools-version:6.0
// recorder-gateway: a docking gateway for law-enforcement body-worn recorders.
//
// No package dependencies, by design: Foundation plus Debian system libraries, each wrapped
// as a system-library target and imported by exactly one Swift module (see Docs/architecture.md).
import PackageDescription

let package = Package(
    name: "RecorderGateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "recorder-sim", targets: ["recorder-sim"]),
        .executable(name: "recorder-gatewayd", targets: ["recorder-gatewayd"]),
        .executable(name: "recorderctl", targets: ["recorderctl"]),
        // The parsers of untrusted input, as automatic libraries only so that the fuzz package
        // (Tools/fuzz-targets, a path dependent) can import them; no other package uses them.
        .library(name: "RecorderProtocol", targets: ["RecorderProtocol"]),
        .library(name: "Telemetry", targets: ["Telemetry"]),
        .library(name: "Timeline", targets: ["Timeline"]),
        .library(name: "RecorderSimulator", targets: ["RecorderSimulator"]),
        .library(name: "Settings", targets: ["Settings"]),
        .library(name: "MassStorageProtocol", targets: ["MassStorageProtocol"]),
        .library(name: "Volumes", targets: ["Volumes"]),
        .library(name: "VendorUnlockProtocol", targets: ["VendorUnlockProtocol"]),
    ],
    targets: [
        // MARK: System libraries (one importer each)
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0",
                       providers: [.apt(["libusb-1.0-0-dev"])]),
        .systemLibrary(name: "CLibUDev", pkgConfig: "libudev",
                       providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),

        // MARK: Pure core
        /// Proleptic Gregorian dates to and from day counts, in integers. The one copy.
        .target(name: "Calendrical"),
        /// JSONEncoder's sorted, pretty layout spliced from parts encoded one at a time, so a
        /// large record or report is never one encoder tree. Pure.
        .target(name: "JSONLayout"),
        /// The recorder wire protocol: frames, messages, CRC-32C. No I/O.
        .target(name: "RecorderProtocol"),
        /// USB mass storage's Bulk-Only Transport wrappers and the SCSI commands the gateway may
        /// send (the write blocker's allow-list), with the replies' layouts. No I/O.
        .target(name: "MassStorageProtocol"),
        /// The officer's screen (its page, tiles and words) and the gateway's metrics in
        /// Prometheus's text format, from plain values. Pure.
        .target(name: "KioskScreen"),
        /// The Ambarella-based recorders' vendor unlocks: amba-ctrl's control-transfer packets and
        /// result, amba-ascii's commands and replies, the passwords each can carry and the device
        /// ids accepted. Every reply is hostile; no password is ever printed. No I/O.
        .target(name: "VendorUnlockProtocol", dependencies: ["Calendrical"]),
        /// Read-only volumes on a block medium: MBR, GPT or none; FAT12/16/32 and exFAT, every
        /// on-disk value treated as hostile. Reads blocks through `BlockSource`; no I/O.
        .target(name: "Volumes"),

        // MARK: Adapters
        /// SHA-256, HMAC-SHA256 and randomness from OpenSSL's libcrypto (the only importer of CCrypto).
        .target(name: "GatewayCrypto", dependencies: ["CCrypto"]),
        /// The hardware-abstraction layer: what every recorder family promises (the Recorder,
        /// RecordingStream and link interfaces, neutral value types), the driver registry and the
        /// device database. Knows no family.
        .target(name: "RecorderHAL",
                resources: [.copy("recorders.json")]),
        /// Protocol v1 ("zfy-bulk-v1", the reference family): its client, reader and driver, and
        /// the mapping between its wire types and the HAL's.
        .target(name: "ProtocolV1Family", dependencies: ["RecorderHAL", "RecorderProtocol", "GatewayCrypto"],
                path: "Sources/Families/ProtocolV1"),
        /// USB mass storage, read-only: Bulk-Only Transport over the HAL's `USBTransferLink` and
        /// the SCSI disk it carries (open sequence, block reads), a `Volumes.BlockSource`.
        .target(name: "MassStorageFamily", dependencies: ["RecorderHAL", "MassStorageProtocol", "Volumes", "Calendrical", "GatewayCrypto"],
                path: "Sources/Families/MassStorage"),
        /// amba-ctrl: the vendor unlock by control transfers on the default pipe (login, disk
        /// mode) over the HAL's `USBTransferLink`; the disk that follows is mass storage's.
        .target(name: "AmbaControlFamily", dependencies: ["RecorderHAL", "VendorUnlockProtocol"],
                path: "Sources/Families/AmbaControl"),
        /// amba-ascii: the vendor unlock by ASCII commands on bulk endpoints 0x01/0x81 (version,
        /// device id, date and time, storage mode) over the HAL's `USBTransferLink`.
        .target(name: "AmbaASCIIFamily", dependencies: ["RecorderHAL", "VendorUnlockProtocol", "Calendrical"],
                path: "Sources/Families/AmbaASCII"),
        /// The registry of built-in drivers (`DriverRegistry.builtIn`): the one module that sees
        /// every family, for the binaries' composition.
        .target(name: "RecorderFamilies", dependencies: ["RecorderHAL", "ProtocolV1Family", "MassStorageFamily",
                                                         "AmbaControlFamily", "AmbaASCIIFamily"],
                path: "Sources/Families/BuiltIn"),
        /// Evidence formats: BagIt tag files, path sanitising, custody record, hash-chained audit
        /// log. Pure, no I/O. The custody record names its recorder with the HAL's identity.
        .target(name: "Evidence", dependencies: ["RecorderHAL", "GatewayCrypto", "Calendrical", "JSONLayout"]),
        /// The durable journal (sessions, per-file offsets, the ledger) in SQLite: the only
        /// importer of CSQLite.
        .target(name: "Journal", dependencies: ["CSQLite", "GatewayCrypto"]),
        /// The kiosk's read-only status server (the officer's screen, the metrics) on
        /// libmicrohttpd: the only importer of CMicroHTTPD.
        .target(name: "StatusServer", dependencies: ["CMicroHTTPD"]),
        /// NMEA 0183 parsing into GPS fixes, and GPX, GeoJSON and JSON-lines tracks. Pure.
        .target(name: "Telemetry", dependencies: ["Calendrical"]),
        /// Recorder time logs, corrected timelines, the per-session integrity report and its
        /// timeline picture. Pure.
        .target(name: "Timeline", dependencies: ["Calendrical", "JSONLayout"]),
        /// The production RecorderLink: bulk transfers through libusb (the only importer of CLibUSB).
        .target(name: "USBLink", dependencies: ["CLibUSB", "RecorderHAL"]),
        /// Recorders docked and undocked, from udev (the only importer of CLibUDev).
        .target(name: "Discovery", dependencies: ["CLibUDev"]),
        /// An HTTP/1.1 client over libcurl's multi interface on one event-loop thread, bodies
        /// streamed from a source (the only importer of CCurl).
        .target(name: "CurlHTTP", dependencies: ["CCurl"]),
        /// An S3-compatible evidence store: SigV4 signing on libcrypto, HTTP through CurlHTTP.
        .target(name: "S3Store", dependencies: ["GatewayCrypto", "CurlHTTP"]),
        /// The gateway's settings: the configuration file's text, the command-line argument
        /// parser of all three programs, and the one resolver of both (command line over file
        /// over defaults). Pure but for a thin file-reading adapter.
        .target(name: "Settings"),
        /// The control socket: JSON lines between the service and recorderctl, and what both
        /// sides show of a bay: its diagnostics (in the HAL's terms), the technician's checks on them,
        /// the ETA. Pure but for the socket.
        .target(name: "Control", dependencies: ["RecorderHAL"]),
        /// The local evidence store: its layout defined once (bags, staging, audit log, keys,
        /// lock), writing and sealing bags durably, the audit log file, bag verification and the
        /// session reports.
        .target(name: "EvidenceStore", dependencies: ["GatewayCrypto", "Evidence", "Telemetry", "Timeline"]),
        /// The forward queue: sealed bags copied to the S3 store, in order and verified, and the
        /// schedule that picks what to send next.
        .target(name: "Forwarding", dependencies: ["Evidence", "EvidenceStore", "GatewayCrypto", "Journal", "S3Store", "Settings"]),
        /// Dock sessions, step by step: plan (identity, authentication, clock, catalog, ledger),
        /// pull, seal, release; and the gateway that runs them. The gateway's core.
        .target(name: "Dock", dependencies: ["RecorderHAL", "Control", "GatewayCrypto", "Evidence", "EvidenceStore", "Forwarding", "Journal",
                                              "KioskScreen", "Telemetry", "Timeline", "S3Store", "Settings"]),
        /// The device side of the protocol over an in-memory link with a USB timing model, and
        /// the mass-storage personality: an image-backed SCSI unit behind Bulk-Only Transport.
        .target(name: "RecorderSimulator",
                dependencies: ["RecorderProtocol", "RecorderHAL", "ProtocolV1Family", "GatewayCrypto", "Calendrical",
                               "MassStorageProtocol"]),

        // MARK: Executables (thin)
        .executableTarget(name: "recorder-sim",
                          dependencies: ["RecorderSimulator", "RecorderHAL", "RecorderProtocol", "GatewayCrypto", "Settings"]),

        .executableTarget(name: "recorder-gatewayd",
                          dependencies: ["Dock", "EvidenceStore", "RecorderSimulator", "RecorderHAL", "RecorderFamilies", "ProtocolV1Family",
                                         "Evidence", "Journal", "GatewayCrypto",
                                         "USBLink", "Discovery", "Control", "Settings", "StatusServer", "KioskScreen"]),

        .executableTarget(name: "recorderctl",
                          dependencies: ["EvidenceStore", "Forwarding", "Evidence", "GatewayCrypto", "Telemetry", "Timeline", "Control",
                                         "RecorderHAL", "RecorderFamilies", "USBLink", "Settings"]),

        // MARK: Tests
        /// What the test targets share: the seeded generator, temporary directories, running a
        /// program, the package root. Test targets only.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RecorderProtocolTests", dependencies: ["TestSupport", "RecorderProtocol"]),
        .testTarget(name: "MassStorageProtocolTests", dependencies: ["MassStorageProtocol"]),
        .testTarget(name: "MassStorageFamilyTests", dependencies: ["TestSupport", "MassStorageFamily", "MassStorageProtocol", "RecorderHAL", "Volumes",
                                                                 "RecorderSimulator"]),
        .testTarget(name: "MassStorageUSBTests", dependencies: ["TestSupport", "MassStorageFamily", "RecorderHAL", "USBLink"]),
        .testTarget(name: "VolumesTests", dependencies: ["TestSupport", "Volumes"]),
        /// The exFAT reader against images made by mkfs.exfat + exfat-fuse and read by The Sleuth
        /// Kit; GatewayCrypto only to hash the files both read.
        .testTarget(name: "ExFATTests", dependencies: ["TestSupport", "Volumes", "GatewayCrypto"]),
        .testTarget(name: "GatewayCryptoTests", dependencies: ["TestSupport", "GatewayCrypto"]),
        .testTarget(name: "RecorderHALTests", dependencies: ["RecorderHAL", "RecorderFamilies"]),
        .testTarget(name: "EvidenceTests", dependencies: ["TestSupport", "Evidence", "RecorderHAL", "GatewayCrypto"]),
        .testTarget(name: "JournalTests", dependencies: ["TestSupport", "Journal"]),
        .testTarget(name: "TelemetryTests", dependencies: ["TestSupport", "Telemetry"]),
        .testTarget(name: "S3StoreTests", dependencies: ["TestSupport", "S3Store", "CurlHTTP", "GatewayCrypto"]),
        .testTarget(name: "TimelineTests", dependencies: ["TestSupport", "Timeline"]),
        .testTarget(name: "DockTests",
                    dependencies: ["TestSupport", "Dock", "EvidenceStore", "Forwarding", "S3Store", "RecorderSimulator", "RecorderHAL", "ProtocolV1Family", "RecorderProtocol",
                                   "MassStorageFamily", "MassStorageProtocol", "AmbaASCIIFamily", "AmbaControlFamily",
                                   "Evidence", "Journal", "GatewayCrypto", "Settings", "Control"]),
        .testTarget(name: "EvidenceStoreTests", dependencies: ["EvidenceStore", "Evidence", "GatewayCrypto", "RecorderHAL", "TestSupport"]),
        .testTarget(name: "ForwardingTests", dependencies: ["Forwarding", "EvidenceStore", "Evidence", "GatewayCrypto", "Journal", "S3Store", "TestSupport"]),
        .testTarget(name: "SettingsTests", dependencies: ["Settings"]),
        .testTarget(name: "KioskScreenTests", dependencies: ["KioskScreen"]),
        .testTarget(name: "StatusServerTests", dependencies: ["StatusServer", "TestSupport"]),
        .testTarget(name: "ControlTests", dependencies: ["Control", "RecorderHAL"]),
        .testTarget(name: "RecorderSimulatorTests",
                    dependencies: ["RecorderSimulator", "RecorderHAL", "ProtocolV1Family", "RecorderProtocol", "GatewayCrypto"]),
        .testTarget(name: "VendorUnlockProtocolTests", dependencies: ["VendorUnlockProtocol"]),
        /// Both vendor families' drivers against the simulator's vendor personalities.
        .testTarget(name: "VendorFamilyTests",
                    dependencies: ["TestSupport", "AmbaControlFamily", "AmbaASCIIFamily", "RecorderSimulator", "RecorderHAL",
                                   "VendorUnlockProtocol"]),
        .testTarget(name: "MassStorageSimulatorTests",
                    dependencies: ["TestSupport", "RecorderSimulator", "RecorderHAL", "MassStorageProtocol", "GatewayCrypto"]),
    ],
    swiftLanguageModes: [.v6]
)
