//! A chapter node served on loopback for the browser walks: a fresh data directory ("Triangle
//! DSA", NC) with its first admin, the real router on an ephemeral port, stopped when dropped.

#![allow(dead_code)]

use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::web::{self, AppState};

/// The first admin's password.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// A node served on loopback.
pub struct Node {
    pub base: String,
    pub store: shopfloor_node::store::Store,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _tmp: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

pub async fn start_node() -> Node {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    datadir::init(&root, "Triangle DSA", "NC", Some(ADMIN_PASSWORD.into())).unwrap();
    let state = AppState::open(DataDir::new(&root)).unwrap();
    let store = state.store().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::task::spawn(web::serve_listener(state, listener, async move {
        let _ = rx.await;
    }));
    Node {
        base,
        store,
        stop: Some(tx),
        _tmp: tmp,
    }
}
