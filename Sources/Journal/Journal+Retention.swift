extension Journal {
    /// Forgets the history of a bag that was pruned from the local store (Docs/operations.md,
    /// "Local retention"), in one transaction: its forward queue rows (objects and place), its session's file rows
    /// (with each file's catalog listing, kept for the custody record, which the evidence store's
    /// copy of the bag now holds), and its session's meta (the docks' story). The session row stays, finalized, and the ledger is
    /// never touched: what was collected from a recorder is remembered, so the next dock of a
    /// recorder that still holds those recordings does not pull them again.
    public func forgetPrunedBag(_ bag: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.execute("BEGIN IMMEDIATE")
            do throws(JournalError) {
                try db.query("DELETE FROM forward_object WHERE bag_name = ?", [.text(bag)])
                try db.query("DELETE FROM forward_bag WHERE bag_name = ?", [.text(bag)])
                try db.query("DELETE FROM session_file WHERE session_id IN (SELECT id FROM session WHERE bag_name = ?)", [.text(bag)])
                try db.query("UPDATE session SET meta = '{}' WHERE bag_name = ?", [.text(bag)])
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }
}
