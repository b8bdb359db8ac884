//! [`Extension`]: state that a layer above the engine core keeps in a store
//! without the core knowing its type.
//!
//! The component model keeps its run-time state (component instances,
//! handle tables, active calls) here: the store owns it and drops it with
//! the rest of its state, but no module of the engine core names it, so the
//! core does not depend on the component model.

use std::any::Any;
use std::sync::OnceLock;

/// One value of a type chosen by the layer that uses it, created on first
/// access (with `T::default()`).
#[derive(Default)]
pub(crate) struct Extension(OnceLock<Box<dyn Any + Send + Sync>>);

impl Extension {
    /// The extension's value, created if it does not exist yet.
    ///
    /// A store has one extension type: the component model's state is the
    /// only user, so a second type is a bug in wazi, not in its input.
    pub fn get<T: Any + Send + Sync + Default>(&self) -> &T {
        let v = self.0.get_or_init(|| Box::new(T::default()));
        v.downcast_ref().expect("a store holds one extension type")
    }

    /// The extension's value, mutably, created if it does not exist yet.
    pub fn get_mut<T: Any + Send + Sync + Default>(&mut self) -> &mut T {
        self.get::<T>();
        let v = self.0.get_mut().expect("initialised just above");
        v.downcast_mut().expect("a store holds one extension type")
    }
}

#[cfg(test)]
mod tests {
    use super::Extension;

    #[test]
    fn created_on_first_use_and_kept() {
        let mut e = Extension::default();
        assert_eq!(*e.get::<Vec<u32>>(), Vec::<u32>::new());
        e.get_mut::<Vec<u32>>().push(7);
        assert_eq!(*e.get::<Vec<u32>>(), vec![7]);
    }
}
