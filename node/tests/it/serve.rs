//! The server's defences against stalled clients, on a real node served on loopback: the
//! header-read timeout and the connection limit of `node.toml`.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use shopfloor_node::web::{self, AppState};

use crate::util::node;

/// A node served on 127.0.0.1 with these limits; stopped when the sender drops.
async fn serve_with(
    timeout_secs: u64,
    max_connections: u32,
) -> (String, tokio::sync::oneshot::Sender<()>, tempfile::TempDir) {
    let (tmp, dir, store) = node();
    let mut config = dir.config().unwrap();
    config.header_read_timeout_secs = timeout_secs;
    config.max_connections = max_connections;
    config.validate().unwrap();
    let state = AppState::new(dir.clone(), store, config, dir.card().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::task::spawn(web::serve_listener(state, listener, async move {
        let _ = rx.await;
    }));
    (addr, tx, tmp)
}

/// A connection that sent `bytes` (part of a request, or nothing) and then stalls.
fn stalled(addr: &str, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(bytes).unwrap();
    s
}

/// Reads until the server closes the connection; panics if it is still open after `secs`.
fn read_until_closed(s: &mut TcpStream, secs: u64) -> String {
    s.set_read_timeout(Some(Duration::from_secs(secs))).unwrap();
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server kept the connection open ({e}); read so far: {out:?}"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `GET path` on a fresh connection; the whole answer.
fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_until_closed(&mut s, 30)
}

/// `GET path` from another thread; the answer arrives on the channel.
fn get_in_background(addr: &str, path: &str) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let (addr, path) = (addr.to_owned(), path.to_owned());
    std::thread::spawn(move || {
        let _ = tx.send(get(&addr, &path));
    });
    rx
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_closes_connections_that_stall_before_finishing_their_headers() {
    let (addr, _stop, _tmp) = serve_with(1, 256).await;
    tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        let mut half = stalled(
            &addr,
            b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
        );
        let mut silent = stalled(&addr, b"");
        // A keep-alive connection that got its answer and then idles.
        let mut idle = stalled(
            &addr,
            b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        );
        assert_eq!(read_until_closed(&mut half, 20), "");
        assert_eq!(read_until_closed(&mut silent, 20), "");
        let answer = read_until_closed(&mut idle, 20);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            start.elapsed() >= Duration::from_millis(900),
            "closed before the timeout"
        );
        assert!(get(&addr, "/api/v1/health").starts_with("HTTP/1.1 200"));
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_answers_again_as_soon_as_stalled_connections_at_the_limit_drop() {
    // A long timeout: only the limit and the clients leaving are at work here.
    let (addr, _stop, _tmp) = serve_with(300, 4).await;
    tokio::task::spawn_blocking(move || {
        // Below the limit a fresh request is answered beside the stalled connections.
        let mut held: Vec<TcpStream> = (0..3).map(|_| stalled(&addr, b"GE")).collect();
        let answer = get(&addr, "/api/v1/health");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

        // At the limit the next request waits in the listen queue, and is not lost.
        held.push(stalled(&addr, b""));
        let waiting = get_in_background(&addr, "/api/v1/health");
        assert!(
            waiting.recv_timeout(Duration::from_secs(1)).is_err(),
            "a fifth connection was served although max_connections = 4"
        );
        drop(held.pop());
        let answer = waiting.recv_timeout(Duration::from_secs(20)).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

        drop(held);
        for _ in 0..8 {
            assert!(get(&addr, "/api/v1/health").starts_with("HTTP/1.1 200"));
        }
    })
    .await
    .unwrap();
}

#[test]
fn node_config_refuses_limits_out_of_range() {
    let (_tmp, dir, _store) = node();
    let good = dir.config().unwrap();
    assert_eq!(good.header_read_timeout_secs, 10);
    assert_eq!(good.max_connections, 256);
    for (timeout, max) in [(0, 256), (301, 256), (10, 0), (10, 10_001)] {
        let mut c = good.clone();
        c.header_read_timeout_secs = timeout;
        c.max_connections = max;
        assert!(c.validate().is_err(), "{timeout} s, {max} connections");
    }
}
