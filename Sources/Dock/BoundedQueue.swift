/// A first-in first-out hand-over between one producer task and one consumer task that holds
/// at most `capacity` items: a full queue makes the producer wait (back-pressure), an empty one
/// makes the consumer wait.
actor BoundedQueue<Element: Sendable> {
    private let capacity: Int
    // Popped slots are set to nil at once: a chunk must not stay alive (1 MiB each) after the
    // consumer took it.
    private var items: [Element?] = []
    private var head = 0
    private var finished = false
    private var consumer: CheckedContinuation<Void, Never>?
    private var producer: CheckedContinuation<Void, Never>?

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds an item, waiting while the queue is full. Items pushed after `finish()` are dropped.
    func push(_ item: Element) async {
        while items.count - head >= capacity && !finished {
            await withCheckedContinuation { producer = $0 }
        }
        guard !finished else { return }
        items.append(item)
        wakeConsumer()
    }

    /// The next item, or nil once the queue is finished and drained.
    func pop() async -> Element? {
        while head == items.count {
            if finished { return nil }
            await withCheckedContinuation { consumer = $0 }
        }
        let item = items[head]
        items[head] = nil
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        if let p = producer {
            producer = nil
            p.resume()
        }
        return item!
    }

    /// No more items will come; the consumer drains what is queued, then gets nil.
    func finish() {
        finished = true
        wakeConsumer()
        if let p = producer {
            producer = nil
            p.resume()
        }
    }

    private func wakeConsumer() {
        if let c = consumer {
            consumer = nil
            c.resume()
        }
    }
}
