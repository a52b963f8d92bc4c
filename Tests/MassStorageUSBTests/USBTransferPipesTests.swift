import Foundation
import Testing
import TestSupport
import RecorderHAL
import MassStorageFamily
import USBLink

/// `USBTransferPipes` through real libusb: the umockdev harness (Tests/umockdev) makes
/// `bot_device.py` a USB device, and this test bundle, run again under the harness, opens it with
/// `openTransferLink` and reads it with `SCSIDisk`. The outer test runs the harness; the inner
/// one, enabled only in that run, talks to the device.
@Suite struct USBTransferPipesTests {
    static let isInner = ProcessInfo.processInfo.environment["RECORDER_BOT_UMOCKDEV"] == "1"
    static let harnessInstalled = !isInner && FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-wrapper")

    @Test(.enabled(if: harnessInstalled, "needs umockdev (Tools/test installs it)"))
    func libusbLinkUnderUmockdev() throws {
        let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let dir = packageRoot.appendingPathComponent("Tests/umockdev")
        var environment = ProcessInfo.processInfo.environment
        environment["RECORDER_BOT_UMOCKDEV"] = "1"
        let result = try run("/usr/bin/python3", [
            dir.appendingPathComponent("harness.py").path,
            "--sim", dir.appendingPathComponent("bot_device.py").path,
            "--scenario", dir.appendingPathComponent("bot-scenario.json").path,
            // The 10th bulk OUT transfer (the 10th command wrapper, see below) meets a STALL.
            "--stall-out", "BOT0001:10",
            "--timeout", "300", "--",
            bundle, "--testing-library", "swift-testing", "--filter", "USBTransferPipesTests/throughLibusb",
        ], environment: environment, mergingErrors: true)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Test throughLibusb() passed"), "\(result.output)")
    }

    /// Byte `offset` of bot_device.py's medium.
    static func byte(at offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: offset &* 7 &+ (offset >> 9)) }

    @Test(.enabled(if: isInner, "runs only under the umockdev harness"))
    func throughLibusb() async throws {
        let context = try USBContext()
        defer { context.shutdown() }
        let device = try #require(try context.devices().first { $0.vendorId == 0x1209 })
        let link = try await context.openTransferLink(bus: device.bus, address: device.address,
                                                      interfaceClass: 0xFF, subclass: 0, protocol: 0)
        #expect(link.description == "usb \(device.portPath) if 0 ep 0x1/0x81")
        #expect(link.interfaceNumber == 0)

        // A standard IN request on the control pipe: GET_STATUS (device), two bytes.
        let status = try await link.control(requestType: 0x80, request: 0, value: 0, index: 0, data: [], length: 2, timeout: .seconds(2))
        #expect(status == [0, 0])

        // The open sequence: GET MAX LUN is refused with a STALL on endpoint 0 (LUN 0 only).
        let transport = BulkOnlyTransport(link: link)
        let disk = try await SCSIDisk.open(transport)
        #expect(disk.identity == DiskIdentity(vendor: "UMOCKDEV", product: "BOT test disk", revision: "0.01", peripheralType: 0,
                                              removable: true, lun: 0, maxLUN: 0, blockLength: 512, blockCount: 131_072,
                                              writeProtected: true, capacityFrom16: false))

        // 3 MiB and a bit in 1 MiB commands: each data phase fills its transfer exactly, so the
        // zero-length packet after it meets the status read.
        let start = 12_345, length = 3 << 20 + 777
        let data = try await disk.read(byteOffset: UInt64(start), length: length)
        #expect(data.count == length)
        #expect(data.indices.allSatisfy { data[$0] == Self.byte(at: start + $0) })
        #expect(await transport.resetRecoveries == 0)

        // Halts cleared on endpoints that are not halted: a no-op the device accepts.
        try await link.clearHalt(.bulkIn, timeout: .seconds(2))
        try await link.clearHalt(.bulkOut, timeout: .seconds(2))

        // Nothing to read: the IN transfer times out after the time given, as a timeout.
        await #expect(throws: LinkError.timedOut(direction: .bulkIn, milliseconds: 200)) {
            try await link.bulkIn(length: 13, timeout: .milliseconds(200))
        }
        // The link still works afterwards (the 9th command: 4 to open, 4 for the extent, this).
        #expect(try await disk.read(block: 5, count: 1) == (2560..<3072).map { Self.byte(at: $0) })

        // The 10th command wrapper meets a STALL on bulk OUT: reset recovery, whose class
        // request the harness refuses with a STALL, so the transport gives up for good.
        let error = try await #require(throws: MassStorageError.self) { try await disk.read(block: 6, count: 1) }
        #expect(error.reason == .link(.stalled(endpoint: 0x01)))
        #expect(error.recovery == .resetFailed(.stalled(endpoint: 0)))
        #expect(error.recorderError.isLinkLost)

        await link.close()
        await #expect(throws: LinkError.closed) { try await link.bulkIn(length: 13, timeout: .seconds(1)) }
    }
}
