import AmbaASCIIFamily
import AmbaControlFamily
import Control
import Dock
import Foundation
import Journal
import MassStorageFamily
import RecorderHAL
import RecorderSimulator
import Settings
import Testing
import TestSupport

/// The dance run by the gateway (`Gateway.dockVendor`, `VendorDock`) against the simulator's
/// vendor personalities, whose storage is an image made by mkfs.vfat and mtools
/// (Tests/volumes/make-image.sh): what the journal, the custody record and the store keep.
@Suite struct VendorDockTests {
    /// Distinctive: finding it in a file can only mean it leaked.
    static let password = "Zq8Wv3Lm"

    static func settings(password: String? = VendorDockTests.password, wait: Duration = .seconds(30)) -> VendorDockSettings {
        VendorDockSettings(password: password.map(UnlockSecret.init), returnWait: wait)
    }

    /// A vendor recorder of `family` (device password `password`), its storage `image`.
    static func recorder(_ family: String, image: URL, password: String = VendorDockTests.password, vendor: String = "{}") throws -> SimulatedVendorRecorder {
        let scenario = try Scenario(json: Data("""
        {"schema": 1, "recorders": [{"identity": {"serial": "A1B2C3D"}, "link": "unlimited", "family": "\(family)",
          "password": "\(password)", "vendor": \(vendor), "storage": {"image": "\(image.path)"}}]}
        """.utf8))
        return try #require(SimulatedVendorRecorder(scenario.recorders[0], name: "1-1.2"))
    }

