//! An ordered, bounded worker pool: the one way crateship's writers use more
//! than one core.
//!
//! Jobs are handed to worker threads, each with its own state (a compressor, a
//! scratch buffer); results come back from [`OrderedPool::take`] in submission
//! order, whatever order the workers finish in. A writer that writes results in
//! that order therefore writes the same bytes for any thread count. At most
//! `window` jobs are in flight ([`OrderedPool::submit`] first hands back the
//! oldest result when the window is full), so memory stays bounded whatever the
//! input size. With one worker, jobs run inline on the caller's thread.
//!
//! A panic in a job is resumed on the thread that takes its result. Dropping the
//! pool (e.g. when the writer gives up on an error) waits only for the jobs being
//! worked on: queued ones are skipped.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

type Outcome<T> = std::thread::Result<T>;

/// What a worker runs: the job and where its result goes.
type Task<J, T> = (J, mpsc::SyncSender<Outcome<T>>);

enum Slot<T> {
    Ready(T),
    Waiting(Receiver<Outcome<T>>),
}

enum Workers<J, T> {
    Threads {
        tasks: Option<Sender<Task<J, T>>>,
        handles: Vec<JoinHandle<()>>,
        /// Set when the pool is dropped: workers skip what is still queued.
        closed: Arc<AtomicBool>,
    },
    Inline(Box<dyn FnMut(J) -> T + Send>),
}

/// Worker threads whose results are taken back in submission order.
pub struct OrderedPool<J: Send + 'static, T: Send + 'static> {
    workers: Workers<J, T>,
    pending: VecDeque<Slot<T>>,
    window: usize,
}

/// The number of threads to use when the caller asks for `requested` (0: one
/// per core).
pub fn threads(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

impl<J: Send + 'static, T: Send + 'static> OrderedPool<J, T> {
    /// A pool with one worker per element of `states`, each running
    /// `work(&mut its_state, job)`, and room for `window` jobs in flight (at
    /// least one per worker). One state runs jobs inline.
    pub fn new<S, F>(states: Vec<S>, window: usize, work: F) -> OrderedPool<J, T>
    where
        S: Send + 'static,
        F: Fn(&mut S, J) -> T + Send + Sync + 'static,
    {
        let count = states.len().max(1);
        let window = window.max(count);
        let mut states = states;
        if states.len() <= 1 {
            let mut state = states.pop();
            let inline = move |job: J| match &mut state {
                Some(s) => work(s, job),
                None => unreachable!("a pool is made with at least one worker state"),
            };
            return OrderedPool {
                workers: Workers::Inline(Box::new(inline)),
                pending: VecDeque::new(),
                window,
            };
        }
        let (tx, rx) = mpsc::channel::<Task<J, T>>();
        let rx = Arc::new(Mutex::new(rx));
        let work = Arc::new(work);
        let closed = Arc::new(AtomicBool::new(false));
        let handles = states
            .into_iter()
            .map(|mut state| {
                let rx = Arc::clone(&rx);
                let work = Arc::clone(&work);
                let closed = Arc::clone(&closed);
                std::thread::spawn(move || {
                    loop {
                        let task = match rx.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok((job, reply)) = task else { return };
                        if closed.load(Ordering::Relaxed) {
                            return;
                        }
                        let outcome =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                work(&mut state, job)
                            }));
                        // The pool is gone only when its owner gave up: nothing to report.
                        let _ = reply.send(outcome);
                    }
                })
            })
            .collect();
        OrderedPool {
            workers: Workers::Threads {
                tasks: Some(tx),
                handles,
                closed,
            },
            pending: VecDeque::new(),
            window,
        }
    }

    /// A pool of `threads` workers (0: one per core) without per-worker state.
    pub fn stateless<F>(threads: usize, window: usize, work: F) -> OrderedPool<J, T>
    where
        F: Fn(J) -> T + Send + Sync + 'static,
    {
        let states = vec![(); self::threads(threads)];
        OrderedPool::new(states, window, move |_: &mut (), job| work(job))
    }

    /// Whether the window is full (the next [`submit`](Self::submit) first takes a result).
    pub fn is_full(&self) -> bool {
        self.pending.len() >= self.window
    }

    /// Whether any result is still to be taken.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Queues `job`. When the window is full, first waits for the oldest job and
    /// returns its result (the caller writes it before going on).
    pub fn submit(&mut self, job: J) -> Option<T> {
        let oldest = if self.is_full() { self.take() } else { None };
        match &mut self.workers {
            Workers::Inline(work) => self.pending.push_back(Slot::Ready(work(job))),
            Workers::Threads { tasks, .. } => {
                let (reply, result) = mpsc::sync_channel(1);
                if let Some(tasks) = tasks {
                    // Sending fails only if every worker is gone (a worker panic is
                    // caught and reported through `reply`); `take` then panics.
                    let _ = tasks.send((job, reply));
                }
                self.pending.push_back(Slot::Waiting(result));
            }
        }
        oldest
    }

    /// Waits for the oldest job and returns its result; `None` when nothing is pending.
    pub fn take(&mut self) -> Option<T> {
        match self.pending.pop_front()? {
            Slot::Ready(t) => Some(t),
            Slot::Waiting(rx) => match rx.recv() {
                Ok(Ok(t)) => Some(t),
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                Err(_) => panic!("a worker thread of the pool stopped"),
            },
        }
    }

    /// Takes every pending result, in order.
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.take())
    }
}

