import Evidence
import Foundation
import Journal

/// Which queued objects may be sent now: the forward queue's ordering rules, apart from any I/O.
///
/// Within a bag, objects go up in four phases, and no object starts before every object of an
/// earlier phase is verified in the store:
///   0. payload (`data/…`), in any order and several at a time;
///   1. the tag files that describe it (reports, tracks, `bag-info.txt`, `manifest-sha256.txt`,
///      `custody.json` and its signature);
///   2. `bagit.txt`, the declaration that makes a directory a bag;
///   3. `tagmanifest-sha256.txt`, the last file a reader of the bag needs.
/// So a reader listing the store never sees a declared bag with files missing, even when a
/// payload object is being retried or has failed for good (then the bag waits for `retry`).
enum ForwardSchedule {
    /// The phase of an object (see above). Payload objects are queued with ordinals below
    /// `tagOrdinalBase`, tag files from it on.
    static func phase(_ object: Journal.ForwardObject) -> Int {
        if object.ordinal < tagOrdinalBase { return 0 }
        switch object.path {
        case BagIt.declarationFileName: return 2
        case BagIt.tagManifestFileName: return 3
        default: return 1
        }
    }

    /// The first ordinal of a bag's tag files.
    static let tagOrdinalBase = 1_000_000

    /// Pending objects that may start now, in queue order: due (`nextAttemptUTC` passed),
    /// not already being sent (`busy`, keys from `id`), and with every earlier phase of their
    /// bag verified. `objects` is the whole queue, bags in forwarding order (`ForwardOrder`), each
    /// bag's objects in ordinal order.
    static func startable(_ objects: [Journal.ForwardObject], now: Date, busy: Set<String>) -> [Journal.ForwardObject] {
        eligible(objects, busy: busy).filter { dueDate($0) <= now }
    }

    /// When the next object that `startable` holds back only for its retry time becomes due;
    /// nil when there is none (objects waiting on an earlier phase wake nobody).
    static func nextDue(_ objects: [Journal.ForwardObject], busy: Set<String>) -> Date? {
        eligible(objects, busy: busy).map(dueDate).min()
    }

    /// Pending, not busy, and every earlier phase of the bag verified; due or not.
    private static func eligible(_ objects: [Journal.ForwardObject], busy: Set<String>) -> [Journal.ForwardObject] {
        // The lowest phase of each bag that still has an unverified object.
        var open: [String: Int] = [:]
        for object in objects where object.state != .verified {
            open[object.bagName] = min(open[object.bagName] ?? Int.max, phase(object))
        }
        return objects.filter { object in
            object.state == .pending && !busy.contains(id(object)) && phase(object) <= open[object.bagName] ?? Int.max
        }
    }

    /// An object's identity in the queue.
    static func id(_ object: Journal.ForwardObject) -> String { object.bagName + "/" + object.path }

    private static func dueDate(_ object: Journal.ForwardObject) -> Date {
        object.nextAttemptUTC.flatMap { UTCTimestamp.date($0) } ?? .distantPast
    }
}
