import Settings

extension ForwardSettings {
    /// The object key of a file of a bag: `PREFIX/BAG/PATH`, or `BAG/PATH` without a prefix.
    public func key(bag: String, path: String) -> String {
        (prefix.isEmpty ? "" : prefix + "/") + bag + "/" + path
    }
}
