/// Which boot region (main: sectors 0–11, backup: sectors 12–23) describes the volume, and
/// what was wrong with the other.
struct ExFATBootRegion: Sendable {
    var bootSector: ExFATBootSector
    var anomalies: [VolumeAnomaly]

    /// The bytes to read from the volume's start to see both regions at the largest sector size.
    static let bytesToRead = 24 << 12

    /// Chooses a boot region from the volume's first bytes (up to `bytesToRead`).
    ///
    /// A main region whose boot sector is consistent and whose checksum sector matches is used
    /// as is. Otherwise the backup region is tried (at each possible sector size, since the main
    /// sector's size field may be the damaged part); a good backup is used with a
    /// "bad-boot-sector" anomaly. A boot sector with consistent fields but a wrong checksum is
    /// used only when neither region is wholly good, with a "bad-boot-checksum" anomaly.
    /// Throws `noVolume` when neither boot sector is consistent.
    static func choose(from bytes: [UInt8]) throws(VolumeError) -> ExFATBootRegion {
        var mainProblem: String
        var mainFields: ExFATBootSector?
        do {
            let sector = try ExFATBootSector(parsing: bytes[...])
            if ExFATBootSector.checksumMatches(region: bytes[...], bytesPerSector: sector.bytesPerSector) {
                return ExFATBootRegion(bootSector: sector, anomalies: [])
            }
            mainFields = sector
            mainProblem = "the main boot region's checksum sector does not match sectors 0–10"
        } catch {
            mainProblem = "main boot sector: \(error.reason)"
        }

        var backupProblem = "backup boot sector: not found at any sector size"
        var backupFields: ExFATBootSector?
        for shift in 9...12 {
            let start = 12 << shift
            guard start + 512 <= bytes.count else { break }
            do {
                let sector = try ExFATBootSector(parsing: bytes[start...])
                // A backup found at the wrong sector size is a coincidence, not a backup.
                guard sector.bytesPerSectorShift == shift else { continue }
                if ExFATBootSector.checksumMatches(region: bytes[start...], bytesPerSector: sector.bytesPerSector) {
                    return ExFATBootRegion(bootSector: sector, anomalies: [
                        VolumeAnomaly("bad-boot-sector", "\(mainProblem); the backup boot region (sectors 12–23) is used"),
                    ])
                }
                backupFields = backupFields ?? sector
                backupProblem = "the backup boot region's checksum does not match"
            } catch {
                if backupFields == nil, shift == 9 { backupProblem = "backup boot sector: \(error.reason)" }
            }
        }

        if let mainFields {
            return ExFATBootRegion(bootSector: mainFields, anomalies: [
                VolumeAnomaly("bad-boot-checksum", "\(mainProblem) and \(backupProblem); the main boot sector's fields are used"),
            ])
        }
        if let backupFields {
            return ExFATBootRegion(bootSector: backupFields, anomalies: [
                VolumeAnomaly("bad-boot-sector", "\(mainProblem); the backup boot sector is used"),
                VolumeAnomaly("bad-boot-checksum", backupProblem),
            ])
        }
        throw .noVolume("exFAT \(mainProblem); \(backupProblem)")
    }
}
