// swift-tools-version:6.0
// libFuzzer targets for the parsers that read untrusted input (Docs/reliability.md, "Fuzzing").
//
// A separate package so that the product never links libFuzzer: nothing depends on it, and the
// main package's build and tests do not see it. Build it only through Tools/fuzz, which passes
//   swift build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
// (`--sanitize=fuzzer` makes SwiftPM leave the entry point to libFuzzer's main; the -Xswiftc
// spelling is what actually instruments Swift code for AddressSanitizer as well.)
import PackageDescription

/// One executable per parser; each is a single file defining LLVMFuzzerTestOneInput.
let targets: [(name: String, dependencies: [String])] = [
    ("fuzz-frame-decoder", ["RecorderProtocol"]),
    ("fuzz-messages", ["RecorderProtocol"]),
    ("fuzz-catalog-page", ["RecorderProtocol"]),
    ("fuzz-nmea", ["Telemetry"]),
    ("fuzz-time-log", ["Timeline"]),
    ("fuzz-scenario", ["RecorderSimulator"]),
    ("fuzz-gateway-config", ["Settings"]),
    ("fuzz-scsi-replies", ["MassStorageProtocol"]),
    ("fuzz-volumes", ["Volumes"]),
    ("fuzz-vendor-replies", ["VendorUnlockProtocol"]),
]

let package = Package(
    name: "RecorderGatewayFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "RecorderGateway", path: "../..")],
    targets: [
        /// Invariant checks and deterministic splitting shared by the targets.
        .target(name: "FuzzSupport"),
    ] + targets.map { t in
        .executableTarget(name: t.name,
                          dependencies: ["FuzzSupport"] + t.dependencies.map { .product(name: $0, package: "RecorderGateway") })
    },
    swiftLanguageModes: [.v6]
)
