import Foundation
import RecorderHAL
import RecorderSimulator
import TestSupport
import Testing

/// The password the simulated recorders are given, distinctive enough that finding it in a text
/// can only mean it leaked.
let secret = "Pw7Secre"

/// A vendor recorder of `family` with password `secret` (unless `password` says otherwise),
/// docked on an unlimited link, its storage a small image in `directory`; `vendor` is the
/// scenario's `"vendor"` object.
func dockVendor(_ family: String, password: String = secret, vendor: String = "{}", lockout: Int = 5, lockoutSeconds: Int? = nil,
                in directory: TemporaryDirectory) throws -> SimulatedVendorRecorder {
    try directory.write("disk.img", Data(count: 64 * 512))
    let scenario = try Scenario(json: Data("""
    {"schema": 1, "recorders": [{"identity": {"serial": "A1B2C3D"}, "link": "unlimited", "family": "\(family)",
      "password": "\(password)", "lockout": {"attempts": \(lockout)\(lockoutSeconds.map { ", \"seconds\": \($0)" } ?? "")}, "vendor": \(vendor), "storage": {"image": "disk.img"}}]}
    """.utf8), relativeTo: directory.url.path)
    return try #require(SimulatedVendorRecorder(scenario.recorders[0], name: "bay-1"))
}

/// 2026-12-06T06:30:05.250Z, shown in UTC+8: 14:30:05 local.
let dockTime = DeviceTime(utcMilliseconds: 1_796_538_605_250, zoneOffsetMinutes: 480)

func request(_ password: String = secret) -> UnlockRequest {
    UnlockRequest(password: UnlockSecret(password), clock: dockTime, timeout: .seconds(2))
}

/// Every text the report can be shown as: its description, each step, the outcome, a dump.
func everyText(of report: UnlockReport) -> [String] {
    var dumped = ""
    dump(report, to: &dumped)
    return [report.description, "\(report)", String(reflecting: report), report.outcome.description, dumped, "\(report.clock)"]
        + report.steps.flatMap { [$0.command, $0.answer] }
}

/// Nothing a report says holds `password`.
func expectNoPassword(in report: UnlockReport, _ password: String = secret, sourceLocation: SourceLocation = #_sourceLocation) {
    for text in everyText(of: report) {
        #expect(!text.contains(password), "the password appears in: \(text.replacingOccurrences(of: password, with: "<LEAKED>"))",
                sourceLocation: sourceLocation)
    }
}

/// The events of a device that switched: it left, then came back as mass storage.
func switchEvents(_ device: SimulatedVendorRecorder) async -> (left: Bool, storage: SimulatedMassStorage?, ids: (UInt16, UInt16)?) {
    var left = false
    var storage: SimulatedMassStorage?
    var ids: (UInt16, UInt16)?
    for await event in device.events {
        switch event {
        case .leftBus: left = true
        case .reappeared(let disk, let vid, let pid, _):
            storage = disk
            ids = (vid, pid)
        case .cannotReappear(let why): Issue.record("cannot reappear: \(why)")
        }
    }
    return (left, storage, ids)
}

/// Whether `link` is a mass-storage device: GET MAX LUN answers one LUN.
func isMassStorage(_ link: any USBTransferLink) async throws -> Bool {
    try await link.control(requestType: 0xA1, request: 0xFE, value: 0, index: UInt16(link.interfaceNumber), data: [], length: 1,
                           timeout: .seconds(1)) == [0]
}
