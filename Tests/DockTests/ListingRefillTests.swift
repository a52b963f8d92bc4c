import Dock
import Foundation
import Journal
import Testing

/// A file row without its catalog listing (an open session of an older journal whose meta could
/// not be read) gets the listing at the session's next dock, so the custody record still says
/// what each file is and where it was on the recorder.
@Suite struct ListingRefillTests {
    @Test func aResumedSessionsFilesWithoutListingsGetThemFromTheCatalog() async throws {
        let kiosk = try TestKiosk()
        var r = try recorderScenario(recordings: """
        [{"id": 1, "kind": "video", "path": "DCIM/录像1.MP4", "size": "30MiB", "sequence": 1, "important": true},
         {"id": 2, "kind": "video", "path": "DCIM/录像2.MP4", "size": "10MiB", "sequence": 2}]
        """)
        r.faults = [.disconnect(afterBytes: 20 << 20)]
        let (first, _) = await kiosk.dockOne(r)
        guard case .interrupted = first.result else { Issue.record("\(first.result)"); return }

        // The rows lose their listings, written by Python's sqlite3, not by the gateway.
        let journal = kiosk.config.state + "/journal.sqlite"
        let (status, output) = try run(["python3", "-c", """
        import sqlite3, sys
        c = sqlite3.connect(sys.argv[1])
        n = c.execute("UPDATE session_file SET listed_kind = NULL, listed_path = NULL, listed_sequence = NULL, listed_important = NULL, listed_start_ms = NULL, listed_end_ms = NULL").rowcount
        c.commit()
        print(n)
        """, journal])
        try #require(status == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(output)")

        r.faults = []
        let (second, _) = await kiosk.dockOne(r)
        #expect(second.allVerified, "\(second.result) \(second.anomalies)")
        #expect(second.anomalies.contains { $0.code == "resumed" })
        let bag = try #require(second.bagPath)
        let custody = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
            as? [String: Any])
        let files = try #require(custody["files"] as? [[String: Any]])
        #expect(files.map { $0["kind"] as? String } == ["video", "video"])
        #expect(files.map { $0["devicePath"] as? String } == ["DCIM/录像1.MP4", "DCIM/录像2.MP4"])
        #expect(files.map { $0["sequence"] as? Int } == [1, 2])
        #expect(files.map { $0["important"] as? Bool } == [true, false])
        // And the journal has them again (the bag's place in the forward queue reads them).
        let s = try #require(try Journal(path: journal).sessions().first { $0.bagName == (bag as NSString).lastPathComponent })
        #expect(try Journal(path: journal).holdsImportant(session: s.id))
    }
}