    /// Docks `device` on 1-1.2 through the gateway's dance and waits for it to end.
    static func dock(_ kiosk: TestKiosk, _ device: SimulatedVendorRecorder) async throws -> DockOutcome {
        let (bus, arrivals) = AsyncStream<VendorAppearance.BusEvent>.makeStream()
        Task {
            for await event in device.events {
                if case .leftBus = event { arrivals.yield(.departed) }
                if case .reappeared(let disk, let vid, let pid, let other) = event {
                    arrivals.yield(.arrived(MassStorageArrival(port: other ?? "1-1.2", link: disk.hostEnd, vendorId: vid, productId: pid)))
                }
            }
        }
        let family: any StorageSwitchDriver = device.family == .ambaASCII ? AmbaASCIIDriver() : AmbaControlDriver()
        #expect(await kiosk.gateway.dockVendor(VendorAppearance(port: "1-1.2", link: device.hostEnd, family: family, bus: bus)) { _ in
            MassStorageDriver()
        })
        return try #require(await kiosk.gateway.waitUntilIdle().last)
    }

    static func custody(_ bag: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json"))) as? [String: Any])
    }

    @Test func aReturnCollectsAndTheCustodyRecordTellsTheDance() async throws {
        try await withTemporaryDirectory("vendor-dock") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let kiosk = try TestKiosk(vendor: Self.settings())
            let device = try Self.recorder("amba-ascii", image: image.url, vendor: #"{"deviceId": "CAM-7"}"#)
            let out = try await Self.dock(kiosk, device)
            #expect(out.result == .completed && out.files > 0 && out.verified == out.files)
            #expect(out.dance?.code == "returned" && out.serial == "A1B2C3D")
            let bag = try #require(out.bagPath)
            let unlock = try #require(try Self.custody(bag)["unlock"] as? [String: Any])
            #expect(unlock["deviceId"] as? String == "CAM-7" && unlock["outcome"] as? String == "returned")
            #expect((unlock["identitySources"] as? [String: String])?["officerNumber"] == "none")
            #expect(try kiosk.gateway.journal.recorderVolumes(recorder: "A1B2C3D") == ["none-0@0:1234ABCD"])
            // The bay's facts for diagnose: the dance, then the disk it was read as.
            let facts = try #require(kiosk.gateway.context.progress.snapshot().first { $0.serial == "A1B2C3D" }).diagnostics
            let dance = try #require(facts.dance)
            #expect(dance.family == "amba-ascii" && dance.port == "1-1.2" && dance.outcomeCode == "returned")
            #expect(dance.unlockEnd == .switching && dance.steps.contains { $0.carriedPassword && $0.command.contains("<password>") })
            #expect(dance.returnedAfterMilliseconds != nil && dance.returnedOnPort == nil && dance.returnWaitMilliseconds == 30_000)
            #expect(facts.driver != nil && facts.pulledBytes > 0)
            #expect(!String(decoding: try JSONEncoder().encode(facts), as: UTF8.self).contains(Self.password))
        }
    }

    /// The next dock finds other volumes than last time: named (anomaly, custody, outcome) and
    /// still read.
    @Test func otherVolumesThanLastTime() async throws {
        try await withTemporaryDirectory("vendor-volumes") { dir in
            let first = try TestImage.make("fat12", in: dir.appendingPathComponent("a"))
            let second = try TestImage.make("small", in: dir.appendingPathComponent("b"))
            let kiosk = try TestKiosk(vendor: Self.settings())
            _ = try await Self.dock(kiosk, try Self.recorder("amba-ctrl", image: first.url))
            let out = try await Self.dock(kiosk, try Self.recorder("amba-ctrl", image: second.url))
            #expect(out.dance?.code == "volume-differs")
            #expect(out.result == .completed && out.files == 3 && out.verified == 3)
            #expect(out.anomalies.contains { $0.code == "volume-differs" && $0.detail.contains("none-0@0:1234ABCD") })
            let bag = try #require(out.bagPath)
            let unlock = try #require(try Self.custody(bag)["unlock"] as? [String: Any])
            #expect(unlock["previousVolumes"] as? [String] == ["none-0@0:1234ABCD"])
        }
    }

    /// A refused password is remembered: the next dock sends nothing, until it is cleared.
    @Test func aRefusedPasswordIsNotSentAgainUntilCleared() async throws {
        try await withTemporaryDirectory("vendor-refused") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: Self.settings(password: "Wrong123"))
            let first = try Self.recorder("amba-ascii", image: image.url)
            #expect(try await Self.dock(kiosk, first).dance == .passwordRefused)
            #expect(first.log.passwordAttempts == 1)
            #expect(try kiosk.gateway.journal.passwordRefusal(recorder: "A1B2C3D")?.family == "amba-ascii")
            let second = try Self.recorder("amba-ascii", image: image.url)
            let out = try await Self.dock(kiosk, second)
            #expect(out.dance?.code == "password-withheld" && out.bags.isEmpty)
            #expect(second.log.entries.isEmpty)
            #expect(try kiosk.gateway.journal.clearPasswordRefusal(recorder: "A1B2C3D") != nil)
            let third = try Self.recorder("amba-ascii", image: image.url)
            #expect(try await Self.dock(kiosk, third).dance == .passwordRefused)
            #expect(third.log.passwordAttempts == 1)
        }
    }

    @Test func neverComingBackEndsTheWaitAndSealsNothing() async throws {
        try await withTemporaryDirectory("vendor-never") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: Self.settings(wait: .milliseconds(200)))
            let out = try await Self.dock(kiosk, try Self.recorder("amba-ctrl", image: image.url, vendor: #"{"faults": [{"kind": "neverReturns"}]}"#))
            #expect(out.dance?.code == "never-came-back")
            #expect(out.result == .interrupted(out.dance!.description) && out.bags.isEmpty && out.released == 0)
            #expect(try kiosk.gateway.journal.sessions().isEmpty)
            // The next dock, the device behaving, collects everything: through a gateway on the
            // same store and state with the default wait, so that a busy machine cannot make
            // a prompt return look late.
            let patient = try TestKiosk(root: kiosk.root, vendor: Self.settings())
            let again = try await Self.dock(patient, try Self.recorder("amba-ctrl", image: image.url))
            #expect(again.result == .completed && again.verified == 3, "\(again.result)")
        }
    }

    @Test func comingBackOnAnotherPortIsNotRead() async throws {
        try await withTemporaryDirectory("vendor-elsewhere") { dir in
            let image = try TestImage.make("small", in: dir)
            // The generous default wait, sat out in full (another port's disk does not end it):
            // the appearance on the other port must come within it for the outcome to name it,
            // and a busy machine may take seconds (a 2 s wait failed the full run under load).
            let kiosk = try TestKiosk(vendor: Self.settings())
            let out = try await Self.dock(kiosk, try Self.recorder("amba-ascii", image: image.url,
                                                                  vendor: #"{"faults": [{"kind": "returnsOnPort", "port": "1-1.7"}]}"#))
            guard case .cameBackElsewhere(let expected, let actual, _) = out.dance else {
                Issue.record("outcome \(String(describing: out.dance))")
                return
            }
            #expect(expected == "1-1.2" && actual == "1-1.7" && out.bags.isEmpty)
            let dance = try #require(kiosk.gateway.context.progress.snapshot().first?.diagnostics.dance)
            #expect(dance.outcomeCode == "came-back-elsewhere" && dance.returnedOnPort == "1-1.7")
        }
    }

    @Test func withoutAPasswordNothingIsSent() async throws {
        try await withTemporaryDirectory("vendor-nopw") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: Self.settings(password: nil))
            let device = try Self.recorder("amba-ascii", image: image.url)
            #expect(try await Self.dock(kiosk, device).dance == .noPassword)
            #expect(device.log.entries.isEmpty)
        }
    }

    /// A device that echoes the password: the dance ends, and no file of the store or the state
    /// holds the password.
    @Test(arguments: ["amba-ascii", "amba-ctrl"])
    func anEchoedPasswordIsKeptNowhere(family: String) async throws {
        try await withTemporaryDirectory("vendor-echo") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: Self.settings())
            // amba-ctrl echoes on a refusing login: its own password differs.
            let device = try Self.recorder(family, image: image.url, password: family == "amba-ctrl" ? "other" : Self.password,
                                           vendor: #"{"faults": [{"kind": "echoPassword"}]}"#)
            let out = try await Self.dock(kiosk, device)
            #expect(out.dance?.collects == false)
            let root = URL(fileURLWithPath: kiosk.root)
            let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            #expect(files.count > 3)
            // Whole, or its first six characters (amba-ctrl's echo gives back only seven bytes).
            for file in files {
                guard let data = try? Data(contentsOf: file) else { continue }
                #expect(data.range(of: Data(Self.password.utf8.prefix(6))) == nil, "the password is in \(file.path)")
            }
            #expect(!"\(out.anomalies)".contains(Self.password) && !"\(out.result)".contains(Self.password))
        }
    }
}

