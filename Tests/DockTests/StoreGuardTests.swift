import Dock
import EvidenceStore
import Foundation
import Testing
import TestSupport

/// One gateway writes one store and state, and only inside them.
@Suite struct StoreGuardTests {
    /// A store whose bags/ is a symbolic link would send evidence to the link's target.
    @Test(arguments: ["store/bags", "store/.staging", "store/audit", "state/journal.sqlite", "state/gateway.key"])
    func aSymbolicLinkInsideTheStoreOrStateIsRefused(inside: String) throws {
        let root = NSTemporaryDirectory() + "kiosk-" + UUID().uuidString
        removeAtExit(root)
        let elsewhere = root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/store", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/" + inside, withDestinationPath: elsewhere)
        #expect {
            _ = try TestKiosk(root: root)
        } throws: { error in
            "\(error)".contains(root + "/" + inside) && "\(error)".contains("symbolic link")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty, "nothing was written through the link")
    }

    /// The store root itself may be a link (a store on another disk); what is inside it may not.
    @Test func theStoreRootMayBeALink() async throws {
        let root = NSTemporaryDirectory() + "kiosk-" + UUID().uuidString
        removeAtExit(root)
        try FileManager.default.createDirectory(atPath: root + "/disk/store", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/store", withDestinationPath: root + "/disk/store")
        let kiosk = try TestKiosk(root: root)
        let (out, _) = await kiosk.dockOne(try recorderScenario())
        #expect(out.allVerified)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/disk/store/bags").count == 1)
    }

    /// A second process on the same state is refused, and the refusal names the lock and the
    /// holder's pid. (Python's fcntl.lockf takes the same kind of lock the gateway does.)
    @Test func aSecondProcessOnTheSameStateIsRefusedNamingTheHolder() throws {
        let root = NSTemporaryDirectory() + "kiosk-" + UUID().uuidString
        removeAtExit(root)
        try FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import fcntl, os, sys
            f = open(sys.argv[1], 'a+'); fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            print('locked', flush=True); sys.stdin.read()
            """, root + "/state/gateway.lock"]
        let output = Pipe(), input = Pipe()
        holder.standardOutput = output
        holder.standardInput = input
        try holder.run()
        defer { try? input.fileHandleForWriting.close(); holder.waitUntilExit() }
        // Wait for the holder to say it has the lock (an event, not a time).
        var said = Data()
        while !String(decoding: said, as: UTF8.self).contains("locked") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { Issue.record("the lock holder ended early"); return }
            said += chunk
        }
        #expect {
            _ = try TestKiosk(root: root)
        } throws: { error in
            "\(error)".contains(root + "/state/gateway.lock") && "\(error)".contains("process \(holder.processIdentifier)")
        }
    }
}
