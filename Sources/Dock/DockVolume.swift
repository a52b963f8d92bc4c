import Journal
import RecorderHAL

/// One bag's worth of a dock: a volume of the recorder's medium and the catalog entries on it.
///
/// A recorder with one implicit volume (protocol v1, a medium with one volume) is one
/// `DockVolume` with the empty key and the whole catalog: one bag per dock, as always. A medium
/// with several volumes is one per volume, in the medium's order, each sealed as a bag of its
/// own whose paths are the volume's and whose custody record describes that volume only.
struct DockVolume {
    /// `SourceMedium.Volume.key`; empty for the one implicit volume.
    var key: String
    /// 1-based place on the medium, for the bag's name; nil for the implicit volume and for a
    /// volume the medium no longer has.
    var number: Int?
    /// The medium restricted to this volume (`SourceMedium.restricted`), nil for the implicit
    /// volume (whose record describes the whole medium, when the family reads one) and for a
    /// volume the medium no longer has.
    var medium: SourceMedium?
    /// Its index in the medium as first listed; nil as for `medium`.
    var index: Int?
    var catalog: [CatalogEntry]
    /// True for the one implicit volume that holds the whole catalog (a recorder with fewer
    /// than two volumes): its custody record describes the whole medium, and its source check
    /// compares the whole listing.
    var whole = false
    /// False for a volume known only from an open session of the recorder, which the medium
    /// no longer has: its session is continued (and sealed) but never opened anew.
    var listed = true

    /// The volumes of a dock: first one with no entries for each open session of the recorder
    /// whose volume the medium no longer has (`openKeys`), so that its staged files are sealed as
    /// they stand (`vanished`) rather than left in staging for good; then those of the medium as
    /// first listed (`catalog`, `medium` and `volumeOf` from the same listing). The sessions of
    /// vanished volumes go first so that the ledger holds what they staged before the medium's
    /// volumes are planned: a file staged under a session of an earlier gateway (the empty key,
    /// from before one bag per volume) whose source key still matches is then not read again
    /// into a second bag.
    ///
    /// With fewer than two volumes on the medium there is one implicit volume holding every
    /// entry. An entry whose volume the recorder cannot name goes to the implicit volume.
    static func split(_ catalog: [CatalogEntry], medium: SourceMedium?, volumeOf: (UInt32) -> Int?,
                      openKeys: [String]) -> [DockVolume] {
        var volumes: [DockVolume]
        if let medium, medium.volumes.count > 1 {
            volumes = medium.volumes.enumerated().map { index, volume in
                DockVolume(key: volume.key, number: index + 1, medium: medium.restricted(toVolume: volume.key)?.medium,
                           index: index, catalog: [])
            }
            var unplaced: [CatalogEntry] = []
            for entry in catalog {
                if let v = volumeOf(entry.id), volumes.indices.contains(v) {
                    volumes[v].catalog.append(entry)
                } else {
                    unplaced.append(entry)
                }
            }
            if !unplaced.isEmpty { volumes.append(DockVolume(key: "", catalog: unplaced)) }
        } else {
            volumes = [DockVolume(key: "", catalog: catalog, whole: true)]
        }
        let listed = Set(volumes.map(\.key))
        var seen = Set<String>()
        var gone: [DockVolume] = []
        for key in openKeys where !listed.contains(key) && seen.insert(key).inserted {
            gone.append(DockVolume(key: key, catalog: [], listed: false))
        }
        return gone + volumes
    }
}

/// A bag a dock sealed, and the recordings of its volume that earlier bags hold: what release
/// considers once every volume's bag is sealed.
///
/// The bag's files are not held here but read again from the journal when released: with a
/// large catalog the session's rows are MBs, which were held through the seal's peak (#11).
struct SealedVolume {
    /// The sealed bag's path; nil when the volume had nothing new (no bag).
    var bagPath: String?
    /// The journal's session of the volume, whose files are the bag's.
    var session: Int64
    var previouslyIngested: [(CatalogEntry, Journal.LedgerEntry)]
}
