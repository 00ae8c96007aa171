//! The batches of a Stella queue (`<queue/>`): a first-in, first-out ring of batch volumes,
//! sized when a run starts, and what the queue's outflow takes from its front each step.
//!
//! The queue's value is an ordinary stock (its inflows less its outflows); the ring only
//! tracks how that value is split into batches, which decides how much a constrained outflow
//! can take. A step's inputs are kept as pending and committed when the next step is first
//! evaluated, so evaluating a step twice (the report pass) gives the same result and changes
//! nothing.

use crate::compile::belts::Take;

/// The batches of one queue during a run.
#[derive(Debug, Clone, Default)]
pub struct QueueState {
    /// Batch volumes, `len` of them from `head` (wrapping around).
    ring: Vec<f64>,
    head: usize,
    len: usize,
    /// The step the batches are the contents of (at its start); `usize::MAX` before the run.
    at: usize,
    /// The volume each inflow brings during step `at`.
    pending_in: Vec<f64>,
    /// The volume the queue's outflows take during step `at`.
    pending_out: f64,
}

impl QueueState {
    /// Empties the ring and sizes it for `batches` batches and `inflows` inflows; called when
    /// a run starts, so the steps allocate nothing.
    pub fn reset(&mut self, batches: usize, inflows: usize) {
        self.ring.clear();
        self.ring.resize(batches.max(1), 0.0);
        self.pending_in.clear();
        self.pending_in.resize(inflows, 0.0);
        (self.head, self.len, self.at, self.pending_out) = (0, 0, usize::MAX, 0.0);
    }

    fn push(&mut self, v: f64) {
        if self.len < self.ring.len() {
            let at = (self.head + self.len) % self.ring.len();
            self.ring[at] = v;
            self.len += 1;
        } else if self.len > 0 {
            // Unreachable with the ring sized for every step's batches; merging into the last
            // batch keeps the total right if it ever happens.
            let last = (self.head + self.len - 1) % self.ring.len();
            self.ring[last] += v;
        }
    }

    /// Removes `volume` from the front, splitting the last batch it reaches.
    fn pop(&mut self, mut volume: f64) {
        while volume > 0.0 && self.len > 0 {
            let front = &mut self.ring[self.head];
            if *front <= volume * (1.0 + 1e-12) {
                volume -= *front;
                self.head = (self.head + 1) % self.ring.len();
                self.len -= 1;
            } else {
                *front -= volume;
                volume = 0.0;
            }
        }
    }

    /// Brings the batches to the start of step `step`: the first call of a run puts the
    /// queue's initial value in one batch; a later step commits the previous step's inputs.
    fn advance(&mut self, step: usize, initial: f64, restart: bool) {
        if restart || self.at == usize::MAX || step < self.at {
            (self.head, self.len, self.pending_out) = (0, 0, 0.0);
            self.pending_in.iter_mut().for_each(|v| *v = 0.0);
            if initial > 0.0 {
                self.push(initial);
            }
            self.at = step;
        } else if step > self.at {
            for j in 0..self.pending_in.len() {
                let v = self.pending_in[j];
                if v > 0.0 {
                    self.push(v);
                }
            }
            self.pop(self.pending_out);
            self.at = step;
        }
    }

    /// The batches in order: those queued, then this step's arrivals.
    fn batches<'a>(&'a self, arrivals: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
        let n = self.ring.len();
        (0..self.len)
            .map(move |i| self.ring[(self.head + i) % n])
            .chain(arrivals.iter().copied().filter(|v| *v > 0.0))
    }

    /// The volumes the outflow takes and would have taken (what it wanted) during `step`,
    /// with `arrivals` the volume each inflow brings this step and `room` the most the
    /// outflow may take. Records the step's inputs for the next step.
    pub fn take(
        &mut self,
        step: usize,
        initial: f64,
        restart: bool,
        arrivals: impl Iterator<Item = f64>,
        room: f64,
        how: Take,
    ) -> (f64, f64) {
        self.advance(step, initial, restart);
        for (p, v) in self.pending_in.iter_mut().zip(arrivals) {
            *p = if v > 0.0 { v } else { 0.0 };
        }
        let room = if room.is_nan() { 0.0 } else { room.max(0.0) };
        let fits = |v: f64| v <= room * (1.0 + 1e-12);
        let (mut taken, mut wanted) = (0.0, 0.0);
        let mut blocked = false;
        for b in self.batches(&self.pending_in) {
            wanted += b;
            if !blocked {
                if fits(taken + b) {
                    taken += b;
                } else {
                    if !how.whole {
                        taken = room.max(taken);
                    }
                    blocked = true;
                }
            }
            if how.single {
                break;
            }
        }
        self.pending_out = if how.overflow { wanted } else { taken };
        (taken, wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: Take = Take {
        single: true,
        whole: false,
        overflow: false,
    };

    #[test]
    fn batches_leave_first_in_first_out() {
        let mut q = QueueState::default();
        q.reset(8, 1);
        // Step 0: an initial batch of 5 and an arrival of 3; room 4 splits the front batch.
        assert_eq!(
            q.take(0, 5.0, true, [3.0].into_iter(), 4.0, SINGLE),
            (4.0, 5.0)
        );
        // Evaluating the step again changes nothing.
        assert_eq!(
            q.take(0, 5.0, false, [3.0].into_iter(), 4.0, SINGLE),
            (4.0, 5.0)
        );
        // Step 1: batches 1, 3 and an arrival of 2; the front batch (1) fits.
        assert_eq!(
            q.take(1, 5.0, false, [2.0].into_iter(), 4.0, SINGLE),
            (1.0, 1.0)
        );
        // Step 2: batches 3, 2; all at once with room 4 takes 3 and splits 1 off the next.
        let many = Take {
            single: false,
            ..SINGLE
        };
        assert_eq!(
            q.take(2, 5.0, false, [0.0].into_iter(), 4.0, many),
            (4.0, 5.0)
        );
        // Whole batches only: 1 is left, and a room of 0.5 takes nothing.
        let whole = Take {
            whole: true,
            ..SINGLE
        };
        assert_eq!(
            q.take(3, 5.0, false, [0.0].into_iter(), 0.5, whole),
            (0.0, 1.0)
        );
    }
}