/// Found in review: the adapter's side of the wait and of a lost answer.
@Suite struct VendorDockReviewTests {
    /// A disk in another bay before and during the wait (the bus carries every bay's devices):
    /// refused and audited, and the recorder's own return on its port is still read.
    @Test func aDiskInAnotherBayDoesNotEndTheDance() async throws {
        try await withTemporaryDirectory("vendor-stick") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings())
            let device = try VendorDockTests.recorder("amba-ascii", image: image.url)
            let stick = try VendorDockTests.recorder("amba-ctrl", image: image.url)
            let (bus, arrivals) = AsyncStream<VendorAppearance.BusEvent>.makeStream()
            arrivals.yield(.arrived(MassStorageArrival(port: "1-1.9", link: stick.hostEnd, vendorId: 0x0781, productId: 0x5567)))
            Task {
                for await event in device.events {
                    if case .leftBus = event { arrivals.yield(.departed) }
                    if case .reappeared(let disk, let vid, let pid, let other) = event {
                        arrivals.yield(.arrived(MassStorageArrival(port: other ?? "1-1.2", link: disk.hostEnd, vendorId: vid, productId: pid)))
                    }
                }
            }
            #expect(await kiosk.gateway.dockVendor(VendorAppearance(port: "1-1.2", link: device.hostEnd, family: AmbaASCIIDriver(), bus: bus)) { _ in
                MassStorageDriver()
            })
            let out = try #require(await kiosk.gateway.waitUntilIdle().last)
            #expect(out.dance?.code == "returned", "outcome \(String(describing: out.dance))")
            let audit = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
            #expect(audit.contains("\"device-refused\"") && audit.contains("mass-storage device on 1-1.9 not read"))
        }
    }

    /// A login whose result cannot be read: the password went out, so it is remembered like a
    /// refusal, and the next docks send nothing until a technician clears it.
    @Test func aPasswordWhoseResultWasLostIsNotSentAgain() async throws {
        try await withTemporaryDirectory("vendor-resend") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings(password: "Wrong123"))
            var attempts: [Int] = []
            var codes: [String] = []
            for _ in 0..<3 {
                let device = try VendorDockTests.recorder("amba-ctrl", image: image.url,
                                                          vendor: #"{"faults": [{"kind": "emptyReply", "command": "login"}]}"#)
                let out = try await VendorDockTests.dock(kiosk, device)
                codes.append(out.dance?.code ?? "none")
                attempts.append(device.log.passwordAttempts)
            }
            #expect(codes == ["password-unconfirmed", "password-withheld", "password-withheld"])
            #expect(attempts == [1, 0, 0])
        }
    }
}
