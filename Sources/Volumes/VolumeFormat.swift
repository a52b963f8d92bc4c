/// A file system the readers know: how to recognise its boot sector and how to read a volume
/// of it. `Medium` tries them in order on the first sector of every partition it finds (and of
/// the medium, for a superfloppy), so adding a file system is one entry in `known`.
struct VolumeFormat: Sendable {
    typealias Reader = @Sendable (_ source: any BlockSource, _ offset: UInt64, _ length: UInt64,
                                  _ scheme: VolumeIdentity.PartitionScheme, _ partitionNumber: Int?,
                                  _ limits: VolumeLimits) async throws -> VolumeListing
    let name: String
    /// Whether the volume's first 512 bytes are this file system's boot sector (cheap, no I/O).
    let recognises: @Sendable (_ bootSector: [UInt8]) -> Bool
    /// Reads the whole volume. Throws `VolumeError` when the volume, though recognised, cannot
    /// be read at all; the source's own errors pass through.
    let read: Reader

    /// Every file system this build reads, tried in this order: the first that recognises a
    /// boot sector reads it (an exFAT boot sector's BPB is zero, so FAT never claims one).
    static let known: [VolumeFormat] = [.fat, .exFAT]
}

extension VolumeFormat {
    static let fat = VolumeFormat(
        name: "FAT",
        recognises: { FATBootSector.recognises($0) },
        read: { try await FATVolume.read(source: $0, offset: $1, length: $2, scheme: $3, partitionNumber: $4, limits: $5) })

    static let exFAT = VolumeFormat(
        name: "exFAT",
        recognises: { ExFATVolume.recognises($0) },
        read: { try await ExFATVolume.read(source: $0, offset: $1, length: $2, scheme: $3, partitionNumber: $4, limits: $5) })
}
