// swift-tools-version:6.0
// recorder-gateway: a docking gateway for law-enforcement body-worn recorders.
//
// No package dependencies, by design: Foundation plus four system libraries, each wrapped
// as a system-library target and imported by exactly one Swift module (see Docs/architecture.md).
import PackageDescription

let package = Package(
    name: "RecorderGateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "recorder-sim", targets: ["recorder-sim"]),
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

        // MARK: Pure core
        /// The recorder wire protocol: frames, messages, CRC-32C. No I/O.
        .target(name: "RecorderProtocol"),

        // MARK: Adapters
        /// SHA-256, HMAC-SHA256 and randomness from OpenSSL's libcrypto (the only importer of CCrypto).
        .target(name: "GatewayCrypto", dependencies: ["CCrypto"]),
        /// The hardware-abstraction layer: the Recorder and link interfaces, drivers, device database.
        .target(name: "RecorderHAL",
                dependencies: ["RecorderProtocol", "GatewayCrypto"],
                resources: [.copy("recorders.json")]),
        /// The device side of the protocol over an in-memory link with a USB timing model.
        .target(name: "RecorderSimulator",
                dependencies: ["RecorderProtocol", "RecorderHAL", "GatewayCrypto"]),

        // MARK: Executables (thin)
        .executableTarget(name: "recorder-sim",
                          dependencies: ["RecorderSimulator", "RecorderHAL", "GatewayCrypto"]),

        // MARK: Tests
        .testTarget(name: "RecorderProtocolTests", dependencies: ["RecorderProtocol"]),
        .testTarget(name: "GatewayCryptoTests", dependencies: ["GatewayCrypto"]),
        .testTarget(name: "RecorderHALTests", dependencies: ["RecorderHAL", "RecorderProtocol"]),
        .testTarget(name: "RecorderSimulatorTests",
                    dependencies: ["RecorderSimulator", "RecorderHAL", "RecorderProtocol", "GatewayCrypto"]),
    ],
    swiftLanguageModes: [.v6]
)
