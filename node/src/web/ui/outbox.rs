//! The outbox as the Reports page shows it: for each report put in the outbox, whether it is
//! waiting (since when, attempts, next try, why the last try failed), delivered (when, and the
//! hub's verified receipt: the report's position in the hub's log) or refused (why, in words).
//! Everything comes from the `outbox` and `receipts` tables, so a refresh shows the truth; the
//! hub's reason codes never reach the page raw.

use shopfloor_protocol::Period;

use super::i18n::{Arg, Lang, LangExt as _, fmt};
use crate::federation::outbox::{
    Item, RETRY_BAD_RECEIPT, RETRY_BUSY, RETRY_HUB_ERROR, RETRY_UNREACHABLE,
};
use crate::federation::receipts::StoredReceipt;

/// Where one outbox item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Waiting for (another) try.
    Queued,
    /// The hub's receipt is verified and kept.
    Delivered,
    /// The hub refused it for good.
    Failed,
}

/// An outbox line as shown.
#[derive(Debug)]
pub struct OutboxRow {
    /// Period and revision, e.g. "2026-11 · r2".
    pub what: String,
    /// Where it stands.
    pub state: State,
    /// The state in words.
    pub status: String,
    /// Attempts made, in words ("2 attempts", "Not tried yet").
    pub attempts: String,
    /// The details in a sentence: since when and the next try, the receipt, or the refusal.
    pub detail: String,
}

impl OutboxRow {
    /// The badge's class for the state.
    pub fn badge(&self) -> &'static str {
        match self.state {
            State::Queued => "warn",
            State::Delivered => "ok",
            State::Failed => "bad",
        }
    }
}

fn at(lang: Lang, secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| lang.time(&t.to_string()))
        .unwrap_or_default()
}

/// Why an attempt failed, in words, from the stored code (the hub's reason code, or a retry
/// code). Codes the node has no words for get a general sentence, never the code.
pub fn why(lang: Lang, code: Option<&str>) -> String {
    lang.t(match code {
        Some(RETRY_UNREACHABLE) => "ui-outbox-why-unreachable",
        Some(RETRY_BUSY) => "ui-outbox-why-busy",
        Some(RETRY_HUB_ERROR) => "ui-outbox-why-hub-error",
        Some(RETRY_BAD_RECEIPT) => "ui-outbox-why-bad-receipt",
        Some("revoked") => "ui-outbox-why-revoked",
        Some("stale-revision") => "ui-outbox-why-stale-revision",
        Some("broken-chain") => "ui-outbox-why-broken-chain",
        Some("wrong-recipient") => "ui-outbox-why-wrong-recipient",
        Some("wrong-period") => "ui-outbox-why-wrong-period",
        Some("disclosure-violation") => "ui-outbox-why-disclosure-violation",
        Some("unknown-signer") => "ui-outbox-why-unknown-signer",
        _ => "ui-outbox-why-other",
    })
}

fn state_of(it: &Item) -> State {
    match it.status.as_str() {
        "delivered" => State::Delivered,
        "failed" => State::Failed,
        _ => State::Queued,
    }
}

/// The receipt kept for an item, if delivered.
fn receipt_of<'a>(it: &Item, receipts: &'a [StoredReceipt]) -> Option<&'a StoredReceipt> {
    receipts.iter().find(|r| r.digest == it.digest)
}

/// The sentence for an item: waiting (since, attempts, next try, why the last try failed),
/// delivered (when, position in the hub's log), or refused (why).
fn detail(lang: Lang, it: &Item, receipts: &[StoredReceipt], hub: &str) -> String {
    match state_of(it) {
        State::Queued => {
            let mut s = lang.ta(
                "ui-outbox-queued-detail",
                &[
                    ("first", Arg::Str(at(lang, it.created_at))),
                    ("n", Arg::Num(it.attempts)),
                    ("last", Arg::Str(at(lang, it.next_attempt_at))),
                ],
            );
            if it.attempts > 0 {
                s.push(' ');
                s.push_str(&lang.ta(
                    "ui-outbox-last-try-failed",
                    &[("value", Arg::Str(why(lang, it.error_code.as_deref())))],
                ));
            }
            s
        }
        State::Delivered => match receipt_of(it, receipts) {
            Some(r) => lang.ta(
                "ui-outbox-delivered-detail",
                &[
                    ("when", Arg::Str(at(lang, it.finished_at.unwrap_or(0)))),
                    ("index", Arg::Num(r.log_index)),
                    ("name", Arg::Str(hub.to_owned())),
                ],
            ),
            None => lang.ta(
                "ui-outbox-delivered-no-receipt",
                &[("when", Arg::Str(at(lang, it.finished_at.unwrap_or(0))))],
            ),
        },
        State::Failed => lang.ta(
            "ui-outbox-failed-detail",
            &[
                ("when", Arg::Str(at(lang, it.finished_at.unwrap_or(0)))),
                ("value", Arg::Str(why(lang, it.error_code.as_deref()))),
            ],
        ),
    }
}

/// Every outbox item as shown, newest first (`items` as [`crate::federation::outbox::list`]
/// returns them). `hub` is the hub's name.
pub fn rows(lang: Lang, items: &[Item], receipts: &[StoredReceipt], hub: &str) -> Vec<OutboxRow> {
    items
        .iter()
        .map(|it| {
            let state = state_of(it);
            OutboxRow {
                what: lang.ta(
                    "ui-outbox-what",
                    &[
                        ("period", Arg::Str(fmt(lang).period(&it.period))),
                        ("n", Arg::Num(it.revision)),
                    ],
                ),
                state,
                status: lang.t(match state {
                    State::Queued => "ui-outbox-pending",
                    State::Delivered => "ui-outbox-delivered",
                    State::Failed => "ui-outbox-failed",
                }),
                attempts: lang.ta("ui-outbox-attempts-count", &[("n", Arg::Num(it.attempts))]),
                detail: detail(lang, it, receipts, hub),
            }
        })
        .collect()
}

/// The banner for the period on screen, from its newest outbox item: `(notice, problem)`.
/// Nothing when the period's report was never put in the outbox.
pub fn banner(
    lang: Lang,
    period: Period,
    items: &[Item],
    receipts: &[StoredReceipt],
    hub: &str,
) -> (Option<String>, Option<String>) {
    let p = period.to_string();
    let Some(it) = items.iter().find(|i| i.period == p) else {
        return (None, None);
    };
    let args = |extra: String| {
        vec![
            ("period", Arg::Str(fmt(lang).period(&p))),
            ("n", Arg::Num(it.revision)),
            ("value", Arg::Str(extra)),
        ]
    };
    match state_of(it) {
        State::Queued => (
            Some(lang.ta(
                "ui-report-state-queued",
                &args(detail(lang, it, receipts, hub)),
            )),
            None,
        ),
        State::Delivered => (
            Some(lang.ta(
                "ui-report-state-delivered",
                &args(detail(lang, it, receipts, hub)),
            )),
            None,
        ),
        State::Failed => (
            None,
            Some(lang.ta(
                "ui-report-state-failed",
                &args(why(lang, it.error_code.as_deref())),
            )),
        ),
    }
}