impl<J: Send + 'static, T: Send + 'static> Drop for OrderedPool<J, T> {
    fn drop(&mut self) {
        if let Workers::Threads {
            tasks,
            handles,
            closed,
        } = &mut self.workers
        {
            // Closing the queue ends each worker after its current job.
            closed.store(true, Ordering::Relaxed);
            *tasks = None;
            self.pending.clear();
            for handle in handles.drain(..) {
                let _ = handle.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn run(threads: usize) -> Vec<u64> {
        let mut pool = OrderedPool::stateless(threads, 4, |i: u64| {
            std::thread::sleep(Duration::from_millis(20 - i));
            i * 10
        });
        let mut got = Vec::new();
        for i in 0..20u64 {
            got.extend(pool.submit(i));
        }
        got.extend(pool.drain());
        got
    }

    #[test]
    fn results_come_back_in_submission_order_for_any_thread_count() {
        let expected: Vec<u64> = (0..20).map(|i| i * 10).collect();
        for threads in [1, 2, 3, 8] {
            assert_eq!(run(threads), expected, "{threads} threads");
        }
    }

    #[test]
    fn workers_keep_their_own_state() {
        let states: Vec<Vec<u8>> = vec![Vec::new(), Vec::new()];
        let mut pool = OrderedPool::new(states, 2, |scratch: &mut Vec<u8>, n: usize| {
            scratch.clear();
            scratch.resize(n, 1);
            scratch.iter().map(|&b| b as usize).sum::<usize>()
        });
        let mut got = Vec::new();
        for n in 0..10 {
            got.extend(pool.submit(n));
        }
        got.extend(pool.drain());
        assert_eq!(got, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn at_most_window_jobs_are_in_flight() {
        let mut pool = OrderedPool::stateless(2, 3, |i: u32| i);
        for i in 0..3 {
            assert!(pool.submit(i).is_none());
        }
        assert!(pool.is_full());
        assert_eq!(pool.submit(3), Some(0));
    }

    #[test]
    fn dropping_the_pool_skips_the_queued_jobs() {
        let ran = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&ran);
        let mut pool = OrderedPool::stateless(2, 100, move |_: u32| {
            std::thread::sleep(Duration::from_millis(20));
            counter.fetch_add(1, Ordering::Relaxed);
        });
        for i in 0..100 {
            pool.submit(i);
        }
        drop(pool);
        let ran = ran.load(Ordering::Relaxed);
        assert!(ran < 10, "{ran} of 100 queued jobs ran after the drop");
    }

    #[test]
    fn a_panicking_job_panics_the_taker() {
        let caught = std::panic::catch_unwind(|| {
            let mut pool = OrderedPool::stateless(2, 2, |i: u32| {
                assert!(i != 1, "job {i} fails");
                i
            });
            pool.submit(0);
            pool.submit(1);
            pool.drain().count()
        });
        assert!(caught.is_err());
    }
}
