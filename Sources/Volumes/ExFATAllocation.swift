/// Where one file's, directory's or system structure's clusters are, followed from its first
/// cluster and checked against its size, the heap and every cluster claimed before it.
struct ExFATAllocation: Sendable {
    var extents: [Extent]
    /// The clusters cover the size asked for.
    var complete: Bool
    /// Following stopped at the caller's cluster limit with more allocation after it.
    var reachedLimit: Bool
}

extension ExFATVolumeReader {
    /// Follows an allocation and claims its clusters.
    ///
    /// - Parameters:
    ///   - path: what owns it, for anomalies.
    ///   - dataLength: its size in bytes; nil for the root directory, whose chain alone says
    ///     how long it is.
    ///   - noFatChain: one contiguous run (the Stream Extension's flag); else the FAT chain.
    ///   - clusterLimit: follow at most this many clusters (directories are read only up to
    ///     the entry limit).
    ///
    /// Each problem is an anomaly: a size larger than the heap ("size-beyond-volume", and the
    /// size is bounded by the heap), a first or next cluster outside the heap or past the
    /// medium's end ("cluster-out-of-range"), a bad-cluster mark ("bad-cluster"), a chain that
    /// ends before the size ("chain-short") or runs on after it ("chain-long": the data is
    /// complete, the rest is not followed), a chain that comes back to itself ("chain-loop"),
    /// a cluster already claimed ("cross-linked"). All but "chain-long" leave the allocation
    /// incomplete; what was found before the problem is kept.
    func allocation(of path: String, firstCluster: UInt32, dataLength: UInt64?, noFatChain: Bool,
                    clusterLimit: UInt64) async throws -> ExFATAllocation {
        let clusterBytes = UInt64(boot.bytesPerCluster)
        let heapBytes = UInt64(boot.clusterCount) * clusterBytes
        var complete = true
        var bytes: UInt64
        var wanted: UInt64
        if let dataLength {
            guard dataLength > 0 else { return ExFATAllocation(extents: [], complete: true, reachedLimit: false) }
            bytes = dataLength
            if dataLength > heapBytes {
                note("size-beyond-volume", path, "size \(dataLength) bytes is more than the cluster heap's \(heapBytes)")
                bytes = heapBytes
                complete = false
            }
            wanted = bytes / clusterBytes + (bytes % clusterBytes == 0 ? 0 : 1)
        } else {
            wanted = clusterLimit
            bytes = UInt64.max
        }
        let take = min(wanted, clusterLimit)
        var reachedLimit = take < wanted

        guard firstCluster >= 2, firstCluster <= lastCluster else {
            note("cluster-out-of-range", path, "first cluster \(firstCluster) is outside the heap (2…\(lastCluster))")
            return ExFATAllocation(extents: [], complete: false, reachedLimit: false)
        }

        // An allocation already known to be wrong (a size the heap cannot hold, a run past its
        // end) claims nothing: it must not make the files after it look cross-linked.
        var claims = complete
        var runs: [(first: UInt32, count: UInt64)] = []
        if noFatChain {
            var count = min(take, UInt64(lastCluster) - UInt64(firstCluster) + 1)
            if count < take {
                note("cluster-out-of-range", path,
                     "contiguous run of \(take) clusters from \(firstCluster) passes the heap's last usable cluster \(lastCluster)")
                complete = false
                claims = false
                reachedLimit = false
            }
            let claimed = claims ? ownership.claim(first: firstCluster, count: count) : count
            if claimed < count {
                note("cross-linked", path, "cluster \(UInt64(firstCluster) + claimed) already belongs to another file, directory or system structure")
                complete = false
                reachedLimit = false
                count = claimed
            }
            if count > 0 { runs.append((firstCluster, count)) }
        } else {
            var cluster = firstCluster
            var followed: UInt64 = 0
            // Unclaimed, a chain still ends (`followed` never passes `take`, at most the heap),
            // all unclaimed following together is held to a budget of twice the heap, so many
            // such files cannot cost clusters × files, and a loop is caught by Brent's method
            // (a saved cluster moved at powers of two): no memory per cluster.
            var saved: UInt32 = 0, power: UInt64 = 1, sinceSaved: UInt64 = 0
            while true {
                if !claims {
                    guard unclaimedBudget > 0 else {
                        note("size-beyond-volume", path, "not followed past cluster \(cluster): too many oversized chains on this volume")
                        break
                    }
                    unclaimedBudget -= 1
                    guard cluster != saved else {
                        note("chain-loop", path, "the FAT chain returns to cluster \(cluster) after \(followed) clusters")
                        break
                    }
                    sinceSaved += 1
                    if sinceSaved == power {
                        saved = cluster
                        power *= 2
                        sinceSaved = 0
                    }
                }
                guard !claims || ownership.claim(first: cluster, count: 1) == 1 else {
                    let own = runs.contains { UInt64(cluster) >= UInt64($0.first) && UInt64(cluster) < UInt64($0.first) + $0.count }
                    if own {
                        note("chain-loop", path, "the FAT chain returns to cluster \(cluster) after \(followed) clusters")
                    } else {
                        note("cross-linked", path, "cluster \(cluster) already belongs to another file, directory or system structure")
                    }
                    complete = false
                    reachedLimit = false
                    break
                }
                if let last = runs.last, UInt64(last.first) + last.count == UInt64(cluster) {
                    runs[runs.count - 1].count += 1
                } else {
                    runs.append((cluster, 1))
                }
                followed += 1
                let next = try await fat.entry(cluster)
                if followed == take {
                    if next == ExFATAllocationTable.endOfChain {
                        reachedLimit = false
                    } else if dataLength == nil {
                        reachedLimit = true
                    } else if !reachedLimit, complete {
                        note("chain-long", path, "the FAT chain goes on past the \(take) clusters the size needs")
                    }
                    break
                }
                if next == ExFATAllocationTable.endOfChain {
                    if dataLength != nil {
                        note("chain-short", path, "the FAT chain ends after \(followed) of the \(wanted) clusters the size needs")
                        complete = false
                    }
                    break
                }
                if next == ExFATAllocationTable.badCluster {
                    note("bad-cluster", path, "cluster \(cluster) is followed by a bad-cluster mark after \(followed) clusters")
                    complete = false
                    break
                }
                guard next >= 2, next <= lastCluster else {
                    note("cluster-out-of-range", path, "cluster \(cluster)'s FAT entry \(next) is outside the heap (2…\(lastCluster))")
                    complete = false
                    break
                }
                cluster = next
            }
        }

        // Only claimed clusters are checked: each is then checked once on the whole volume.
        if claims, let bitmap {
            try await checkAllocated(runs, in: bitmap, path: path)
        }

        var extents = [Extent]()
        extents.reserveCapacity(runs.count)
        var remaining = bytes
        for run in runs where remaining > 0 {
            let length = min(run.count * clusterBytes, remaining)
            extents.append(Extent(firstCluster: run.first, clusterCount: UInt32(run.count),
                                  offset: medium.offset + clusterPosition(run.first), length: length))
            remaining -= length
        }
        return ExFATAllocation(extents: extents, complete: complete, reachedLimit: reachedLimit)
    }

