//! The hub's error type: a protocol refusal, a hub-level refusal with a stable code, or a local
//! failure (database, files, network) whose cause is logged but never sent to a peer.

use shopfloor_protocol as protocol;

/// Everything that can go wrong in the hub.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A document refused by the protocol's checks.
    #[error(transparent)]
    Protocol(#[from] protocol::Error),
    /// A document refused for several reasons at once (rollup verification).
    #[error("{}", join(.0))]
    Rejected(Vec<protocol::Error>),
    /// A request refused by the hub itself, with an HTTP status and a stable code.
    #[error("{code}: {message}")]
    Refused {
        /// HTTP status to answer with.
        status: u16,
        /// Stable kebab-case reason code.
        code: &'static str,
        /// A sentence for people.
        message: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The configuration or data directory is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// Talking to another hub failed (network, or an answer that is not what the protocol says).
    #[error("remote hub: {0}")]
    Remote(String),
    /// A backup could not be written, read or restored.
    #[error("backup: {0}")]
    Backup(String),
    /// A failure inside the hub that is not the peer's fault.
    #[error("internal: {0}")]
    Internal(String),
}

fn join(errors: &[protocol::Error]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The hub's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A refusal with a status, a stable code and a sentence.
    pub fn refused(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Error::Refused {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 `bad-request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Error::refused(400, "bad-request", message)
    }

    /// 404 with a code.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Error::refused(404, code, message)
    }

    /// 401 `unauthenticated`.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Error::refused(401, "unauthenticated", message)
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::refused(403, "forbidden", message)
    }

    /// 409 with a code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::refused(409, code, message)
    }

    /// An I/O error on a path.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// Several protocol errors; a single one stays a [`Error::Protocol`].
    pub fn rejected(mut errors: Vec<protocol::Error>) -> Self {
        if errors.len() == 1
            && let Some(e) = errors.pop()
        {
            return Error::Protocol(e);
        }
        if errors.is_empty() {
            return Error::Internal("rejected without a reason".into());
        }
        Error::Rejected(errors)
    }

    /// The HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            Error::Protocol(e) => protocol_status(e.reason()),
            Error::Rejected(es) => es.first().map_or(422, |e| protocol_status(e.reason())),
            Error::Refused { status, .. } => *status,
            Error::Remote(_) => 502,
            Error::Database(_)
            | Error::Io { .. }
            | Error::Config(_)
            | Error::Backup(_)
            | Error::Internal(_) => 500,
        }
    }

    /// The stable reason code sent to peers.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Protocol(e) => e.reason().code(),
            Error::Rejected(es) => es.first().map_or("rejected", |e| e.reason().code()),
            Error::Refused { code, .. } => code,
            Error::Remote(_) => "remote-failed",
            Error::Database(_)
            | Error::Io { .. }
            | Error::Config(_)
            | Error::Backup(_)
            | Error::Internal(_) => "internal",
        }
    }

    /// The sentence safe to send to a peer (local causes are replaced by a generic sentence).
    pub fn public_message(&self) -> String {
        match self {
            Error::Database(_)
            | Error::Io { .. }
            | Error::Config(_)
            | Error::Backup(_)
            | Error::Internal(_) => {
                "the hub failed to handle this request; the operator can find the cause in its log"
                    .into()
            }
            Error::Remote(_) => "the hub could not reach its parent".into(),
            other => other.to_string(),
        }
    }

    /// Every protocol reason, for refusals that carry several.
    pub fn reasons(&self) -> Vec<(&'static str, String)> {
        match self {
            Error::Protocol(e) => vec![(e.reason().code(), e.to_string())],
            Error::Rejected(es) => es
                .iter()
                .map(|e| (e.reason().code(), e.to_string()))
                .collect(),
            other => vec![(other.code(), other.public_message())],
        }
    }
}

/// Protocol faults as HTTP statuses: malformed 400, untrusted 403 (sums and disclosure 422),
/// unacceptable 409.
pub fn protocol_status(reason: protocol::Reason) -> u16 {
    use protocol::{Fault, Reason};
    match reason {
        Reason::SumMismatch | Reason::DisclosureViolation => 422,
        _ => match reason.fault() {
            Fault::Malformed => 400,
            Fault::Untrusted => 403,
            Fault::Unacceptable => 409,
            _ => 500,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Reason;

    #[test]
    fn statuses_follow_faults() {
        let e: Error = protocol::Error::new(Reason::StaleRevision, "x").into();
        assert_eq!((e.status(), e.code()), (409, "stale-revision"));
        let e: Error = protocol::Error::new(Reason::SealBroken, "x").into();
        assert_eq!(e.status(), 400);
        let e: Error = protocol::Error::new(Reason::Revoked, "x").into();
        assert_eq!(e.status(), 403);
        let e = Error::Internal("secret path /etc".into());
        assert!(!e.public_message().contains("/etc"));
    }
}
