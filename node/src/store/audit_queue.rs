//! The audit trail of views, off the request path and without serialising reads.
//!
//! Viewing members, a member or a report is audited. Each view used to append its row in a write
//! transaction of its own, so every page view queued on the single writer behind every other.
//! Here a view hands its row to one writer thread and waits for it to be committed: the thread
//! takes every row that is waiting (up to [`MAX_BATCH`]) and commits them in one transaction,
//! then answers each waiting request. While one batch commits, the next one gathers, so 32
//! concurrent views cost a few commits, not 32, and the reads themselves run on the reader pool.
//!
//! **What a crash can lose: nothing that was acknowledged.** A request is answered only after
//! its audit row is committed (the same durability as any other write of the node: WAL with
//! `synchronous=NORMAL`, so a committed row survives a crash of the process; a power failure
//! can lose the last transactions before the next checkpoint, as for every write). A view whose
//! row could not be committed answers with an error, as before.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, TransactionBehavior, params};
use tokio::sync::oneshot;

use crate::error::{Error, Result};

/// Rows committed in one transaction at most.
pub const MAX_BATCH: usize = 512;

/// One audit row waiting to be written.
#[derive(Debug)]
struct Pending {
    at: String,
    actor: String,
    action: String,
    subject: String,
    detail: String,
    done: oneshot::Sender<std::result::Result<(), String>>,
}

/// The queue and its writer thread. Dropping it writes what is queued and joins the thread.
#[derive(Debug)]
pub struct AuditQueue {
    tx: Option<mpsc::Sender<Pending>>,
    thread: Option<JoinHandle<()>>,
}

impl AuditQueue {
    /// Starts the writer thread on `writer` (the store's one writer connection).
    pub fn start(writer: Arc<Mutex<Connection>>) -> Result<AuditQueue> {
        let (tx, rx) = mpsc::channel::<Pending>();
        let thread = std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || run(&writer, &rx))
            .map_err(|e| Error::Task(format!("audit writer thread: {e}")))?;
        Ok(AuditQueue {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queues one row and waits until it is committed.
    pub async fn record(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        let (done, wait) = oneshot::channel();
        let pending = Pending {
            at: crate::domain::vocab::now(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail: detail.to_owned(),
            done,
        };
        self.tx
            .as_ref()
            .ok_or_else(|| Error::Task("audit writer stopped".into()))?
            .send(pending)
            .map_err(|_| Error::Task("audit writer stopped".into()))?;
        wait.await
            .map_err(|_| Error::Task("audit writer stopped".into()))?
            .map_err(|e| Error::Task(format!("audit row not written: {e}")))
    }
}

impl Drop for AuditQueue {
    fn drop(&mut self) {
        // Closing the channel ends the thread once it has written what is queued.
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(writer: &Mutex<Connection>, rx: &mpsc::Receiver<Pending>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let result = write_batch(writer, &batch).map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!("audit rows not written: {e}");
        }
        for p in batch {
            let _ = p.done.send(result.clone());
        }
    }
}

fn write_batch(writer: &Mutex<Connection>, batch: &[Pending]) -> Result<()> {
    let mut conn = writer
        .lock()
        .map_err(|_| Error::Task("writer lock poisoned".into()))?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for p in batch {
            st.execute(params![p.at, p.actor, p.action, p.subject, p.detail])?;
        }
    }
    tx.commit()?;
    Ok(())
}
