import MassStorageProtocol

extension LinkModel {
    /// Time one Bulk-Only Transport command takes on this link: its CBW (31 bytes), its data
    /// phase of `dataBytes` (none when 0) and its CSW (13 bytes), one transfer after the other,
    /// each occupying the bus for `busTime` and then costing `latency` before the host sees it
    /// complete and starts the next (BOT has one command, and here one transfer, in flight).
    /// Nil on an unlimited link.
    public func bulkOnlyCommandTime(dataBytes: Int) -> Duration? {
        guard let cbw = busTime(forTransferOf: CommandBlockWrapper.size),
              let csw = busTime(forTransferOf: CommandStatusWrapper.size),
              let data = busTime(forTransferOf: dataBytes) else { return nil }
        let transfers = dataBytes > 0 ? 3 : 2
        return cbw + csw + (dataBytes > 0 ? data : .zero) + latency * transfers
    }

    /// The most data bytes per second READ commands of `readBytes` each can move over BOT on
    /// this link: what a mass-storage pull is compared against. Nil on an unlimited link.
    public func bulkOnlyCapacity(readBytes: Int) -> Double? {
        guard readBytes > 0, let t = bulkOnlyCommandTime(dataBytes: readBytes) else { return nil }
        let seconds = Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18
        return Double(readBytes) / seconds
    }
}
