//! Signed requests: how a child authenticates an HTTP call to its hub without any shared secret.
//!
//! The child signs a [`RequestAuth`] naming itself, the hub, the method, the path, a digest of the
//! body and the time, and sends the envelope as `Authorization: Shopfloor <base64 envelope JSON>`.
//! The hub checks the signature with the child's certified key, that every field matches the
//! request it received, and that the time is within a few minutes of its clock.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::envelope::{Digest, Document, Envelope};
use crate::error::{Error as ProtocolError, Reason};
use crate::identity::{PartyId, SecretKeys};
use crate::report::check_schema;

/// Schema of a signed request.
pub const AUTH_SCHEMA: &str = "shopfloor.request-auth.v1";
/// DSSE payload type of a signed request.
pub const AUTH_PAYLOAD_TYPE: &str = "application/vnd.shopfloor.request-auth.v1+json";
/// The `Authorization` scheme of a signed request.
pub const AUTH_SCHEME: &str = "Shopfloor";
/// How far a signed request's time may be from the receiver's clock.
pub const AUTH_WINDOW: SignedDuration = SignedDuration::from_mins(5);

/// A child's signed statement that it makes one HTTP request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestAuth {
    /// Always [`AUTH_SCHEMA`].
    pub schema: String,
    /// The child making the request.
    pub party: PartyId,
    /// The hub it is made to.
    pub hub: PartyId,
    /// HTTP method, upper case.
    pub method: String,
    /// Path without query, e.g. `/api/v1/support-requests`.
    pub path: String,
    /// SHA-256 of the request body (of the empty string for a GET).
    pub body: Digest,
    /// When it was made.
    pub at: Timestamp,
}

impl Document for RequestAuth {
    const PAYLOAD_TYPE: &'static str = AUTH_PAYLOAD_TYPE;
    fn from_payload(bytes: &[u8]) -> std::result::Result<Self, ProtocolError> {
        check_schema(bytes, "shopfloor.request-auth.", AUTH_SCHEMA)?;
        let a: RequestAuth = serde_json::from_slice(bytes)
            .map_err(|e| ProtocolError::new(Reason::Malformed, format!("request auth: {e}")))?;
        if a.schema != AUTH_SCHEMA {
            return Err(ProtocolError::new(
                Reason::UnsupportedSchema,
                "request auth schema",
            ));
        }
        Ok(a)
    }
    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The `Authorization` header value for a request by `party` to `hub` (what a node sends).
pub fn sign_request(
    keys: &SecretKeys,
    party: &PartyId,
    hub: &PartyId,
    method: &str,
    path: &str,
    body: &[u8],
) -> String {
    sign_request_at(keys, party, hub, method, path, body, Timestamp::now())
}

/// [`sign_request`] at a given time (for tests of the time window).
pub fn sign_request_at(
    keys: &SecretKeys,
    party: &PartyId,
    hub: &PartyId,
    method: &str,
    path: &str,
    body: &[u8],
    at: Timestamp,
) -> String {
    let auth = RequestAuth {
        schema: AUTH_SCHEMA.into(),
        party: party.clone(),
        hub: hub.clone(),
        method: method.to_ascii_uppercase(),
        path: path.into(),
        body: Digest::of(body),
        at,
    };
    format!(
        "{AUTH_SCHEME} {}",
        B64.encode(Envelope::sign(&auth, keys).to_json())
    )
}

/// Decodes an `Authorization` header value into the signed envelope (not yet verified).
pub fn decode_header(header: &str) -> Result<Envelope, ProtocolError> {
    let encoded = header
        .strip_prefix(AUTH_SCHEME)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(|| {
            ProtocolError::new(
                Reason::Malformed,
                "expected Authorization: Shopfloor <signed request>",
            )
        })?;
    let bytes = B64
        .decode(encoded.trim().as_bytes())
        .map_err(|_| ProtocolError::new(Reason::Malformed, "signed request is not base64"))?;
    Envelope::from_json(&bytes)
}

impl RequestAuth {
    /// Whether this statement authorizes exactly this request by `party` to `hub` at `now`.
    pub fn matches(
        &self,
        party: &PartyId,
        hub: &PartyId,
        method: &str,
        path: &str,
        body: &[u8],
        now: Timestamp,
    ) -> bool {
        &self.party == party
            && &self.hub == hub
            && self.method.eq_ignore_ascii_case(method)
            && self.path == path
            && self.body == Digest::of(body)
            && self.at >= now - AUTH_WINDOW
            && self.at <= now + AUTH_WINDOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_mismatch() {
        let keys = SecretKeys::generate().unwrap();
        let me: PartyId = "triangle".parse().unwrap();
        let hub: PartyId = "south".parse().unwrap();
        let header = sign_request(&keys, &me, &hub, "post", "/api/v1/x", b"{}");
        let env = decode_header(&header).unwrap();
        let auth: RequestAuth = env.open_document(&keys.public_key()).unwrap();
        let now = Timestamp::now();
        assert!(auth.matches(&me, &hub, "POST", "/api/v1/x", b"{}", now));
        assert!(!auth.matches(&me, &hub, "POST", "/api/v1/x", b"{ }", now));
        assert!(!auth.matches(&me, &hub, "GET", "/api/v1/x", b"{}", now));
        assert!(!auth.matches(
            &me,
            &hub,
            "POST",
            "/api/v1/x",
            b"{}",
            now + SignedDuration::from_mins(6)
        ));
        assert!(decode_header("Bearer abc").is_err());
    }
}
