/// Walks one cluster chain a run of contiguous clusters at a time, claiming each cluster in
/// the volume's bitmap as it goes. Because a cluster can be claimed once, no chain can loop or
/// run on forever: the walk ends at the chain's end, at a broken link, or at the first cluster
/// someone (this chain included) already holds.
struct FATChainCursor {
    enum Stop: Equatable {
        /// The chain's end-of-chain mark.
        case end
        /// A cluster already claimed; `walker` says by whom.
        case claimed(UInt32)
        /// A link no chain may hold; `code` is the anomaly's.
        case broken(code: String, detail: String)
    }

    /// The next cluster to claim; nil once the walk has stopped.
    private(set) var next: UInt32?
    private(set) var stop: Stop?
    /// Clusters claimed so far.
    private(set) var claimed: UInt64 = 0

    init(first: UInt32, table: FATTable) {
        if table.inRange(first) {
            next = first
        } else {
            next = nil
            stop = .broken(code: "cluster-out-of-range", detail: "first cluster \(first)")
        }
    }

    /// The next run of at most `maxClusters` contiguous clusters, claimed; nil when the walk
    /// has stopped (see `stop`). Reading the link after the run's last cluster sets `next`
    /// (or `stop`), so a caller that has all it needs can still tell whether the chain goes on.
    mutating func nextRun(maxClusters: UInt64, table: FATTable, bitmap: inout ClusterOwnership) async throws -> (first: UInt32, count: UInt32)? {
        guard let first = next, maxClusters > 0 else { return nil }
        guard bitmap.claim(first) else {
            next = nil
            stop = .claimed(first)
            return nil
        }
        claimed += 1
        var last = first, count: UInt32 = 1
        while true {
            let link = try await table.link(after: last)
            switch link {
            case .next(let cluster):
                if cluster == last + 1, UInt64(count) < maxClusters {
                    guard bitmap.claim(cluster) else {
                        next = nil
                        stop = .claimed(cluster)
                        return (first, count)
                    }
                    claimed += 1
                    count += 1
                    last = cluster
                    continue
                }
                next = cluster
            case .end:
                next = nil
                stop = .end
            case .free:
                next = nil
                stop = .broken(code: "chain-broken", detail: "cluster \(last) links to a free cluster")
            case .bad:
                next = nil
                stop = .broken(code: "chain-broken", detail: "cluster \(last) links to the bad-cluster mark")
            case .reserved(let value):
                next = nil
                stop = .broken(code: "chain-broken", detail: "cluster \(last) links to reserved value 0x\(String(value, radix: 16, uppercase: true))")
            case .outOfRange(let value):
                next = nil
                stop = .broken(code: "cluster-out-of-range", detail: "cluster \(last) links to cluster \(value)")
            }
            return (first, count)
        }
    }
}
