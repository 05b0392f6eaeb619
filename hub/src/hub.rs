//! [`Hub`]: a data directory opened: configuration, keys, card and store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::OptionalExtension as _;
use shopfloor_protocol::{Card, Envelope, SecretKeys};

use crate::config::{self, Config, Level, Paths};
use crate::error::{Error, Result};
use crate::store::Store;

/// An opened hub. Cheap to clone; every operation on it is blocking (use `spawn_blocking` from
/// async code).
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    paths: Paths,
    config: Config,
    keys: SecretKeys,
    card: Card,
    store: Store,
    /// The newest signed checkpoint of the log ([`crate::translog::checkpoint`]).
    checkpoint: crate::translog::CheckpointCache,
    /// Chapter reports verified while answering share calls ([`crate::decryption::SeenReports`]).
    seen_reports: crate::decryption::SeenReports,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("id", &self.inner.card.id)
            .field("dir", &self.inner.paths.dir)
            .finish_non_exhaustive()
    }
}

/// The hub's parent, once it has started enrolling (regional hubs only).
#[derive(Clone, Debug)]
pub struct Parent {
    /// Base URL of the parent hub.
    pub url: String,
    /// The parent's card (the national root card).
    pub card: Card,
    /// The enrollment request id at the parent.
    pub request_id: String,
    /// The certificate the parent issued for this hub, once approved.
    pub certificate: Option<Envelope>,
}

impl Hub {
    /// Opens a data directory made by [`config::init`].
    pub fn open(dir: &Path) -> Result<Hub> {
        let paths = Paths {
            dir: dir.to_path_buf(),
        };
        let config = Config::load(dir)?;
        config::make_private(&dir.join(config::CONFIG_FILE))?;
        let key_text =
            std::fs::read_to_string(paths.keys()).map_err(|e| Error::io(&paths.keys(), e))?;
        let keys = SecretKeys::from_text(&key_text)?;
        let card = Card::from_json(&config::read_file(&paths.card())?)?;
        if card.signing_key != keys.public_key() || card.age_recipient != keys.age_recipient() {
            return Err(Error::Config("card.json does not match keys.txt".into()));
        }
        if card.id != config.id || card.kind != config.level.kind() {
            return Err(Error::Config("card.json does not match hub.toml".into()));
        }
        let store = Store::open(&paths.db())?;
        let hub = Hub {
            inner: Arc::new(Inner {
                paths,
                config,
                keys,
                card,
                store,
                checkpoint: crate::translog::CheckpointCache::default(),
                seen_reports: crate::decryption::SeenReports::default(),
            }),
        };
        hub.fill_aggregates()?;
        Ok(hub)
    }

    /// After migration 5 (an upgraded hub): fills the aggregate tables from the documents
    /// already stored, once, in one transaction.
    fn fill_aggregates(&self) -> Result<()> {
        let pending = self
            .store()
            .read(|db| crate::store::meta(db, crate::aggregates::PENDING))?;
        if pending.is_none() {
            return Ok(());
        }
        let card = self.card().clone();
        self.store().write(|tx, _| {
            // Another process may have filled them meanwhile.
            if crate::store::meta(tx, crate::aggregates::PENDING)?.is_some() {
                crate::aggregates::reindex(tx, &card)?;
            }
            Ok(())
        })
    }

    /// Rebuilds the aggregate tables from the stored signed documents, in one transaction.
    pub fn reindex(&self) -> Result<crate::aggregates::Reindexed> {
        let card = self.card().clone();
        self.store()
            .write(|tx, _| crate::aggregates::reindex(tx, &card))
    }

    /// The data directory.
    pub fn dir(&self) -> &PathBuf {
        &self.inner.paths.dir
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The hub's secret keys.
    pub fn keys(&self) -> &SecretKeys {
        &self.inner.keys
    }

    /// The hub's public card.
    pub fn card(&self) -> &Card {
        &self.inner.card
    }

    /// The cached signed checkpoint of the log.
    pub(crate) fn checkpoint_cache(&self) -> &crate::translog::CheckpointCache {
        &self.inner.checkpoint
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Chapter reports this hub verified in full while answering share calls.
    pub fn seen_reports(&self) -> &crate::decryption::SeenReports {
        &self.inner.seen_reports
    }

    /// National or regional.
    pub fn level(&self) -> Level {
        self.inner.config.level
    }

    /// The parent, if this regional hub has started enrolling.
    pub fn parent(&self) -> Result<Option<Parent>> {
        self.store().read(|db| {
            let row = db
                .query_row(
                    "SELECT url, card, request_id, certificate FROM parent WHERE id = 1",
                    [],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, Option<String>>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((url, card, request_id, cert)) = row else {
                return Ok(None);
            };
            let card = Card::from_json(card.as_bytes())?;
            let certificate = cert
                .map(|c| Envelope::from_json(c.as_bytes()))
                .transpose()?;
            Ok(Some(Parent {
                url,
                card,
                request_id,
                certificate,
            }))
        })
    }

    /// The pinned root card: this hub's own card at national, the parent's at a regional hub.
    pub fn root_card(&self) -> Result<Card> {
        match self.level() {
            Level::National => Ok(self.card().clone()),
            Level::Regional => self
                .parent()?
                .filter(|p| p.certificate.is_some())
                .map(|p| p.card)
                .ok_or_else(|| {
                    Error::refused(
                        503,
                        "not-enrolled",
                        "this regional hub has not been approved by its parent yet",
                    )
                }),
        }
    }

    /// The chain of certificates from the root to this hub: empty at national, the parent's
    /// certificate for this hub at a regional hub.
    pub fn chain(&self) -> Result<Vec<Envelope>> {
        match self.level() {
            Level::National => Ok(Vec::new()),
            Level::Regional => Ok(self
                .parent()?
                .and_then(|p| p.certificate)
                .into_iter()
                .collect()),
        }
    }
}
