//! Authentication in extractors: handlers receive an already-verified [`CurrentUser`] or
//! [`Admin`]; chapters' signed requests are checked in the support handlers (they need the body).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::{AppError, AppState};
use crate::error::Error;
use crate::users::{self, Role, User};

/// A logged-in user (admin or viewer), from `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// A logged-in admin.
#[derive(Debug, Clone)]
pub struct Admin(pub User);

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty() && token.len() <= 200).then(|| token.to_owned())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer(parts).ok_or_else(|| {
            Error::unauthenticated("log in first (Authorization: Bearer <token>)")
        })?;
        let user = state
            .blocking(move |hub| users::authenticate(hub.store(), &token))
            .await?
            .ok_or_else(|| Error::unauthenticated("the token is unknown, expired or disabled"))?;
        Ok(CurrentUser(user))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if user.role != Role::Admin {
            return Err(Error::forbidden("this needs an admin").into());
        }
        Ok(Admin(user))
    }
}

/// Counts failures per key (a user name, or invite codes as a whole) in a sliding window and
/// refuses further attempts once there were too many.
#[derive(Debug)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    max: u32,
    window: Duration,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter {
            failures: Mutex::new(HashMap::new()),
            max: 5,
            window: Duration::from_secs(300),
        }
    }
}

impl LoginLimiter {
    /// Refuses with 429 if `key` failed too often recently.
    pub fn check(&self, key: &str, max: Option<u32>) -> Result<(), Error> {
        let Ok(mut map) = self.failures.lock() else {
            return Err(Error::Internal("limiter lock poisoned".into()));
        };
        let now = Instant::now();
        map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        if map
            .get(key)
            .is_some_and(|(n, _)| *n >= max.unwrap_or(self.max))
        {
            return Err(Error::refused(
                429,
                "too-many-attempts",
                "too many failed attempts; wait a few minutes",
            ));
        }
        Ok(())
    }

    /// Records a failure.
    pub fn fail(&self, key: &str) {
        if let Ok(mut map) = self.failures.lock() {
            let entry = map.entry(key.to_owned()).or_insert((0, Instant::now()));
            entry.0 += 1;
        }
    }

    /// Clears a key after a success.
    pub fn succeed(&self, key: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(key);
        }
    }
}
