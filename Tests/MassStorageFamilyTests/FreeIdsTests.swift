import Testing
@testable import MassStorageFamily

@Suite struct FreeIdsTests {
    /// What the catalog did before: step up one id at a time from the hash until one is free.
    static func stepping(_ starts: [UInt32]) -> [UInt32] {
        var taken = Set<UInt32>()
        return starts.map { start in
            var id = start
            while !taken.insert(id).inserted { id &+= 1 }
            return id
        }
    }

    @Test func theIdsAreThoseSteppingWouldFind() {
        var generator = SystemRandomNumberGenerator()
        // Runs of collisions, neighbours, and a run that wraps past the largest id.
        var starts: [UInt32] = [5, 5, 6, 5, 9, 7, 7, 4, 3, 5, .max, .max, .max - 1, 0, .max, 1, 2, 10, 8]
        for _ in 0..<2_000 { starts.append(UInt32.random(in: 0..<300, using: &generator)) }
        for _ in 0..<50 { starts.append(UInt32.max - UInt32.random(in: 0..<40, using: &generator)) }
        var ids = VolumeCatalog.FreeIds()
        #expect(starts.map { ids.take(from: $0) } == Self.stepping(starts))
    }

    /// 100,000 names with one hash (a medium can choose them) cost no walk through the ids
    /// the earlier ones took: a fraction of a second here, where stepping takes 5 billion steps.
    @Test func oneHashForEveryFileStaysCheap() {
        var ids = VolumeCatalog.FreeIds()
        let got = (0..<100_000).map { _ in ids.take(from: 42) }
        #expect(got == Array(42..<100_042))
    }
}
