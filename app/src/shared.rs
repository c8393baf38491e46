//! A value shared between signals without copying it: equality is identity, so a memo holding
//! a fresh report always notifies, and no one compares or clones megabytes of report.

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

static SERIAL: AtomicU64 = AtomicU64::new(0);

/// A reference-counted value whose equality is pointer identity.
#[derive(Debug)]
pub struct Shared<T>(Arc<T>, u64);

impl<T> Shared<T> {
    /// Wraps a value.
    pub fn new(v: T) -> Self {
        Shared(Arc::new(v), SERIAL.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// A number no other value wrapped in this run of the app has: the page shows it
    /// (`data-run`) so that tests and the benchmark see each re-run, even one whose figures
    /// did not change.
    pub fn serial(&self) -> u64 {
        self.1
    }

    /// A handle that says whether the value is still held anywhere, without holding it.
    pub fn downgrade(&self) -> Weak<T> {
        Arc::downgrade(&self.0)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0), self.1)
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
