import Foundation
import RecorderHAL
import RecorderProtocol
import Testing
@testable import RecorderSimulator

/// Numbers at the edges of what a scenario may say: every one is either taken exactly or
/// refused naming its field and range, and none makes the simulator trap later.
@Suite struct ScenarioValueTests {
    static func recorder(_ body: String) -> String { ScenarioTests.recorder(body) }

    /// A size is the protocol's u64: a JSON number up to the largest double below 2^64 is taken
    /// as it is (Docs/simulator.md §3.1), not refused at 2^63.
    @Test func aSizeAsAJSONNumberMayUseTheWholeU64() throws {
        let s = try scenario(faults: #"[{"kind": "sizeLies", "recording": 2, "reportedSize": 1.5e19}]"#)
        #expect(s.recorders[0].faults == [.sizeLies(recording: 2, reportedSize: 15_000_000_000_000_000_000)])
        let largest = try scenario(faults: #"[{"kind": "sizeLies", "recording": 2, "reportedSize": 18446744073709549568}]"#)
        #expect(largest.recorders[0].faults == [.sizeLies(recording: 2, reportedSize: 18_446_744_073_709_549_568)])
        #expect(parseSize("18446744073709551615") == UInt64.max)
        #expect(parseSize("16000000TB") == 16_000_000_000_000_000_000)
        // Whole numbers with a unit are exact, not rounded through a double.
        #expect(parseSize("18446744073709551615B") == UInt64.max)
        #expect(parseSize("16777215TiB") == 16_777_215 << 40)
        #expect(parseSize("16777216TiB") == nil)
        #expect(parseSize("9007199254740993B") == 9_007_199_254_740_993)
        #expect(parseSize("1.5KiB") == 1536 && parseSize("1e3B") == 1000 && parseSize("-1MB") == nil)
    }

    static let outOfRange: [(String, String, String, String)] = [
        ("a size of 2^64 as a JSON number",
         recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "video", "path": "a", "size": 18446744073709551616}]"#),
         "recorders[0].recordings[0].size", "18446744073709551615"),
        ("a size of 2^64 with a unit",
         recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "video", "path": "a", "size": "18446744.073709551616TB"}]"#),
         "recorders[0].recordings[0].size", "18446744073709551615"),
        ("a negative size",
         recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "video", "path": "a", "size": -1}]"#),
         "recorders[0].recordings[0].size", "18446744073709551615"),
        ("a bandwidth no Int holds",
         recorder(#""identity": {"serial": "A123456"}, "password": "", "link": {"bytesPerSecond": 1e300}, "recordings": []"#),
         "recorders[0].link.bytesPerSecond", "1000...1000000000000"),
        ("an offset beyond 200 years",
         recorder(#""identity": {"serial": "A123456"}, "password": "", "clock": {"offsetSeconds": 1e300}, "recordings": []"#),
         "recorders[0].clock.offsetSeconds", "6307200000"),
        ("a duration beyond 366 days",
         recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "video", "path": "a", "size": 1, "durationSeconds": 1e300}]"#),
         "recorders[0].recordings[0].durationSeconds", "31622400"),
        ("an id of 2^32",
         recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"id": 4294967296, "kind": "video", "path": "a", "size": 1}]"#),
         "recorders[0].recordings[0].id", "4294967295"),
        ("a sequence of 9.3e18",
         recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "video", "path": "a", "size": 1, "sequence": 9.3e18}]"#),
         "recorders[0].recordings[0].sequence", "4294967295"),
    ]

    @Test(arguments: outOfRange.indices)
    func aNumberOutOfRangeIsRefusedNamingFieldAndRange(index: Int) {
        let (what, json, path, range) = Self.outOfRange[index]
        do {
            _ = try Scenario(json: Data(json.utf8))
            Issue.record("\(what): accepted")
        } catch {
            #expect(error.path == path, "\(what): \(error)")
            #expect(error.reason.contains(range), "\(what): \(error)")
        }
    }

    /// The default duration of a video is its size at 8 Mbit/s; for a size beyond 366 days of
    /// that it is 366 days, the longest a recording may last, not an error about `events`.
    @Test func theDefaultDurationOfAHugeVideoIsCappedAt366Days() throws {
        let s = try scenario(recordings: #"[{"id": 1, "kind": "video", "path": "BIG.MP4", "size": "40TB", "start": "2026-11-26T08:00:00+08:00"}]"#)
        let r = s.recorders[0].recordings[0]
        #expect(r.endMilliseconds - r.startMilliseconds == 366 * 86_400_000)
    }

    /// STATUS adds up the recordings' sizes: sizes near 2^64 saturate at the u64's top instead
    /// of trapping the simulated device.
    @Test func statusOfRecordingsLargerThanAU64InAllSaturates() async throws {
        let s = try scenario(recordings: """
        [{"id": 1, "kind": "video", "path": "A.MP4", "size": "10000000TB", "durationSeconds": 1},
         {"id": 2, "kind": "video", "path": "B.MP4", "size": "10000000TB", "durationSeconds": 1}]
        """)
        let (_, recorder) = try await dock(s)
        try await recorder.authenticate(password: "secret")
        let status = try await recorder.status()
        #expect(status.storageTotalBytes == UInt64.max && status.storageFreeBytes == 0)
        await recorder.close()
    }
}
