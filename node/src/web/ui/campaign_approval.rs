//! The hub's approval on a campaign's page: the form that sends the campaign for approval
//! against one of the hub's criteria (`POST /campaigns/{id}/submit`, CSRF, audited as
//! `campaign.submit`), what was sent, and the hub's verified decisions with their comments. A
//! page load of a campaign waiting for a decision asks the hub first (briefly; the background
//! schedule asks too). The work is in [`crate::federation::campaigns`].

use std::time::Duration;

use axum::extract::Path;
use axum::response::Response;
use rusqlite::Connection;
use serde::Deserialize;
use shopfloor_protocol::registry::{self, Dim};

use super::i18n::Lang;
use super::members::{Choice, choices, choices_of};
use super::page::{HasCsrf, Page};
use super::view;
use crate::federation::campaigns::{self as fc, Ask};
use crate::web::handler::{CsrfForm, Organizer};
use crate::web::ui::i18n::LangExt as _;

/// How long a page load waits for the hub's decisions.
const PAGE_FETCH: Duration = Duration::from_secs(5);

/// What was sent, as shown.
#[derive(Debug)]
pub struct SentView {
    /// The criterion's title.
    pub criterion: String,
    /// The sector's label.
    pub sector: String,
    /// The summary.
    pub summary: String,
}

/// A decision as shown.
#[derive(Debug)]
pub struct DecisionView {
    /// Approved (else sent back).
    pub approved: bool,
    /// "Approved by the hub" / "Sent back by the hub".
    pub outcome: String,
    /// The reviewer's comment.
    pub comment: String,
    /// When.
    pub when: String,
    /// Whether it is about what was last sent.
    pub current: bool,
}

/// The approval part of a campaign's page.
#[derive(Debug, Default)]
pub struct Panel {
    /// Enrolled, and the hub published criteria.
    pub can_submit: bool,
    /// The hub's criteria.
    pub criteria: Vec<Choice>,
    /// NAICS sectors.
    pub sectors: Vec<Choice>,
    /// What was sent last, if anything.
    pub sent: Option<SentView>,
    /// The hub's decisions, newest first.
    pub decisions: Vec<DecisionView>,
}

/// The panel for campaign `id`.
pub fn panel(conn: &Connection, lang: Lang, id: i64) -> crate::Result<Panel> {
    let enrolled = crate::federation::hub_link(conn)?.is_some();
    let own = fc::criteria(conn)?;
    let title = |code: &str| {
        own.iter().find(|c| c.code == code).map_or_else(
            || code.to_owned(),
            |c| lang.pick(&c.title_en, &c.title_es).to_owned(),
        )
    };
    let sent = fc::sent(conn, id)?;
    let criteria = choices_of(
        own.iter()
            .map(|c| {
                (
                    c.code.clone(),
                    lang.pick(&c.title_en, &c.title_es).to_owned(),
                )
            })
            .collect(),
        sent.as_ref().map_or("", |s| s.0.as_str()),
        None,
    );
    let sectors = choices(
        lang,
        registry::SECTORS,
        sent.as_ref().map_or("", |s| s.1.as_str()),
        Some(lang.t("ui-choose")),
    );
    let decisions = fc::decisions(conn, id)?
        .into_iter()
        .map(|d| DecisionView {
            approved: d.outcome == "approved",
            outcome: lang.t(if d.outcome == "approved" {
                "ui-decision-approved"
            } else {
                "ui-decision-returned"
            }),
            comment: d.comment,
            when: d
                .decided_at
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " ")
                + " UTC",
            current: d.current,
        })
        .collect();
    Ok(Panel {
        can_submit: enrolled && !own.is_empty(),
        criteria,
        sectors,
        sent: sent.map(|(criterion, sector, summary, _)| SentView {
            criterion: title(&criterion),
            sector: lang.value(Dim::Sector, &sector),
            summary,
        }),
        decisions,
    })
}

/// Before showing a campaign waiting for the hub's decision: asks the hub (at most
/// [`PAGE_FETCH`]); a failure only leaves the page as it was (and is logged).
pub async fn refresh_if_waiting(page: &Page, id: i64) {
    let waiting = page
        .state
        .store()
        .read_async(move |c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = ?1 AND approval = 'submitted')",
                [id],
                |r| r.get::<_, bool>(0),
            )?)
        })
        .await
        .unwrap_or(false);
    if !waiting {
        return;
    }
    let fetch = fc::fetch_decisions(page.state.store(), page.state.dir());
    match tokio::time::timeout(PAGE_FETCH, fetch).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!("campaign decisions: {e}"),
        Err(_) => tracing::warn!("campaign decisions: the hub did not answer in time"),
    }
}

/// The submit form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubmitForm {
    csrf: String,
    criterion: String,
    sector: String,
    summary: String,
}

impl HasCsrf for SubmitForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /campaigns/{id}/submit` — sends the campaign to the hub for approval.
pub async fn campaign_submit(
    Organizer(page): Organizer<Page>,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<SubmitForm>,
) -> Response {
    let r = async {
        let ask = Ask {
            campaign_id: id,
            criterion: f.criterion.trim().to_owned(),
            sector: f.sector.trim().to_owned(),
            summary: f.summary.trim().to_owned(),
        };
        let actor = page.user.username.clone();
        match fc::submit(page.state.store(), page.state.dir(), ask, &actor).await {
            Ok(_) => Ok(view::redirect(&format!("/campaigns/{id}?saved=1"))),
            Err(e) => {
                tracing::warn!("campaign submission: {e}");
                Ok(view::redirect(&format!(
                    "/campaigns/{id}?error=campaign_submission"
                )))
            }
        }
    }
    .await;
    page.respond(r)
}