    /// Notes "cluster-not-allocated" when the bitmap calls any of the clusters free: the entry
    /// may be stale, or the bitmap damaged; the bytes are listed either way, since they are
    /// what the medium holds.
    private func checkAllocated(_ runs: [(first: UInt32, count: UInt64)], in bitmap: ExFATAllocationBitmap,
                                path: String) async throws {
        var free: UInt64 = 0
        var firstFree: UInt32 = 0
        for run in runs {
            for cluster in UInt64(run.first)..<UInt64(run.first) + run.count {
                if try await bitmap.isAllocated(UInt32(cluster)) == false {
                    if free == 0 { firstFree = UInt32(cluster) }
                    free += 1
                }
            }
        }
        if free > 0 {
            note("cluster-not-allocated", path,
                 "\(free) of its clusters, from \(firstFree), are marked free in the allocation bitmap")
        }
    }

    /// The volume byte of a cluster in the heap.
    func clusterPosition(_ cluster: UInt32) -> UInt64 {
        boot.clusterHeapByteOffset + (UInt64(cluster) - 2) * UInt64(boot.bytesPerCluster)
    }

    /// The bytes of an allocation, at most `limit` of them, read run by run.
    func bytes(of allocation: ExFATAllocation, limit: Int) async throws -> [UInt8] {
        var bytes = [UInt8]()
        for extent in allocation.extents where bytes.count < limit {
            let count = Int(min(extent.length, UInt64(limit - bytes.count)))
            bytes += try await medium.read(at: extent.offset - medium.offset, count: count)
        }
        return bytes
    }
}
