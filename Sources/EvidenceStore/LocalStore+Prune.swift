import Foundation

extension LocalStore {
    /// Takes a final bag out of `bags/` in one durable rename, into `.pruning/`: from then on no
    /// reader or verifier sees it as a bag of this store. Call only for a bag whose copy in the
    /// evidence store was just verified.
    ///
    /// - Returns: where the bag now is, for `removePruned`.
    public func withdrawForPruning(_ name: String) throws(StorageError) -> String {
        try FileIO.makeDirectory(layout.pruningDirectory)
        let target = layout.pruningDirectory + "/" + name
        try FileIO.rename(finalBag(name), target)
        try FileIO.syncDirectory(bagsDirectory)
        try FileIO.syncDirectory(layout.pruningDirectory)
        return target
    }

    /// Deletes a withdrawn bag's files.
    public func removePruned(_ path: String) throws(StorageError) {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw StorageError(operation: "remove the pruned bag", path: path, errno: EIO, detail: "\(error)")
        }
        try FileIO.syncDirectory(layout.pruningDirectory)
    }

    /// Bags withdrawn for pruning whose removal a stop cut short.
    public func withdrawnBags() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: layout.pruningDirectory)) ?? []).sorted()
    }
}
