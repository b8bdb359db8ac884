//! Resource limits of a store, in the spirit of wasmtime's `StoreLimits`.

use anyhow::Result;

/// Decides whether memories and tables may grow, and how many instances,
/// memories and tables a store may hold.
pub trait ResourceLimiter {
    /// A memory wants to grow from `current` to `desired` bytes (`maximum`
    /// is its type's maximum). `Ok(false)` makes the grow fail (`-1` to
    /// wasm); an error traps.
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool>;

    /// A memory could not grow for a reason other than this limiter.
    fn memory_grow_failed(&mut self, _error: anyhow::Error) -> Result<()> {
        Ok(())
    }

    /// A table wants to grow from `current` to `desired` elements.
    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool>;

    /// A table could not grow for a reason other than this limiter.
    fn table_grow_failed(&mut self, _error: anyhow::Error) -> Result<()> {
        Ok(())
    }

    /// The most instances the store may hold.
    fn instances(&self) -> usize {
        DEFAULT_INSTANCE_LIMIT
    }

    /// The most tables the store may hold.
    fn tables(&self) -> usize {
        DEFAULT_TABLE_LIMIT
    }

    /// The most memories the store may hold.
    fn memories(&self) -> usize {
        DEFAULT_MEMORY_LIMIT
    }
}

pub const DEFAULT_INSTANCE_LIMIT: usize = 10_000;
pub const DEFAULT_TABLE_LIMIT: usize = 10_000;
pub const DEFAULT_MEMORY_LIMIT: usize = 10_000;

/// A [`ResourceLimiter`] with fixed limits, built by [`StoreLimitsBuilder`].
#[derive(Clone, Debug)]
pub struct StoreLimits {
    memory_size: Option<usize>,
    table_elements: Option<usize>,
    instances: usize,
    tables: usize,
    memories: usize,
    trap_on_grow_failure: bool,
}

impl Default for StoreLimits {
    fn default() -> StoreLimits {
        StoreLimits {
            memory_size: None,
            table_elements: None,
            instances: DEFAULT_INSTANCE_LIMIT,
            tables: DEFAULT_TABLE_LIMIT,
            memories: DEFAULT_MEMORY_LIMIT,
            trap_on_grow_failure: false,
        }
    }
}

/// Builds [`StoreLimits`].
#[derive(Clone, Debug, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    /// No limits on memory and table sizes; at most 10,000 instances,
    /// tables and memories, as without a limiter.
    pub fn new() -> StoreLimitsBuilder {
        StoreLimitsBuilder::default()
    }

    /// The most bytes any one linear memory may have.
    pub fn memory_size(mut self, bytes: usize) -> StoreLimitsBuilder {
        self.0.memory_size = Some(bytes);
        self
    }

    /// The most elements any one table may have.
    pub fn table_elements(mut self, elements: usize) -> StoreLimitsBuilder {
        self.0.table_elements = Some(elements);
        self
    }

    /// The most instances the store may hold (counting every module
    /// instance, also those inside components); creating one more fails.
    pub fn instances(mut self, n: usize) -> StoreLimitsBuilder {
        self.0.instances = n;
        self
    }

    /// The most tables the store may hold; creating one more fails.
    pub fn tables(mut self, n: usize) -> StoreLimitsBuilder {
        self.0.tables = n;
        self
    }

    /// The most memories the store may hold; creating one more fails.
    pub fn memories(mut self, n: usize) -> StoreLimitsBuilder {
        self.0.memories = n;
        self
    }

    /// Trap instead of failing the grow when a limit is exceeded.
    pub fn trap_on_grow_failure(mut self, trap: bool) -> StoreLimitsBuilder {
        self.0.trap_on_grow_failure = trap;
        self
    }

    /// The limits, to install with [`crate::Store::limiter`].
    pub fn build(self) -> StoreLimits {
        self.0
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> Result<bool> {
        match self.memory_size {
            Some(limit) if desired > limit => {
                if self.trap_on_grow_failure {
                    anyhow::bail!("forcing trap when growing memory to {desired} bytes");
                }
                Ok(false)
            }
            _ => Ok(true),
        }
    }

    fn memory_grow_failed(&mut self, error: anyhow::Error) -> Result<()> {
        if self.trap_on_grow_failure { Err(error) } else { Ok(()) }
    }

    fn table_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> Result<bool> {
        match self.table_elements {
            Some(limit) if desired > limit => {
                if self.trap_on_grow_failure {
                    anyhow::bail!("forcing trap when growing table to {desired} elements");
                }
                Ok(false)
            }
            _ => Ok(true),
        }
    }

    fn table_grow_failed(&mut self, error: anyhow::Error) -> Result<()> {
        if self.trap_on_grow_failure { Err(error) } else { Ok(()) }
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.tables
    }

    fn memories(&self) -> usize {
        self.memories
    }
}
