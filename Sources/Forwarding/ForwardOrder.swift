import Journal

/// The order between bags in the forward queue, apart from any I/O (Docs/operations.md,
/// "Forwarding order"):
///   1. bags a technician moved to the front (`recorderctl queue --front BAG`), the latest
///      move first;
///   2. bags holding a recording the recorder flagged important;
///   3. the others;
/// each group oldest first (when queued, i.e. sealed), then by name. Within a bag,
/// `ForwardSchedule`'s phases still hold. The order decides which object starts next when an
/// upload slot frees up; uploads already on the wire are never stopped for a bag moved ahead.
public enum ForwardOrder {
    /// Why a bag has its place, as `recorderctl queue` shows it.
    public enum Reason: String, Sendable, CaseIterable {
        case movedToFront = "moved-to-front"
        case important
        case age
    }

    /// The reason for `bag`'s place.
    public static func reason(_ bag: Journal.ForwardBag) -> Reason {
        bag.frontRank != nil ? .movedToFront : bag.important ? .important : .age
    }

    /// `bags` in forwarding order (see the type).
    public static func sorted(_ bags: [Journal.ForwardBag]) -> [Journal.ForwardBag] {
        bags.sorted { a, b in
            if a.frontRank != b.frontRank { return (a.frontRank ?? Int.min) > (b.frontRank ?? Int.min) }
            if a.important != b.important { return a.important }
            if a.queuedUTC != b.queuedUTC { return a.queuedUTC < b.queuedUTC }
            return a.bagName < b.bagName
        }
    }

    /// The queue's objects (in bag and ordinal order, as the journal lists them) rearranged so
    /// that bags come in forwarding order, each bag's objects keeping their order. A bag the
    /// order does not know (none should be) goes last, by name.
    static func arrange(_ objects: [Journal.ForwardObject], bags: [Journal.ForwardBag]) -> [Journal.ForwardObject] {
        var rank: [String: Int] = [:]
        for (i, bag) in sorted(bags).enumerated() { rank[bag.bagName] = i }
        return objects.enumerated().sorted { x, y in
            let rx = rank[x.element.bagName] ?? Int.max, ry = rank[y.element.bagName] ?? Int.max
            return rx != ry ? rx < ry : x.offset < y.offset
        }.map(\.element)
    }
}
