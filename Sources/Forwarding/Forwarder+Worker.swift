import Foundation
import Journal

/// The worker: starts sends as the schedule allows and upload slots are free, and sleeps until
/// a send ends, new work arrives or the next retry is due.
extension Forwarder {
    func run() async {
        while !Task.isCancelled {
            if let until = pausedUntil, until > Date() {
                try? await Task.sleep(for: .milliseconds(Int64(min(until.timeIntervalSinceNow, 5) * 1000)))
                continue
            }
            // Outside forward-hours nothing starts (Forwarder+Hours); a new bag, a retry or a
            // bag moved to the front wakes the worker, which looks again.
            let (open, opens) = window()
            if !open {
                noteWindow(open: false, opens: opens)
                await sleepOrWake(seconds: min(5, max(0.05, opens?.timeIntervalSinceNow ?? 5)))
                continue
            }
            noteWindow(open: true, opens: nil)
            // Bags in forwarding order (ForwardOrder), read afresh: a bag moved to the front
            // is the next to start.
            let all = ForwardOrder.arrange((try? journal.forwardObjects(unfinishedOnly: true)) ?? [],
                                           bags: (try? journal.forwardBags()) ?? [])
            let busy = Set(sending.keys)
            if sending.count < max(1, settings.uploadsInFlight),
               let object = ForwardSchedule.startable(all, now: Date(), busy: busy).first {
                let id = ForwardSchedule.id(object)
                sending[id] = Task {
                    await self.send(object)
                    self.finished(id)
                }
                continue
            }
            // Nothing to start: sleep until a send ends or new work arrives (both wake us), or
            // the next retry is due (when a send could start).
            let full = sending.count >= max(1, settings.uploadsInFlight)
            let wait = full ? 5 : ForwardSchedule.nextDue(all, busy: busy).map { max(0.05, $0.timeIntervalSinceNow) } ?? 5
            await sleepOrWake(seconds: min(wait, 5))
        }
    }

    func finished(_ id: String) {
        sending[id] = nil
        wakeWorker()
    }

    func sleepOrWake(seconds: Double) async {
        wakeGeneration += 1
        let generation = wakeGeneration
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            wake = c
            Task {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                self.timerFired(generation)
            }
        }
    }

    func timerFired(_ generation: Int) {
        guard generation == wakeGeneration, let w = wake else { return }
        wake = nil
        w.resume()
    }

    func wakeWorker() {
        if let w = wake {
            wake = nil
            w.resume()
        }
    }

    /// Waits for an upload slot (see the type's concurrency note), and first for a window of
    /// `forward-hours`: a part of a multipart object under way waits there when one closes.
    func acquireSlot() async {
        await waitForWindow()
        if freeSlots > 0 {
            freeSlots -= 1
            return
        }
        await withCheckedContinuation { slotWaiters.append($0) }
    }

    func releaseSlot() {
        if slotWaiters.isEmpty {
            freeSlots += 1
        } else {
            slotWaiters.removeFirst().resume()
        }
    }
}
