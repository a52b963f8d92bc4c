import EvidenceStore
import Foundation
import Testing

/// Where things are in a store, for the gateway and for readers alike.
@Suite struct StoreLayoutTests {
    @Test func aBagUnderBagsIsInTheStoreAboveIt() {
        #expect(StoreLayout.containing(bag: "/srv/store/bags/A1_2_3")?.root == "/srv/store")
        #expect(StoreLayout.containing(bag: "/srv/store/bags/A1_2_3/")?.auditLogPath == "/srv/store/audit/audit.jsonl")
        #expect(StoreLayout.containing(bag: "bags/A1_2_3")?.root == ".")
        #expect(StoreLayout.containing(bag: "/tmp/copy/A1_2_3") == nil)
        #expect(StoreLayout.containing(bag: "A1_2_3") == nil)
    }

    @Test func theGatewaysStoreHasTheSameLayout() throws {
        let root = NSTemporaryDirectory() + "layout-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try LocalStore(root: root)
        #expect(store.layout == StoreLayout(root: root))
        #expect(store.auditLogPath == StoreLayout(root: root).auditLogPath && store.finalBag("x") == root + "/bags/x")
        #expect(StoreLayout.containing(bag: store.finalBag("x")) == store.layout)
    }

    @Test func readingALayoutCreatesNothing() {
        let root = NSTemporaryDirectory() + "layout-" + UUID().uuidString
        let layout = StoreLayout(root: root)
        #expect(layout.sealedBags().isEmpty && layout.publicKey() == nil)
        #expect(!FileManager.default.fileExists(atPath: root))
    }
}
