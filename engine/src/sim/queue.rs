//! The event queue: events ordered by `(time, sequence)` in a binary heap, except each
//! function's next workload arrival, which waits in a slot beside it.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::Simulation;

/// An event; the function, environment slot or queue slot it is for is an index.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ev {
    Arrival {
        f: u16,
    },
    Retry {
        f: u16,
        request: u64,
        attempt: u32,
    },
    Done {
        slot: u32,
    },
    Expire {
        slot: u32,
        gen: u32,
    },
    Ready {
        slot: u32,
    },
    /// A synchronous caller's timeout for the invocation on this environment.
    ClientTimeout {
        slot: u32,
    },
    /// An asynchronous event's retry or backoff is over (or its maximum age is reached).
    AsyncDue {
        f: u16,
        slot: u32,
        gen: u32,
    },
    /// The visibility timeout of an SQS batch ends.
    SqsVisible {
        f: u16,
        batch: u32,
    },
    /// An SQS batching window ends.
    SqsWindow {
        f: u16,
    },
    /// The SQS pollers' once-a-second scaling step.
    SqsTick {
        f: u16,
    },
    /// An SQS poller's backoff after a throttle is over.
    SqsPollerFree {
        f: u16,
    },
    /// A caller's synchronous call to another function ends (answer or caller timeout).
    Resume {
        slot: u32,
        token: u32,
    },
    /// A deployment's traffic shift.
    Deploy {
        d: u16,
        step: u16,
    },
    /// The end of an alarm's period.
    AlarmTick {
        a: u16,
    },
}

// The event queue is the hot path: keep an event in 16 bytes.
const _: () = assert!(std::mem::size_of::<Ev>() <= 16);

/// An event and when it happens; `seq` orders the events of the same time.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scheduled {
    pub(super) t: u64,
    pub(super) seq: u64,
    pub(super) ev: Ev,
}

impl PartialEq for Scheduled {
    fn eq(&self, o: &Self) -> bool {
        (self.t, self.seq) == (o.t, o.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.t, self.seq).cmp(&(o.t, o.seq))
    }
}

/// A function with no next arrival.
const NO_ARRIVAL: (u64, u64) = (u64::MAX, u64::MAX);
const NO_ARRIVAL_FIRST: (u64, u64, u16) = (u64::MAX, u64::MAX, u16::MAX);

/// The events waiting. `peek` takes the earlier of the heap's first and the first arrival, by
/// time then scheduling order, so the order of events is what one heap would give.
#[derive(Debug, Clone)]
pub(super) struct EventQueue {
    heap: BinaryHeap<Reverse<Scheduled>>,
    /// Each function's next workload arrival, `(t, seq)` (`NO_ARRIVAL` when its workload is
    /// over). Kept beside the heap, not in it: the arrivals are half of a plain run's events,
    /// and one slot per function is cheaper than a push and a pop. The order of events is the
    /// same.
    arrivals: Vec<(u64, u64)>,
    /// The earliest of `arrivals`: `(t, seq, function)`, `t` `u64::MAX` for none.
    first_arrival: (u64, u64, u16),
    /// The sequence number of the event scheduled last.
    seq: u64,
}

