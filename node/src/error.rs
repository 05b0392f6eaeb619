//! The node library's errors.

pub mod import_problem;

use std::path::PathBuf;

/// Result with the node's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the node library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The reader pool could not hand out a connection.
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// The protocol crate refused something (keys, cards, reports).
    #[error("protocol: {0}")]
    Protocol(#[from] shopfloor_protocol::Error),
    /// `node.toml` is missing or wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// The database was written by a newer version of this program.
    #[error("database schema version {found} is newer than this program's {supported}")]
    SchemaTooNew {
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The latest migration this build knows.
        supported: i64,
    },
    /// The import was refused; nothing was written.
    #[error("{0}")]
    Import(#[from] import_problem::ImportError),
    /// A national list would mark many members missing and the import was not confirmed;
    /// nothing was written.
    #[error(
        "this list would mark {marked_missing} of the {present_before} members on the list \
         missing; nothing was changed (if it is national's complete list, import it again and \
         confirm)"
    )]
    ImportUnconfirmed {
        /// Members the list would mark missing.
        marked_missing: u64,
        /// Members present before the import.
        present_before: u64,
    },
    /// A value given by a user is not acceptable.
    #[error("invalid {field}: {message}")]
    Invalid {
        /// Which field.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// A closed period without a snapshot of its stocks was to be built as a plain report.
    #[error(
        "{period} ended on {ended} and this node recorded no snapshot of its counts by {deadline}, \
         so a report built now would pass today's members, workplaces and campaigns off as \
         {period}'s. Build it as a labelled correction instead: add --correction to \
         `shopfloor-node report build` or `report submit` (or use the correction button on the \
         report page); the hub then sees it as a correction counted as of today"
    )]
    PeriodClosed {
        /// The period.
        period: String,
        /// Its end (first day after it).
        ended: String,
        /// The last moment a snapshot could have been taken.
        deadline: String,
    },
    /// A record does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// A data directory or record already exists.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// Password hashing failed.
    #[error("password hashing: {0}")]
    Password(String),
    /// A backup could not be written or read.
    #[error("backup: {0}")]
    Backup(String),
    /// CSV writing failed.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// A blocking task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(String),
}

impl Error {
    /// An [`Error::Io`] for a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }

    /// An [`Error::NotFound`].
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }
}
