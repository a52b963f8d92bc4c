import AmbaControlFamily
import Dock
import Foundation
import MassStorageFamily
import RecorderHAL
import RecorderSimulator
import Testing
import TestSupport

/// Found in review: what a dance remembers of a recorder's volumes, and where the custody
/// record says the serial of a recorder without a USB serial came from.
@Suite struct VendorDockMemoryTests {
    /// Docks `device` (amba-ctrl: no device id) on 1-1.2, its vendor interface and the disk it
    /// comes back as seen through `vendorLink` and `diskLink`, read with `driver`.
    static func dock(_ kiosk: TestKiosk, _ device: SimulatedVendorRecorder,
                     vendorLink: @escaping @Sendable (any USBTransferLink) -> any USBTransferLink = { $0 },
                     diskLink: @escaping @Sendable (any USBTransferLink) -> any USBTransferLink = { $0 },
                     driver: any RecorderDriver = MassStorageDriver()) async throws -> DockOutcome {
        let (bus, arrivals) = AsyncStream<VendorAppearance.BusEvent>.makeStream()
        Task {
            for await event in device.events {
                if case .leftBus = event { arrivals.yield(.departed) }
                if case .reappeared(let disk, let vid, let pid, let other) = event {
                    arrivals.yield(.arrived(MassStorageArrival(port: other ?? "1-1.2", link: diskLink(disk.hostEnd), vendorId: vid, productId: pid)))
                }
            }
        }
        #expect(await kiosk.gateway.dockVendor(VendorAppearance(port: "1-1.2", link: vendorLink(device.hostEnd), family: AmbaControlDriver(),
                                                                bus: bus)) { _ in driver })
        return try #require(await kiosk.gateway.waitUntilIdle().last)
    }

    /// A read that could not describe the medium (no `SourceProvenance`: `mediumRead(nil)`)
    /// leaves the recorder's remembered volumes as they were.
    @Test func aReadThatFoundNoVolumeForgetsNothing() async throws {
        try await withTemporaryDirectory("vendor-memory") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings())
            _ = try await Self.dock(kiosk, try VendorDockTests.recorder("amba-ctrl", image: image.url))
            #expect(try kiosk.gateway.journal.recorderVolumes(recorder: "A1B2C3D") == ["none-0@0:1234ABCD"])
            let out = try await Self.dock(kiosk, try VendorDockTests.recorder("amba-ctrl", image: image.url),
                                          driver: NoProvenanceDriver())
            #expect(out.dance?.code == "returned" && out.result == .completed, "\(out.result) \(String(describing: out.dance))")
            #expect(try kiosk.gateway.journal.recorderVolumes(recorder: "A1B2C3D") == ["none-0@0:1234ABCD"])
        }
    }

    /// No USB serial on the vendor interface and no device id (amba-ctrl): the serial is the
    /// disk's own, and the custody record says which of the disk's.
    @Test(arguments: [true, false])
    func theSerialsSourceIsTheDisksWhenTheVendorInterfaceHasNone(diskHasSerial: Bool) async throws {
        try await withTemporaryDirectory("vendor-serial-source") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings())
            let out = try await Self.dock(kiosk, try VendorDockTests.recorder("amba-ctrl", image: image.url),
                                          vendorLink: { SerialHidden($0) }, diskLink: { diskHasSerial ? $0 : SerialHidden($0) })
            #expect(out.result == .completed)
            let bag = try #require(out.bagPath)
            let custody = try VendorDockTests.custody(bag)
            let recorder = try #require(custody["recorder"] as? [String: Any])
            let sources = try #require((custody["unlock"] as? [String: Any])?["identitySources"] as? [String: String])
            if diskHasSerial {
                #expect(recorder["serial"] as? String == "A1B2C3D" && sources["serial"] == "disk-usb-serial")
            } else {
                // The image's volume serial (Tests/volumes/make-image.sh: 1234ABCD).
                #expect(recorder["serial"] as? String == "1234ABCD" && sources["serial"] == "volume-serial")
            }
        }
    }
}

/// A link whose device gave no USB serial number string; everything else passes through.
struct SerialHidden: USBTransferLink {
    let inner: any USBTransferLink
    init(_ inner: any USBTransferLink) { self.inner = inner }
    var description: String { inner.description }
    var interfaceNumber: UInt8 { inner.interfaceNumber }
    var serialNumber: String? { nil }
    func bulkOut(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) { try await inner.bulkOut(bytes, timeout: timeout) }
    func bulkIn(length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] { try await inner.bulkIn(length: length, timeout: timeout) }
    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, data: [UInt8], length: Int,
                 timeout: Duration) async throws(LinkError) -> [UInt8] {
        try await inner.control(requestType: requestType, request: request, value: value, index: index, data: data, length: length, timeout: timeout)
    }
    func clearHalt(_ direction: LinkError.Direction, timeout: Duration) async throws(LinkError) { try await inner.clearHalt(direction, timeout: timeout) }
    func close() async { await inner.close() }
}

/// The mass-storage driver, its recorders unable to describe their medium (not
/// `SourceProvenance`): what a family without that knowledge gives the dock.
struct NoProvenanceDriver: RecorderDriver {
    let inner = MassStorageDriver()
    var name: String { inner.name }
    var linkShape: DeviceLink.Shape { inner.linkShape }
    func open(_ link: DeviceLink, options: DriverOptions) async throws(RecorderError) -> any Recorder {
        Opaque(inner: try await inner.open(link, options: options))
    }

    struct Opaque: Recorder {
        let inner: any Recorder
        var info: RecorderInfo { inner.info }
        func identity() async throws(RecorderError) -> RecorderIdentity { try await inner.identity() }
        func authenticate(password: String) async throws(RecorderError) { try await inner.authenticate(password: password) }
        func readClock() async throws(RecorderError) -> ClockSample { try await inner.readClock() }
        func setClock(_ time: DeviceTime) async throws(RecorderError) { try await inner.setClock(time) }
        func status() async throws(RecorderError) -> RecorderStatus { try await inner.status() }
        func catalog() async throws(RecorderError) -> [CatalogEntry] { try await inner.catalog() }
        func read(_ id: UInt32, range: Range<UInt64>) -> any RecordingStream { inner.read(id, range: range) }
        func release(_ id: UInt32, sha256: [UInt8]) async throws(RecorderError) { try await inner.release(id, sha256: sha256) }
        func statistics() async -> ExchangeStatistics { await inner.statistics() }
        func close() async { await inner.close() }
    }
}
