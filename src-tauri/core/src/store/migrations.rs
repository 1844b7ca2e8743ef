//! Embedded, ordered schema migrations, tracked in SQLite's `user_version`.
//!
//! Each migration is one SQL file applied inside a transaction. A database whose `user_version`
//! is ahead of the newest migration was written by a newer release: it is refused with the two
//! versions named, because reading it with an older schema could silently drop data.

use std::path::Path;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use super::StoreError;

const STEPS: &[M<'static>] = &[
    M::up(include_str!("migrations/0001_initial.sql")),
    M::up(include_str!(
        "migrations/0002_messages_without_temporary_btrees.sql"
    ))
    .foreign_key_check(),
    M::up(include_str!("migrations/0003_pending_actions_apart.sql")).foreign_key_check(),
];

/// Schema version a fully migrated database has.
pub const LATEST_VERSION: i64 = STEPS.len() as i64;

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::from_slice(STEPS)
}

pub(super) fn apply(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| StoreError::from_sqlite(e, path))?;
    if found > LATEST_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: LATEST_VERSION,
        });
    }
    // A migration that rebuilds a table must not have SQLite act on foreign keys while the old
    // copy is dropped, and the pragma is ignored inside the migration's transaction: it is set
    // around the run. Each such migration checks every foreign key before it commits.
    let sqlite_err = |e| StoreError::from_sqlite(e, path);
    let enforced: bool = conn
        .pragma_query_value(None, "foreign_keys", |row| row.get(0))
        .map_err(sqlite_err)?;
    conn.pragma_update(None, "foreign_keys", "OFF")
        .map_err(sqlite_err)?;
    let migrated = migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::from_sqlite(err, path),
        other => StoreError::Migration(other.to_string()),
    });
    conn.pragma_update(None, "foreign_keys", enforced)
        .map_err(sqlite_err)?;
    migrated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    /// Upgrading from every earlier schema reaches the same final schema as a fresh database.
    #[test]
    fn upgrade_from_each_earlier_version_matches_fresh() {
        let schema = |conn: &Connection| -> Vec<(String, String)> {
            let mut stmt = conn
                .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
                .unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let mut fresh = Connection::open_in_memory().unwrap();
        migrations().to_latest(&mut fresh).unwrap();
        let expected = schema(&fresh);
        for start in 0..LATEST_VERSION {
            let mut conn = Connection::open_in_memory().unwrap();
            migrations().to_version(&mut conn, start as usize).unwrap();
            apply(&mut conn, Path::new(":memory:")).unwrap();
            assert_eq!(schema(&conn), expected, "upgrade from version {start}");
        }
    }
}
