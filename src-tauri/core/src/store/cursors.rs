//! Poller positions that survive restarts.

use super::key_value::Table;
use super::{Store, StoreError};

impl Store {
    pub fn cursor(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.get_value(Table::SyncCursors, name)
    }

    pub fn set_cursor(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.put_value(Table::SyncCursors, name, value)
    }
}
