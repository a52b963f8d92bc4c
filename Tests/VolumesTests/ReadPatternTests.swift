import Foundation
import Testing
import TestSupport
@testable import Volumes

/// How the reader asks for blocks: a mass-storage recorder carries one command at a time, so
/// the FAT must come in large runs and each directory a cluster run at a time, never a sector
/// per entry.
@Suite struct ReadPatternTests {
    /// Counts the reads passed to an image.
    final class CountingSource: BlockSource, @unchecked Sendable {
        let inner: FileBlockSource
        private let lock = NSLock()
        private var sizes: [Int] = []
        var blockSize: Int { inner.blockSize }
        var blockCount: UInt64 { inner.blockCount }
        init(_ inner: FileBlockSource) { self.inner = inner }
        func read(block: UInt64, count: Int) async throws -> [UInt8] {
            lock.withLock { sizes.append(count) }
            return try await inner.read(block: block, count: count)
        }
        var reads: [Int] { lock.withLock { sizes } }
    }

    @Test func fewLargeReads() async throws {
        try await withTemporaryDirectory("volumes-reads") { directory in
            let image = try TestImage.make("fat32-s8", in: directory)
            let source = CountingSource(try FileBlockSource(image.url))
            let listing = try #require(try await Medium.volumes(on: source).first)
            #expect(listing.anomalies.isEmpty)
            let result = try run("/usr/bin/fls", ["-r", "-p", "-u", image.url.path])
            let directories = result.output.split(separator: "\n").filter { $0.hasPrefix("d/d ") }.count + 1
            // Block 0 three times (the table check, the candidate's boot sector, the FAT
            // reader's own), FAT #1 and FAT #2 (each under 1 MiB: one read apiece), then one
            // read per directory (each fits one cluster run).
            #expect(source.reads.count <= 5 + directories, "\(source.reads.count) reads for \(directories) directories")
            // The FAT came whole: its 600 sectors in one read.
            #expect(source.reads.contains { $0 >= 600 })
        }
    }
}
