import Evidence
@testable import Forwarding
import Foundation
import Journal
import Testing
import TestSupport

/// The order between bags in the forward queue (`ForwardOrder`): moved to the front by a
/// technician (the latest move first), then important, then oldest first.
@Suite struct ForwardOrderTests {
    typealias Bag = Journal.ForwardBag

    static func names(_ bags: [Bag]) -> [String] { bags.map(\.bagName) }

    @Test func oldestFirstWhenNothingElseDecides() {
        let bags = [Bag(bagName: "A", queuedUTC: "2026-12-06T10:00:00Z"), Bag(bagName: "B", queuedUTC: "2026-12-06T09:00:00Z"),
                    Bag(bagName: "C", queuedUTC: "2026-12-06T09:00:00Z")]
        // Same time: by name.
        #expect(Self.names(ForwardOrder.sorted(bags)) == ["B", "C", "A"])
        #expect(bags.map(ForwardOrder.reason) == [.age, .age, .age])
    }

    @Test func importantBagsGoBeforeOlderOnes() {
        let bags = [Bag(bagName: "old", queuedUTC: "2026-12-06T08:00:00Z"),
                    Bag(bagName: "new-important", queuedUTC: "2026-12-06T11:00:00Z", important: true),
                    Bag(bagName: "older-important", queuedUTC: "2026-12-06T10:00:00Z", important: true)]
        #expect(Self.names(ForwardOrder.sorted(bags)) == ["older-important", "new-important", "old"])
        #expect(ForwardOrder.reason(bags[1]) == .important)
    }

    @Test func aBagMovedToTheFrontGoesFirstTheLatestMoveAhead() {
        let bags = [Bag(bagName: "important", queuedUTC: "2026-12-06T08:00:00Z", important: true),
                    Bag(bagName: "moved-first", queuedUTC: "2026-12-06T12:00:00Z", frontRank: 1),
                    Bag(bagName: "plain", queuedUTC: "2026-12-06T07:00:00Z"),
                    Bag(bagName: "moved-last", queuedUTC: "2026-12-06T13:00:00Z", important: true, frontRank: 2)]
        #expect(Self.names(ForwardOrder.sorted(bags)) == ["moved-last", "moved-first", "important", "plain"])
        #expect(ForwardOrder.reason(bags[3]) == .movedToFront)
    }

    @Test func arrangeKeepsEachBagsObjectsInOrderAndStartsTheFirstBag() {
        let objects = ForwardScheduleTests.bag("A", payload: [.pending, .pending]) + ForwardScheduleTests.bag("B", payload: [.pending])
        let bags = [Bag(bagName: "A", queuedUTC: "2026-12-06T08:00:00Z"), Bag(bagName: "B", queuedUTC: "2026-12-06T09:00:00Z", important: true)]
        let arranged = ForwardOrder.arrange(objects, bags: bags)
        #expect(arranged.map(\.bagName) == Array(repeating: "B", count: 6) + Array(repeating: "A", count: 7))
        #expect(arranged.filter { $0.bagName == "A" }.map(\.ordinal) == objects.filter { $0.bagName == "A" }.map(\.ordinal))
        // With one upload slot, the important bag's payload is the first to start.
        #expect(ForwardSchedule.startable(arranged, now: Date(), busy: []).first.map(ForwardSchedule.id) == "B/data/0.MP4")
        // A bag the order does not know goes last.
        let unknown = ForwardOrder.arrange(objects, bags: [bags[0]])
        #expect(unknown.first?.bagName == "A" && unknown.last?.bagName == "B")
    }
}

/// The order's memory: the journal keeps each bag's place across restarts.
@Suite struct ForwardOrderJournalTests {
    static func object(_ bag: String, _ path: String = "data/a") -> Journal.ForwardObject {
        Journal.ForwardObject(bagName: bag, path: path, ordinal: 0, size: 1, sha256: [1])
    }

    @Test func frontMovesImportanceAndQueueTimesSurviveAReopen() throws {
        let path = try TemporaryDirectory("forward-order").url.path + "/j.sqlite"
        let j = try Journal(path: path)
        try j.enqueue([Self.object("A")], queuedUTC: "2026-12-06T08:00:00Z")
        try j.enqueue([Self.object("B")], important: true, queuedUTC: "2026-12-06T09:00:00Z")
        try j.enqueue([Self.object("C")], queuedUTC: "2026-12-06T10:00:00Z")
        // Queued again (a restart's recovery): the bag keeps its first place.
        try j.enqueue([Self.object("A")], important: true, queuedUTC: "2026-12-06T11:00:00Z")
        #expect(try j.moveForwardBagToFront("C"))
        #expect(try !j.moveForwardBagToFront("NOPE"))
        let again = try Journal(path: path)
        let bags = try again.forwardBags()
        #expect(ForwardOrderTests.names(ForwardOrder.sorted(bags)) == ["C", "B", "A"])
        #expect(bags.first { $0.bagName == "A" } == Journal.ForwardBag(bagName: "A", queuedUTC: "2026-12-06T08:00:00Z"))
        #expect(try again.moveForwardBagToFront("A"))
        #expect(ForwardOrderTests.names(ForwardOrder.sorted(try again.forwardBags())) == ["A", "C", "B"])
        // A pruned bag leaves the order with its objects.
        try again.forgetPrunedBag("A")
        #expect(ForwardOrderTests.names(try again.forwardBags()) == ["B", "C"])
    }

    /// Schema 7 adds the order: the bags a version-6 journal had queued get their session's end
    /// as the time they were queued (the empty string without a session: oldest of all).
    @Test func aVersion6JournalsBagsAreOrderedByTheirSessionsEnd() throws {
        let path = try TemporaryDirectory("forward-order").url.path + "/j.sqlite"
        do {
            let j = try Journal(path: path)
            let s1 = try j.openSession(serial: "A100001", bay: "1-1.1", bagName: "late", startedUTC: "2026-12-06T09:00:00Z")
            try j.commitBag(session: s1.id, entries: [], endedUTC: "2026-12-06T10:00:00Z")
            let s2 = try j.openSession(serial: "A100002", bay: "1-1.2", bagName: "early", startedUTC: "2026-12-06T07:00:00Z")
            try j.commitBag(session: s2.id, entries: [], endedUTC: "2026-12-06T08:00:00Z")
            try j.enqueue([Self.object("late"), Self.object("early"), Self.object("orphan")], queuedUTC: "ignored")
        }
        let made = try run("/usr/bin/env", ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript('DROP TABLE forward_bag; PRAGMA user_version = 6;'); c.commit()", path],
                           mergingErrors: true)
        try #require(made.status == 0, "python3 sqlite3: \(made.output)")
        let bags = try Journal(path: path).forwardBags()
        #expect(bags.map(\.queuedUTC) == ["2026-12-06T08:00:00Z", "2026-12-06T10:00:00Z", ""])
        #expect(ForwardOrderTests.names(ForwardOrder.sorted(bags)) == ["orphan", "early", "late"])
        #expect(bags.allSatisfy { !$0.important && $0.frontRank == nil })
    }
}
