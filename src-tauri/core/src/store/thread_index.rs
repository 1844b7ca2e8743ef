//! The thread index (`messages_thread`: texts by thread and time) opens a chat and finds a
//! failed text's later copies. A first back-fill stores tens of thousands of texts into an empty
//! table, and keeping this index up to date text by text means an insert at a random place for
//! every one of them; building it once from all the rows sorts them instead, for about half the
//! cost. So a back-fill into an empty table goes without the index and the sync engine builds it
//! when the back-fill ends, and in its first cycle if the app stopped in between. Opening the
//! store does not: a command run beside an app that is back-filling would wait for the write
//! lock. Chats opened meanwhile read the table without the index, a few milliseconds on a
//! history still being fetched.

use rusqlite::Connection;

use super::{Store, StoreError};

/// The index exactly as migration 2 creates it (a test holds the two to the same text).
const CREATE_THREAD_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS messages_thread ON messages (thread_phone, created_at, id)";

impl Store {
    /// Drops the thread index if no text is stored yet, for a first back-fill; true if it did.
    /// The caller builds it again with `build_thread_index` once the back-fill ends, however it
    /// ends.
    pub fn defer_thread_index_if_empty(&self) -> Result<bool, StoreError> {
        self.write(|tx| {
            let empty: bool = tx
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM messages)", [], |row| {
                    row.get(0)
                })
                .map_err(|e| self.err(e))?;
            if empty {
                tx.execute_batch("DROP INDEX IF EXISTS messages_thread")
                    .map_err(|e| self.err(e))?;
            }
            Ok(empty)
        })
    }

    /// Builds the thread index if it is missing.
    pub fn build_thread_index(&self) -> Result<(), StoreError> {
        if self.read(thread_index_exists)? {
            return Ok(());
        }
        self.write(|tx| {
            tx.execute_batch(CREATE_THREAD_INDEX)
                .map_err(|e| self.err(e))
        })
    }
}

/// Whether the index is there: a read, so a cycle that finds it in place takes no write lock.
fn thread_index_exists(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'index' \
         AND name = 'messages_thread')",
        [],
        |row| row.get(0),
    )
}

#[cfg(test)]
mod tests {
    use rusqlite::OptionalExtension;

    use super::*;

    fn index_sql(store: &Store) -> Option<String> {
        store
            .read(|conn| {
                conn.query_row(
                    "SELECT sql FROM sqlite_schema WHERE name = 'messages_thread'",
                    [],
                    |row| row.get(0),
                )
                .optional()
            })
            .unwrap()
    }

    #[test]
    fn the_rebuilt_index_is_the_one_the_migration_made() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite3")).unwrap();
        let migrated = index_sql(&store).expect("the migration creates the index");
        assert!(store.defer_thread_index_if_empty().unwrap());
        assert_eq!(index_sql(&store), None);
        store.build_thread_index().unwrap();
        assert_eq!(index_sql(&store), Some(migrated));
    }
}