impl EventQueue {
    /// An empty queue for `functions` functions.
    pub(super) fn new(functions: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            arrivals: vec![NO_ARRIVAL; functions],
            first_arrival: NO_ARRIVAL_FIRST,
            seq: 0,
        }
    }

    /// The next event: the heap's first or the first arrival, whichever comes first.
    #[inline]
    pub(super) fn peek(&self) -> Option<Scheduled> {
        let (t, seq, f) = self.first_arrival;
        match self.heap.peek() {
            Some(Reverse(s)) if t == u64::MAX || (s.t, s.seq) < (t, seq) => Some(*s),
            _ if t == u64::MAX => None,
            _ => Some(Scheduled {
                t,
                seq,
                ev: Ev::Arrival { f },
            }),
        }
    }

    /// Removes `next`, the event `peek` returned.
    #[inline]
    pub(super) fn remove(&mut self, next: &Scheduled) {
        match next.ev {
            Ev::Arrival { f } => self.set_arrival(usize::from(f), NO_ARRIVAL),
            _ => {
                self.heap.pop();
            }
        }
    }

    /// Sets function `f`'s next arrival (`NO_ARRIVAL` for none) and finds the first of all.
    /// Plain integers, not an `Option` of a tuple: a value rebuilt in memory from two halves
    /// stalls the load that reads it whole, and this runs twice per arrival.
    #[inline]
    fn set_arrival(&mut self, f: usize, (t, seq): (u64, u64)) {
        self.arrivals[f] = (t, seq);
        let (ft, fs, ff) = self.first_arrival;
        if t != u64::MAX && (t, seq) < (ft, fs) {
            // Earlier than the first (or there is none): this one is.
            self.first_arrival = (t, seq, f as u16);
        } else if usize::from(ff) == f {
            // The first was this function's: find the new one.
            let mut best = NO_ARRIVAL_FIRST;
            for (i, &(t, seq)) in self.arrivals.iter().enumerate() {
                if (t, seq) < (best.0, best.1) {
                    best = (t, seq, i as u16);
                }
            }
            self.first_arrival = best;
        }
    }

    /// Schedules `ev` at `t`, after every event already scheduled for `t`.
    #[inline]
    pub(super) fn schedule(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        if let Ev::Arrival { f } = ev {
            self.set_arrival(usize::from(f), (t, self.seq));
            return;
        }
        self.heap.push(Reverse(Scheduled {
            t,
            seq: self.seq,
            ev,
        }));
    }

    /// The events waiting in the heap (not the arrivals), in no particular order.
    pub(super) fn pending(&self) -> impl Iterator<Item = &Scheduled> {
        self.heap.iter().map(|Reverse(s)| s)
    }

    /// Events waiting in the heap (arrivals not included: there is one per function).
    #[inline]
    pub(super) fn heap_len(&self) -> usize {
        self.heap.len()
    }

    /// Events waiting, arrivals included.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.heap.len() + self.arrivals.iter().filter(|a| a.0 != u64::MAX).count()
    }
}

impl Simulation {
    /// Schedules `ev` at `t`.
    pub(super) fn schedule(&mut self, t: u64, ev: Ev) {
        self.queue.schedule(t, ev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(q: &mut EventQueue) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        while let Some(next) = q.peek() {
            q.remove(&next);
            out.push((next.t, next.seq));
        }
        out
    }

    #[test]
    fn events_come_out_by_time_then_scheduling_order() {
        let mut q = EventQueue::new(0);
        q.schedule(30, Ev::Done { slot: 0 });
        q.schedule(10, Ev::Done { slot: 1 });
        q.schedule(30, Ev::Ready { slot: 2 });
        q.schedule(10, Ev::Ready { slot: 3 });
        assert_eq!(drain(&mut q), vec![(10, 2), (10, 4), (30, 1), (30, 3)]);
        assert!(q.peek().is_none());
    }

    #[test]
    fn arrivals_beside_the_heap_keep_the_order_one_heap_would_give() {
        let mut q = EventQueue::new(3);
        q.schedule(20, Ev::Arrival { f: 2 }); // seq 1
        q.schedule(20, Ev::Done { slot: 0 }); // seq 2
        q.schedule(5, Ev::Arrival { f: 0 }); // seq 3
        q.schedule(20, Ev::Arrival { f: 1 }); // seq 4
        q.schedule(5, Ev::Done { slot: 1 }); // seq 5
        assert_eq!(q.len(), 5);
        let order = drain(&mut q);
        assert_eq!(order, vec![(5, 3), (5, 5), (20, 1), (20, 2), (20, 4)]);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn a_function_has_one_arrival_slot_and_a_new_one_replaces_it() {
        let mut q = EventQueue::new(2);
        q.schedule(50, Ev::Arrival { f: 0 });
        q.schedule(40, Ev::Arrival { f: 1 });
        let first = q.peek().map(|s| (s.t, s.ev));
        assert!(matches!(first, Some((40, Ev::Arrival { f: 1 }))));
        if let Some(next) = q.peek() {
            q.remove(&next);
        }
        // Function 1's next arrival, later than function 0's.
        q.schedule(60, Ev::Arrival { f: 1 });
        assert_eq!(drain(&mut q), vec![(50, 1), (60, 3)]);
    }
}
