//! A recording TCP proxy on loopback: every byte between a client (a chapter node, a regional
//! hub) and its hub passes through it and is kept, per connection and per direction, so tests can
//! search what went over the wire. It can also play dead (refuse connections) and be pointed at
//! a hub that came back on another port.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One proxied connection's bytes.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    /// Client to server (requests).
    pub sent: Vec<u8>,
    /// Server to client (responses).
    pub received: Vec<u8>,
}

#[derive(Debug, Default)]
struct Shared {
    upstream: Mutex<Option<SocketAddr>>,
    down: AtomicBool,
    connections: Mutex<Vec<Captured>>,
}

/// A running proxy; stops when dropped.
#[derive(Debug)]
pub struct RecordingProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl RecordingProxy {
    /// Listens on an ephemeral loopback port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Result<RecordingProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream: Mutex::new(Some(upstream)),
            ..Shared::default()
        });
        let s = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = relay(client, s).await;
                });
            }
        });
        Ok(RecordingProxy { addr, shared, task })
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Points the proxy at another upstream (a hub restarted on a new port).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        if let Ok(mut u) = self.shared.upstream.lock() {
            *u = Some(upstream);
        }
    }

    /// While down, new connections are closed at once (the hub looks unreachable).
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// Every connection so far.
    pub fn captured(&self) -> Vec<Captured> {
        self.shared
            .connections
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    /// Everything sent by clients, all connections concatenated.
    pub fn all_sent(&self) -> Vec<u8> {
        self.captured().into_iter().flat_map(|c| c.sent).collect()
    }

    /// Every request body sent by clients (HTTP/1.1 with Content-Length).
    pub fn request_bodies(&self) -> Vec<Vec<u8>> {
        self.captured()
            .iter()
            .flat_map(|c| http_bodies(&c.sent))
            .collect()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(client: TcpStream, shared: Arc<Shared>) -> Result<()> {
    if shared.down.load(Ordering::SeqCst) {
        return Ok(());
    }
    let upstream = shared
        .upstream
        .lock()
        .ok()
        .and_then(|u| *u)
        .ok_or_else(|| anyhow::anyhow!("no upstream"))?;
    let server = TcpStream::connect(upstream).await?;
    let index = {
        let mut conns = shared
            .connections
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        conns.push(Captured::default());
        conns.len() - 1
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = {
        let shared = shared.clone();
        async move {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = cr.read(&mut buf).await?;
                if n == 0 {
                    sw.shutdown().await.ok();
                    return Ok::<_, std::io::Error>(());
                }
                if let Ok(mut conns) = shared.connections.lock()
                    && let Some(c) = conns.get_mut(index)
                {
                    c.sent.extend_from_slice(&buf[..n]);
                }
                sw.write_all(&buf[..n]).await?;
            }
        }
    };
    let down = {
        let shared = shared.clone();
        async move {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = sr.read(&mut buf).await?;
                if n == 0 {
                    cw.shutdown().await.ok();
                    return Ok::<_, std::io::Error>(());
                }
                if let Ok(mut conns) = shared.connections.lock()
                    && let Some(c) = conns.get_mut(index)
                {
                    c.received.extend_from_slice(&buf[..n]);
                }
                cw.write_all(&buf[..n]).await?;
            }
        }
    };
    let _ = tokio::join!(up, down);
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Splits a client→server HTTP/1.1 byte stream into request bodies (by Content-Length; a
/// request without one has no body).
pub fn http_bodies(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = stream;
    while let Some(end) = find(rest, b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&rest[..end]).to_ascii_lowercase();
        let len = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let body_start = end + 4;
        let body_end = (body_start + len).min(rest.len());
        out.push(rest[body_start..body_end].to_vec());
        rest = &rest[body_end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_split_by_content_length() {
        let s = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nhost: x\r\n\r\nPOST /c HTTP/1.1\r\ncontent-length: 2\r\n\r\nxy";
        assert_eq!(
            http_bodies(s),
            vec![b"abc".to_vec(), Vec::new(), b"xy".to_vec()]
        );
    }

    #[tokio::test]
    async fn relays_and_records() {
        let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let echo_addr = echo.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = echo.accept().await.unwrap();
            let mut b = [0u8; 5];
            s.read_exact(&mut b).await.unwrap();
            s.write_all(&b).await.unwrap();
        });
        let proxy = RecordingProxy::start(echo_addr).await.unwrap();
        let mut c = TcpStream::connect(proxy.addr()).await.unwrap();
        c.write_all(b"hello").await.unwrap();
        let mut b = [0u8; 5];
        c.read_exact(&mut b).await.unwrap();
        assert_eq!(&b, b"hello");
        drop(c);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let cap = proxy.captured();
        assert_eq!(cap[0].sent, b"hello");
        assert_eq!(cap[0].received, b"hello");
    }
}
