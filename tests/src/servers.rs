//! Real hubs and chapter nodes, in-process on loopback, each with its own data directory made by
//! the same library `init` the command lines call.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use shopfloor_hub::Hub;
use shopfloor_hub::config::{self, Config, InitOptions, Level};
use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::store::Store;
use shopfloor_node::web::AppState;
use shopfloor_protocol::Card;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The admin password of every demo and test server (user `admin`).
pub const DEMO_PASSWORD: &str = "shopfloor-demo";

/// Runs blocking work (SQLite, signing, argon2) off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| anyhow!("blocking task: {e}"))?
}

/// A served hub.
#[derive(Debug)]
pub struct HubServer {
    /// The opened hub (its store stays open while the server is stopped).
    pub hub: Hub,
    /// Where it listens (kept across restarts).
    pub addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<shopfloor_hub::Result<()>>>,
}

impl HubServer {
    /// Creates a hub's data directory with the library's `init` (admin password
    /// [`DEMO_PASSWORD`]); the background forwarder is turned off (the testbed forwards
    /// explicitly, so runs are deterministic) unless `auto_forward`.
    pub fn init(
        dir: &Path,
        level: Level,
        name: &str,
        state: Option<&str>,
        auto_forward: bool,
    ) -> Result<Hub> {
        config::init(
            dir,
            &InitOptions {
                level,
                name: name.to_owned(),
                state: state.map(str::to_owned),
                admin_password: Some(DEMO_PASSWORD.to_owned()),
            },
        )
        .with_context(|| format!("init hub {name}"))?;
        let mut cfg = Config::load(dir)?;
        cfg.rollup.auto_forward = auto_forward;
        cfg.rollup.check_interval_secs = 1;
        cfg.rollup.max_backoff_secs = 2;
        std::fs::write(dir.join(config::CONFIG_FILE), cfg.to_toml()?)?;
        Ok(Hub::open(dir)?)
    }

    /// Serves `hub` on an ephemeral loopback port.
    pub async fn start(hub: Hub) -> Result<HubServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut s = HubServer {
            hub,
            addr,
            stop: None,
            task: None,
        };
        s.serve(listener);
        Ok(s)
    }

    fn serve(&mut self, listener: TcpListener) {
        let (tx, mut rx) = watch::channel(false);
        let hub = self.hub.clone();
        self.task = Some(tokio::spawn(async move {
            shopfloor_hub::web::serve(hub, listener, async move {
                let _ = rx.wait_for(|stop| *stop).await;
            })
            .await
        }));
        self.stop = Some(tx);
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The hub's card.
    pub fn card(&self) -> &Card {
        self.hub.card()
    }

    /// The data directory.
    pub fn dir(&self) -> PathBuf {
        self.hub.dir().clone()
    }

    /// Stops serving (the hub is down; its data stays).
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }

    /// Turns the background forwarder on, with production's check interval, and serves again on
    /// the same port: what the demo does once its scripted months are done, so a report sent
    /// from a chapter's browser afterwards reaches national as it would in production.
    pub async fn enable_auto_forward(&mut self) -> Result<()> {
        self.stop().await?;
        let dir = self.dir();
        let mut cfg = Config::load(&dir)?;
        let production = shopfloor_hub::config::RollupConfig::default();
        cfg.rollup.auto_forward = true;
        cfg.rollup.check_interval_secs = production.check_interval_secs;
        cfg.rollup.max_backoff_secs = production.max_backoff_secs;
        std::fs::write(dir.join(config::CONFIG_FILE), cfg.to_toml()?)?;
        self.hub = Hub::open(&dir)?;
        let listener = TcpListener::bind(self.addr).await?;
        self.serve(listener);
        Ok(())
    }

    /// Stops, opens the data directory again (re-reading `hub.toml`) and serves on the same port.
    pub async fn reload(&mut self) -> Result<()> {
        self.stop().await?;
        self.hub = Hub::open(&self.dir())?;
        let listener = TcpListener::bind(self.addr).await?;
        self.serve(listener);
        Ok(())
    }

    /// Serves again on the same port.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop().await?;
        let listener = TcpListener::bind(self.addr).await?;
        self.serve(listener);
        Ok(())
    }
}

impl Drop for HubServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
    }
}

/// A served chapter node.
#[derive(Debug)]
pub struct NodeServer {
    /// Its data directory.
    pub dir: DataDir,
    /// The store the server uses (one writer for the server and the testbed).
    pub store: Store,
    /// Its card.
    pub card: Card,
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<shopfloor_node::Result<()>>>,
    background: Option<JoinHandle<()>>,
}

impl NodeServer {
    /// Creates a node's data directory with the library's `init` (admin password
    /// [`DEMO_PASSWORD`]).
    pub fn init(root: &Path, chapter: &str, state: &str) -> Result<DataDir> {
        datadir::init(root, chapter, state, Some(DEMO_PASSWORD.to_owned()))
            .with_context(|| format!("init node {chapter}"))?;
        Ok(DataDir::new(root))
    }

    /// Serves the node's web interface on an ephemeral loopback port.
    pub async fn start(dir: DataDir) -> Result<NodeServer> {
        let d = dir.clone();
        let state = blocking(move || Ok(AppState::open(d)?)).await?;
        let store = state.store().clone();
        let card = state.card().clone();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, mut rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            shopfloor_node::web::serve_listener(state, listener, async move {
                let _ = rx.wait_for(|stop| *stop).await;
            })
            .await
        });
        Ok(NodeServer {
            dir,
            store,
            card,
            addr,
            stop: Some(tx),
            task: Some(task),
            background: None,
        })
    }

    /// Starts what `shopfloor-node serve` runs beside the web server: the monthly schedule and
    /// the outbox worker.
    pub fn start_background(&mut self) {
        if self.background.is_some() {
            return;
        }
        if let Some(tx) = &self.stop {
            self.background = Some(shopfloor_node::federation::spawn_background(
                self.store.clone(),
                self.dir.clone(),
                tx.subscribe(),
            ));
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and the background jobs.
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        if let Some(bg) = self.background.take() {
            bg.await?;
        }
        Ok(())
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
    }
}
