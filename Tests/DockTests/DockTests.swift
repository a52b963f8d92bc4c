import Dock
import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
import RecorderProtocol
import RecorderSimulator
import Testing

@Suite struct DockTests {
    @Test func aDockPullsVerifiesAndBagsEveryRecording() async throws {
        let kiosk = try TestKiosk()
        let r = try recorderScenario()
        let expected = ScenarioDescription(Scenario(recorders: [r])).recorders[0]
        let (out, _) = await kiosk.dockOne(r)
        #expect(out.result == .completed, "\(out.result)")
        #expect(out.allVerified && out.files == 4 && out.verified == 4 && out.released == 0)
        let bag = try #require(out.bagPath)
        #expect((bag as NSString).lastPathComponent.hasPrefix("T000001_123456_"))
        for f in expected.files {
            let path = bag + "/data/" + String(decoding: f.path, as: UTF8.self)
            #expect(try sha256(ofFile: path) == hexString(f.sha256), "\(path)")
        }
        // The Library of Congress validator accepts the bag.
        let (status, output) = try run(["python3", "-m", "bagit", "--validate", bag])
        #expect(status == 0, "\(output)")
        // Stock openssl verifies the custody signature with the published key.
        let (verified, text) = try run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", kiosk.config.store + "/gateway.pub",
                                        "-rawin", "-in", bag + "/custody.json", "-sigfile", bag + "/custody.json.sig"])
        #expect(verified == 0 && text.contains("Signature Verified Successfully"), "\(text)")
        // The payload is read-only, and the staging area is empty again.
        let attributes = try FileManager.default.attributesOfItem(atPath: bag + "/data/DCIM/100MEDIA/0001.MP4")
        #expect((attributes[.posixPermissions] as? Int) == 0o440)
        #expect(try FileManager.default.contentsOfDirectory(atPath: kiosk.config.store + "/.staging").isEmpty)
        // The audit log is intact and tells the story.
        let audit = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
        #expect(AuditChain.verify(audit).isIntact)
        for event in ["docked", "identified", "authenticated", "clock-offset", "recording-ingested", "bag-finalized", "clock-set", "undocked"] {
            #expect(audit.contains("\"event\":\"\(event)\""), "audit has no \(event)")
        }
    }

    @Test func theCustodyRecordNamesEveryFileWithBothHashes() async throws {
        let kiosk = try TestKiosk()
        let (out, _) = await kiosk.dockOne(try recorderScenario())
        let data = try Data(contentsOf: URL(fileURLWithPath: try #require(out.bagPath) + "/custody.json"))
        let custody = try JSONDecoder().decode(CustodyRecord.self, from: data)
        let clock = try #require(custody.clock)
        #expect(custody.recorder.serial == "T000001" && custody.recorder.officerNumber == "123456")
        #expect(custody.files.count == 4)
        for f in custody.files {
            #expect(f.verified && f.sha256 != nil && f.sha256 == f.deviceSha256, "file \(f.recordingId)")
        }
        #expect(abs(clock.offsetMs - 30_000) <= clock.roundTripMs / 2 + 2)
        // The signed record anchors the audit log as it stood when the bag was sealed.
        let anchor = try #require(custody.audit)
        let audit = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("\"hash\":\"\(anchor.hash)\""))
        #expect(audit.contains("\"seq\":\(anchor.seq),"))
    }

    /// custody.json is written as it is encoded and signed from the file (#11): with a catalog
    /// whose record spans several of the writer's 64 KiB runs, the file is still exactly
    /// JSONEncoder's layout of the record it holds, and stock openssl verifies its signature.
    @Test func aLargeCatalogsCustodyRecordIsJSONEncodersLayoutAndSigned() async throws {
        let kiosk = try TestKiosk()
        let recordings = (1...150).map {
            #"{"id": \#($0), "kind": "video", "path": "DCIM/100MEDIA/视频_\#($0).MP4", "size": 100, "sequence": \#($0)}"#
        }
        let (out, _) = await kiosk.dockOne(try recorderScenario(recordings: "[" + recordings.joined(separator: ",") + "]"))
        #expect(out.result == .completed && out.verified == 150, "\(out.result)")
        let bag = try #require(out.bagPath)
        let data = try Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json"))
        #expect(data.count > 1 << 16)
        let record = try CustodyRecord(json: data)
        #expect(record.files.count == 150)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        #expect(data == (try encoder.encode(record)) + Data("\n".utf8))
        let (verified, text) = try run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", kiosk.config.store + "/gateway.pub",
                                        "-rawin", "-in", bag + "/custody.json", "-sigfile", bag + "/custody.json.sig"])
        #expect(verified == 0 && text.contains("Signature Verified Successfully"), "\(text)")
        let (status, output) = try run(["python3", "-m", "bagit", "--validate", bag])
        #expect(status == 0, "\(output)")
    }

    @Test func aSecondDockSkipsWhatTheLedgerHoldsAndReleasesUnderThePolicy() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        let r = try recorderScenario()
        let (first, device) = await kiosk.dockOne(r)
        #expect(first.allVerified && first.released == 4)
        #expect(await device.releasedIds == [1, 2, 3, 4])
        // Same recorder, not released this time (a fresh device with the same content): nothing new.
        let keepKiosk = try TestKiosk(release: .keep, root: kiosk.root)
        let (second, _) = await keepKiosk.dockOne(r)
        #expect(second.result == .completed && second.alreadyIngested == 4 && second.files == 0 && second.bytes == 0)
        #expect(second.bagPath == nil)
    }

    /// A recorder with the standard recordings whose STATUS claims `storageTotal` bytes.
    static func recorder(serial: String, storageTotal: UInt64, faults: String = "[]") throws -> RecorderScenario {
        let json = """
        {"schema": 1, "recorders": [{
          "identity": {"serial": "\(serial)", "officerNumber": "123456"}, "password": "secret", "link": "unlimited",
          "status": {"reportedStorageTotal": \(storageTotal)},
          "recordings": \(standardRecordings), "faults": \(faults)
        }]}
        """
        return try Scenario(json: Data(json.utf8)).recorders[0]
    }

    /// The kiosk's own bound: a size larger than the store's whole filesystem is not read,
    /// even when STATUS (here lying too) would allow it.
    @Test func aCatalogSizeLargerThanTheKiosksStoreIsNotRead() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        let (out, device) = await kiosk.dockOne(try Self.recorder(serial: "T000010", storageTotal: 4611686018427387904,
                                                                   faults: #"[{"kind": "sizeLies", "recording": 2, "reportedSize": 1152921504606846976}]"#))
        #expect(out.anomalies.contains { $0.code == "implausible-size" && $0.recordingId == 2
            && $0.detail.contains("1152921504606846976") && $0.detail.contains("kiosk's store") }, "\(out.anomalies)")
        #expect(out.listed == 4 && out.files == 3 && out.verified == 3)
        #expect(await device.releasedIds == [1, 3, 4])
    }

    @Test func aCatalogSizeLargerThanTheWholeMediumIsNotReadAndStaysOnTheRecorder() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        let (out, device) = await kiosk.dockOne(try Self.recorder(serial: "T000009", storageTotal: 1000000))
        // Recording 1 claims 3000001 bytes on a recorder that says it holds 1000000 in all.
        #expect(out.anomalies.contains { $0.code == "implausible-size" && $0.recordingId == 1 && $0.detail.contains("3000001") })
        #expect(out.listed == 4 && out.files == 3 && out.verified == 3)
        #expect(await device.releasedIds == [2, 3, 4])
        let manifest = try String(contentsOfFile: try #require(out.bagPath) + "/manifest-sha256.txt", encoding: .utf8)
        #expect(!manifest.contains("0001.MP4"))
    }

    @Test func keepReleasesNothing() async throws {
        let kiosk = try TestKiosk(release: .keep)
        let (out, device) = await kiosk.dockOne(try recorderScenario())
        #expect(out.allVerified && out.released == 0)
        #expect(await device.releasedIds.isEmpty)
    }

    @Test func aWrongDeviceHashIsReadAgainThenQuarantinedAndNeverReleased() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        let (out, device) = await kiosk.dockOne(try recorderScenario(faults: #"[{"kind": "wrongDeviceHash", "recording": 2}]"#))
        #expect(out.result == .completed && out.quarantined == 1 && out.verified == 3 && out.released == 3)
        #expect(!(await device.releasedIds.contains(2)))
        #expect(await device.requestCounts[.read, default: 0] >= 2 * 1 + 3) // file 2 read twice
        #expect(out.anomalies.contains { $0.code == "device-hash-mismatch" && $0.recordingId == 2 })
        #expect(out.anomalies.contains { $0.code == "quarantined" && $0.recordingId == 2 })
        let bag = try #require(out.bagPath)
        #expect(FileManager.default.fileExists(atPath: bag + "/data/DCIM/100MEDIA/0002.JPG"), "the quarantined bytes are kept")
        #expect(try run(["python3", "-m", "bagit", "--validate", bag]).0 == 0)
    }

    @Test func corruptionInTransitIsHealedByTheFrameCheck() async throws {
        let kiosk = try TestKiosk()
        let (out, _) = await kiosk.dockOne(try recorderScenario(faults: #"[{"kind": "corrupt", "recording": 1, "offset": 2000000, "where": "transit"}]"#))
        #expect(out.allVerified, "\(out.anomalies)")
    }

    @Test func corruptionInStorageIsQuarantined() async throws {
        let kiosk = try TestKiosk()
        let (out, _) = await kiosk.dockOne(try recorderScenario(faults: #"[{"kind": "corrupt", "recording": 1, "offset": 123, "where": "storage"}]"#))
        #expect(out.quarantined == 1 && out.anomalies.contains { $0.code == "quarantined" && $0.recordingId == 1 })
    }

    @Test func hostileNamesNeverWriteOutsideTheBag() async throws {
        let recordings = """
        [{"id": 1, "kind": "video", "path": "../../../../../../tmp/escaped-\(UUID().uuidString)", "size": 100},
         {"id": 2, "kind": "video", "path": "/etc/passwd", "size": 100},
         {"id": 3, "kind": "video", "path": "DCIM/A\\u0000B.MP4", "size": 100},
         {"id": 4, "kind": "video", "path": {"repeat": "A", "times": 10000}, "size": 100},
         {"id": 5, "kind": "video", "path": "..", "size": 100},
         {"id": 6, "kind": "video", "path": "DCIM\\\\..\\\\..\\\\x", "size": 100}]
        """
        let kiosk = try TestKiosk()
        let (out, _) = await kiosk.dockOne(try recorderScenario(recordings: recordings))
        #expect(out.allVerified && out.files == 6, "\(out.result) \(out.anomalies)")
        let bag = try #require(out.bagPath)
        var payload: [String] = []
        let e = FileManager.default.enumerator(atPath: bag + "/data")!
        for case let rel as String in e {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: bag + "/data/" + rel, isDirectory: &isDir), !isDir.boolValue { payload.append(rel) }
        }
        #expect(payload.count == 6)
        // Everything the store holds is inside the bag, bag-info and audit aside.
        let (_, listing) = try run(["find", kiosk.root, "-type", "f"])
        for line in listing.split(separator: "\n") {
            let path = String(line)
            #expect(path.hasPrefix(bag + "/") || path.hasPrefix(kiosk.config.state) || path.hasSuffix("audit.jsonl") || path.hasSuffix("gateway.pub")
                    || path == kiosk.config.store + "/.gateway.lock", "\(path)")
        }
        #expect(try run(["python3", "-m", "bagit", "--validate", bag]).0 == 0)
    }

    /// NTFS (through Win32) and exFAT drop trailing dots and spaces and ignore case: names that
    /// differ only so must still be six files after the bag is copied there.
    @Test func namesThatDifferOnlyInTrailingDotsOrSpacesStayApartInTheBag() async throws {
        let recordings = """
        [{"id": 1, "kind": "video", "path": "DCIM/twin", "size": 101},
         {"id": 2, "kind": "video", "path": "DCIM/twin.", "size": 102},
         {"id": 3, "kind": "video", "path": "DCIM/TWIN. ", "size": 103},
         {"id": 4, "kind": "video", "path": "DIR/x.MP4", "size": 104},
         {"id": 5, "kind": "video", "path": "DIR./x.MP4", "size": 105},
         {"id": 6, "kind": "video", "path": "dir . /X.mp4", "size": 106}]
        """
        let kiosk = try TestKiosk()
        let scenario = try recorderScenario(recordings: recordings)
        let expected = ScenarioDescription(Scenario(recorders: [scenario])).recorders[0]
        let (out, _) = await kiosk.dockOne(scenario)
        #expect(out.allVerified && out.files == 6, "\(out.result) \(out.anomalies)")
        let bag = try #require(out.bagPath)
        let custody = try JSONDecoder().decode(CustodyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
        // Every file where custody.json says, holding its recording's bytes.
        for f in custody.files {
            let want = try #require(expected.files.first { $0.id == f.recordingId })
            #expect(try sha256(ofFile: bag + "/" + f.bagPath) == hexString(want.sha256), "\(f.bagPath)")
        }
        // What a copy to NTFS or exFAT keeps apart: components without trailing dots and spaces,
        // compared without case.
        func windowsName(_ path: some StringProtocol) -> String {
            path.split(separator: "/").map { c -> String in
                var c = Substring(c)
                while let last = c.last, last == "." || last == " " { c = c.dropLast() }
                return c.uppercased()
            }.joined(separator: "/")
        }
        var files: [String] = [], directories = Set<String>()
        let e = FileManager.default.enumerator(atPath: bag + "/data")!
        for case let rel as String in e {
            #expect(!rel.split(separator: "/").contains { $0.hasSuffix(".") || $0.hasSuffix(" ") }, "\(rel)")
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: bag + "/data/" + rel, isDirectory: &isDir)
            if isDir.boolValue { directories.insert(windowsName(rel)) } else { files.append(windowsName(rel)) }
        }
        #expect(files.count == 6 && Set(files).count == 6, "\(files)")
        #expect(Set(files).isDisjoint(with: directories), "\(files) \(directories)")
        #expect(try run(["python3", "-m", "bagit", "--validate", bag]).0 == 0)
    }

    @Test func aRefusedPasswordIsReportedOnceAndNotRetried() async throws {
        let kiosk = try TestKiosk()
        let (out, device) = await kiosk.dockOne(try recorderScenario(password: "other"))
        guard case .failed(let why) = out.result else { Issue.record("\(out.result)"); return }
        #expect(why.contains("PASSWORD_WRONG"))
        #expect(out.anomalies.contains { $0.code == "authentication-failed" })
        #expect(await device.requestCounts[.authResponse] == 1)
        #expect(out.bagPath == nil)
    }

    @Test func aCatalogThatNeverEndsFailsTheDockWithoutABag() async throws {
        let kiosk = try TestKiosk()
        let (out, _) = await kiosk.dockOne(try recorderScenario(faults: #"[{"kind": "catalogNeverEnds"}]"#))
        #expect(out.anomalies.contains { $0.code == "catalog-refused" })
        #expect(out.bagPath == nil)
        if case .failed = out.result {} else { Issue.record("\(out.result)") }
    }

    @Test func anUnpluggedRecorderResumesOnTheNextDockInAnotherBay() async throws {
        let kiosk = try TestKiosk()
        var r = try recorderScenario(recordings: """
        [{"id": 1, "kind": "video", "path": "V1.MP4", "size": "150MiB", "sequence": 1},
         {"id": 2, "kind": "video", "path": "V2.MP4", "size": "20MiB", "sequence": 2}]
        """)
        let expected = ScenarioDescription(Scenario(recorders: [r])).recorders[0]
        r.faults = [.disconnect(afterBytes: 100 << 20)]
        let (first, _) = await kiosk.dockOne(r, port: "1-1.1")
        guard case .interrupted = first.result else { Issue.record("\(first.result)"); return }
        #expect(first.bagPath == nil)
        r.faults = []
        let (second, _) = await kiosk.dockOne(r, port: "1-1.4")
        #expect(second.allVerified, "\(second.result) \(second.anomalies)")
        #expect(second.anomalies.contains { $0.code == "resumed" })
        // It continued: far less than the whole 170 MiB came over the link the second time.
        #expect(second.bytes < 110 << 20, "pulled \(second.bytes)")
        let bag = try #require(second.bagPath)
        #expect(try sha256(ofFile: bag + "/data/V1.MP4") == hexString(expected.files[0].sha256))
        #expect(try sha256(ofFile: bag + "/data/V2.MP4") == hexString(expected.files[1].sha256))
        #expect(try run(["python3", "-m", "bagit", "--validate", bag]).0 == 0)
    }

    @Test func aStallLongerThanTheTimeoutIsRetriedFromTheDurableOffset() async throws {
        // Requests time out after 2 s; the recorder goes silent for 2.5 s.
        let kiosk = try TestKiosk(requestTimeout: .seconds(2))
        let (out, _) = await kiosk.dockOne(try recorderScenario(faults: #"[{"kind": "stall", "afterBytes": 1000000, "milliseconds": 2500}]"#))
        #expect(out.allVerified, "\(out.result) \(out.anomalies)")
    }

    @Test func refusedAuthenticationFailsTheDockWithoutReadingAnything() async throws {
        let kiosk = try TestKiosk()
        let (out, device) = await kiosk.dockOne(try recorderScenario(faults: #"[{"kind": "refuseAuthentication"}]"#))
        #expect(out.anomalies.contains { $0.code == "authentication-failed" })
        let counts = await device.requestCounts
        #expect(counts[.catalog] == nil && counts[.read] == nil)
    }

    @Test func aClockFarOffIsMeasuredSealedAndThenSet() async throws {
        let kiosk = try TestKiosk()
        var r = try recorderScenario()
        r.clock.offsetSeconds = -2 * 365 * 86400
        let started = ContinuousClock.now
        let (out, device) = await kiosk.dockOne(r)
        #expect(out.allVerified)
        let offset = try #require(out.clockOffsetMilliseconds)
        let custody = try JSONDecoder().decode(CustodyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: try #require(out.bagPath) + "/custody.json")))
        let clock = try #require(custody.clock)
        #expect(abs(offset + 2 * 365 * 86_400_000) <= clock.roundTripMs / 2 + 2)
        #expect(abs(clock.offsetMs - offset) < 0.001)
        // After the dock the recorder's clock agrees with the gateway's, to within the time the
        // dock took (the CLOCK_SET was on its way for part of it).
        let now = Double(await device.deviceNowMilliseconds())
        let took = ContinuousClock.now - started
        #expect(abs(now - Date().timeIntervalSince1970 * 1000) <= Double(took.components.seconds * 1000) + Double(took.components.attoseconds) / 1e15 + 2)
    }

    /// A recorder 150 years off either way (the simulator takes ±200): the offset reaches the
    /// custody record exactly, and every corrected time in custody.json and report.json is the
    /// device time minus that offset (they used to be clamped at about ±101 years).
    @Test(arguments: [150 * 365 * 86400.0, -150 * 365 * 86400.0])
    func aClockOff150YearsIsCorrectedExactlyInCustodyAndReport(offsetSeconds: Double) async throws {
        let kiosk = try TestKiosk()
        var r = try recorderScenario()
        r.clock.offsetSeconds = offsetSeconds
        let (out, _) = await kiosk.dockOne(r)
        #expect(out.allVerified, "\(out.result) \(out.anomalies)")
        let bag = try #require(out.bagPath)
        let custody = try JSONDecoder().decode(CustodyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
        let clock = try #require(custody.clock)
        #expect(abs(clock.offsetMs - offsetSeconds * 1000) < 1000)
        #expect(clock.flags == ["no-sync"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bag + "/report.json"))) as? [String: Any])
        let entries = try #require(report["recordings"] as? [[String: Any]])
        #expect(custody.files.count == 4 && entries.count == 4)
        for f in custody.files {
            let device = try #require(UTCTimestamp.milliseconds(parsing: f.deviceStartUTC))
            let corrected = try #require(f.correctedStartUTC.flatMap { UTCTimestamp.milliseconds(parsing: $0) }, "file \(f.recordingId)")
            // device − offset, to the millisecond (a tie may round either way).
            #expect(abs(Double(device - corrected) - clock.offsetMs) <= 0.5, "file \(f.recordingId): \(f.deviceStartUTC) → \(f.correctedStartUTC ?? "-")")
            let entry = try #require(entries.first { ($0["id"] as? Int) == Int(f.recordingId) })
            let span = try #require(entry["corrected"] as? [String: Any])
            #expect((span["startMs"] as? NSNumber)?.int64Value == corrected)
            #expect(span["start"] as? String == f.correctedStartUTC)
        }
    }

    @Test func aSizeThatLiesDownwardIsQuarantinedOnItsHash() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        let (out, device) = await kiosk.dockOne(try recorderScenario(faults: #"[{"kind": "sizeLies", "recording": 2, "reportedSize": 60000}]"#))
        #expect(out.quarantined == 1 && out.anomalies.contains { $0.code == "quarantined" && $0.recordingId == 2 })
        #expect(!(await device.releasedIds.contains(2)))
    }

    @Test func eightBaysAtOnce() async throws {
        let kiosk = try TestKiosk()
        var devices: [(SimulatedRecorder, String)] = []
        for i in 1...8 {
            var r = try recorderScenario(serial: "B00000\(i)")
            r.link = .usb2HighSpeed
            devices.append((await SimulatedRecorder.dock(r), "1-\(i)"))
        }
        let outcomes = await kiosk.dock(devices)
        #expect(outcomes.count == 8)
        #expect(outcomes.allSatisfy { $0.allVerified }, "\(outcomes.map { $0.result })")
        #expect(Set(outcomes.compactMap(\.bagPath)).count == 8)
    }

    @Test func tamperingWithTheAuditLogIsDetected() async throws {
        let kiosk = try TestKiosk()
        _ = await kiosk.dockOne(try recorderScenario())
        let path = kiosk.config.store + "/audit/audit.jsonl"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(AuditChain.verify(text).isIntact)
        let edited = text.replacingOccurrences(of: "\"serial\":\"T000001\"", with: "\"serial\":\"T000009\"")
        #expect(edited != text)
        #expect(!AuditChain.verify(edited).isIntact)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        lines.remove(at: 3)
        #expect(!AuditChain.verify(lines.joined(separator: "\n") + "\n").isIntact)
    }
}

@Suite struct RecoveryTests {
    @Test func anomaliesOfAnInterruptedDockReachTheSealedRecord() async throws {
        let kiosk = try TestKiosk()
        var r = try recorderScenario(recordings: """
        [{"id": 1, "kind": "photo", "path": "P1.JPG", "size": 50000, "sequence": 1},
         {"id": 2, "kind": "video", "path": "V2.MP4", "size": "40MiB", "sequence": 2}]
        """)
        r.faults = [.wrongDeviceHash(recording: 1), .disconnect(afterBytes: 20 << 20)]
        let (first, _) = await kiosk.dockOne(r)
        guard case .interrupted = first.result else { Issue.record("\(first.result)"); return }
        r.faults = [.wrongDeviceHash(recording: 1)]
        let (second, _) = await kiosk.dockOne(r, port: "1-1.2")
        #expect(second.result == .completed && second.quarantined == 1 && second.verified == 1)
        let custody = try JSONDecoder().decode(CustodyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: try #require(second.bagPath) + "/custody.json")))
        let codes = custody.anomalies.map(\.code)
        #expect(codes.contains("device-hash-mismatch") && codes.contains("quarantined") && codes.contains("resumed"), "\(codes)")
        #expect(custody.dock.attempts?.count == 2)
        #expect(custody.dock.attempts?.first?.bay == "1-1.1" && custody.dock.attempts?.last?.bay == "1-1.2")
    }

    @Test func aStopBetweenTheRenameAndTheLedgerCommitIsCompletedOnTheNextDock() async throws {
        let kiosk = try TestKiosk()
        let one = """
        [{"id": 1, "kind": "video", "path": "V1.MP4", "size": 100000, "sequence": 1}]
        """
        let (first, _) = await kiosk.dockOne(try recorderScenario(recordings: one))
        let bag = try #require(first.bagPath)
        // Undo what the commit did, as if the gateway stopped right after the rename.
        let db = kiosk.config.state + "/journal.sqlite"
        let (status, text) = try run(["python3", "-c", "import sqlite3; c = sqlite3.connect('\(db)'); c.execute(\"update session set state = 'open', ended_utc = NULL\"); c.execute('delete from ledger'); c.commit()"])
        #expect(status == 0, "\(text)")
        let two = """
        [{"id": 1, "kind": "video", "path": "V1.MP4", "size": 100000, "sequence": 1},
         {"id": 2, "kind": "video", "path": "V2.MP4", "size": 100000, "sequence": 2}]
        """
        let (second, _) = try await kiosk.restarted().dockOne(try recorderScenario(recordings: two))
        #expect(second.result == .completed && second.alreadyIngested == 1 && second.files == 1, "\(second.result) \(second.anomalies)")
        let newBag = try #require(second.bagPath)
        #expect(newBag != bag)
        #expect(FileManager.default.fileExists(atPath: newBag + "/data/V2.MP4"))
        #expect(!FileManager.default.fileExists(atPath: newBag + "/data/V1.MP4"))
        for b in [bag, newBag] { #expect(try run(["python3", "-m", "bagit", "--validate", b]).0 == 0) }
    }

    @Test func aTornAuditLineStaysOneMalformedLineAndTheChainGoesOn() async throws {
        let kiosk = try TestKiosk()
        _ = await kiosk.dockOne(try recorderScenario(recordings: #"[{"id": 1, "kind": "photo", "path": "a.jpg", "size": 10}]"#))
        let path = kiosk.config.store + "/audit/audit.jsonl"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"detail\":{},\"event\":\"doc".utf8))
        try handle.close()
        let restarted = try kiosk.restarted()
        _ = await restarted.dockOne(try recorderScenario(serial: "T000002", recordings: #"[{"id": 1, "kind": "photo", "path": "b.jpg", "size": 10}]"#))
        let verification = AuditChain.verify(try String(contentsOfFile: path, encoding: .utf8))
        #expect(verification.problems.count == 1 && verification.problems.first?.reason == .malformed, "\(verification.problems)")
        #expect(verification.last?.serial == "T000002" && verification.last?.event == "undocked")
    }
}

@Suite struct DerivedFileTests {
    @Test func theGPSLogBecomesTracksBesideThePayloadNeverInIt() async throws {
        let kiosk = try TestKiosk()
        let (out, _) = await kiosk.dockOne(try recorderScenario())
        let bag = try #require(out.bagPath)
        let gpx = try String(contentsOfFile: bag + "/tracks/GPS/0001.NMEA.gpx", encoding: .utf8)
        #expect(gpx.components(separatedBy: "<trkpt ").count - 1 == 20)
        let geojson = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bag + "/tracks/GPS/0001.NMEA.geojson"))) as? [String: Any]
        #expect(geojson?["type"] as? String == "FeatureCollection")
        let tagManifest = try String(contentsOfFile: bag + "/tagmanifest-sha256.txt", encoding: .utf8)
        #expect(tagManifest.contains("tracks/GPS/0001.NMEA.gpx") && tagManifest.contains("tracks/GPS/0001.NMEA.geojson"))
        let manifest = try String(contentsOfFile: bag + "/manifest-sha256.txt", encoding: .utf8)
        #expect(!manifest.contains("tracks/"))
        #expect(try run(["python3", "-m", "bagit", "--validate", bag]).0 == 0)
    }
}

@Suite struct ReportTests {
    @Test func everyBagCarriesItsReportAndCorrectedTimes() async throws {
        let kiosk = try TestKiosk()
        let recordings = """
        [{"id": 1, "kind": "video", "path": "V1.MP4", "size": 1000, "sequence": 5, "start": "2026-11-26T08:00:00+08:00", "durationSeconds": 600},
         {"id": 2, "kind": "video", "path": "V2.MP4", "size": 1000, "sequence": 7, "start": "2026-11-26T09:00:00+08:00", "durationSeconds": 600},
         {"id": 3, "kind": "time-log", "path": "TIME.LOG", "events": [
            {"at": "2026-11-26T07:00:00+08:00", "type": "GNSS_SYNC", "detail": "correction_ms=-500"}]}]
        """
        let (out, _) = await kiosk.dockOne(try recorderScenario(recordings: recordings))
        let bag = try #require(out.bagPath)
        let tagManifest = try String(contentsOfFile: bag + "/tagmanifest-sha256.txt", encoding: .utf8)
        for name in ["report.json", "report.txt", "timeline.svg"] { #expect(tagManifest.contains("  \(name)\n"), "\(name)") }
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bag + "/report.json"))) as? [String: Any]
        let findings = (report?["findings"] as? [[String: Any]]) ?? []
        #expect(findings.contains { $0["code"] as? String == "sequence-gap" }, "\(findings)")
        let custody = try JSONDecoder().decode(CustodyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
        let clock = try #require(custody.clock)
        // The device clock ran 30 s fast at the dock and was synced the morning before: a
        // recording at 08:00 device time is corrected by a fraction of those 30 s, never more.
        let file = try #require(custody.files.first { $0.recordingId == 1 })
        #expect(file.deviceStartUTC == "2026-11-26T00:00:00.000Z")
        let corrected = try #require(file.correctedStartUTC)
        #expect(corrected < file.deviceStartUTC && corrected > "2026-11-25T23:59:30.000Z", "\(corrected)")
        #expect(clock.driftSecondsPerDay != nil && clock.lastSyncUTC != nil)
        #expect(try run(["python3", "-m", "bagit", "--validate", bag]).0 == 0)
        // The picture parses as XML and draws one bar per recording.
        let (status, text) = try run(["python3", "-c", "import sys, xml.etree.ElementTree as E; t = E.parse(sys.argv[1]); print(len([e for e in t.iter() if (e.get('class') or '').startswith('bar ')]))", bag + "/timeline.svg"])
        #expect(status == 0 && text.trimmingCharacters(in: .whitespacesAndNewlines) == "3", "\(text)")
    }
}
