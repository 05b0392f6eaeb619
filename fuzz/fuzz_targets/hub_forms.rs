//! The hub's form bodies, deserialized into the hub's real form types as its handlers do (axum's
//! `Form` is serde_urlencoded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopfloor_hub::web::ui::pages::{CsrfOnly, RevokeForm};
use shopfloor_hub::web::ui::session::{CsrfForm, LangForm, LoginForm};

fuzz_target!(|data: &[u8]| {
    let _ = serde_urlencoded::from_bytes::<LoginForm>(data);
    let _ = serde_urlencoded::from_bytes::<CsrfForm>(data);
    let _ = serde_urlencoded::from_bytes::<LangForm>(data);
    let _ = serde_urlencoded::from_bytes::<CsrfOnly>(data);
    let _ = serde_urlencoded::from_bytes::<RevokeForm>(data);
});
