//! Campaigns, their success metrics and workplaces.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::registry::{self, Dim};

use crate::domain::vocab;
use crate::error::{Error, Result};

/// What a campaign is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignFields {
    /// Title (published only if `public`).
    pub title: String,
    /// registry::CAMPAIGN_TYPES code.
    pub kind: String,
    /// registry::CAMPAIGN_STATUSES code.
    pub status: String,
    /// draft, submitted, approved, rejected. Only a verified hub decision sets `approved`
    /// (federation::campaigns); `rejected` is what chapters set by hand before hubs decided, and
    /// is kept (reports still leave those campaigns out).
    pub approval: String,
    /// Published to the hubs in the report.
    pub public: bool,
    /// Linked to a national priority campaign.
    pub priority: bool,
    /// Has a labor component.
    pub labor_component: bool,
}

/// A success metric.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessMetric {
    /// What is measured.
    pub name: String,
    /// Target.
    pub target: i64,
    /// Actual.
    pub actual: i64,
}

/// A campaign as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    /// Row id.
    pub id: i64,
    /// Fields.
    #[serde(flatten)]
    pub fields: CampaignFields,
    /// Success metrics.
    pub metrics: Vec<SuccessMetric>,
    /// Linked workplace ids.
    pub workplaces: Vec<i64>,
}

fn validate(f: &CampaignFields) -> Result<()> {
    if f.title.trim().is_empty()
        || f.title.chars().count() > 200
        || f.title.chars().any(char::is_control)
    {
        return Err(Error::invalid("title", "1-200 printable characters"));
    }
    if f.kind == registry::UNKNOWN || !Dim::CampaignType.accepts(&f.kind) {
        return Err(Error::invalid(
            "kind",
            format!("unknown campaign type {:?}", f.kind),
        ));
    }
    if f.status == registry::UNKNOWN || !Dim::CampaignStatus.accepts(&f.status) {
        return Err(Error::invalid(
            "status",
            format!("unknown campaign status {:?}", f.status),
        ));
    }
    if !["draft", "submitted", "approved", "rejected"].contains(&f.approval.as_str()) {
        return Err(Error::invalid(
            "approval",
            "draft, submitted, approved or rejected",
        ));
    }
    Ok(())
}

/// Approvals people may set by hand; `approved` and `rejected` come from the hub's decision.
pub const BY_HAND: [&str; 2] = ["draft", "submitted"];

fn by_hand_refused() -> Error {
    Error::invalid(
        "approval",
        "draft or submitted: only the hub's signed decision approves a campaign",
    )
}

/// Creates a campaign from what a person entered: its approval must be draft or submitted.
pub fn create_by_hand(conn: &Connection, f: &CampaignFields) -> Result<i64> {
    if !BY_HAND.contains(&f.approval.as_str()) {
        return Err(by_hand_refused());
    }
    create(conn, f)
}

/// Edits a campaign from what a person entered: an empty approval keeps the stored one; it may
/// change only to draft or submitted (never to approved or rejected: that is the hub's decision).
pub fn edit_by_hand(conn: &Connection, id: i64, f: &CampaignFields) -> Result<()> {
    let current = get(conn, id)?.fields.approval;
    let mut f = f.clone();
    if f.approval.is_empty() {
        f.approval.clone_from(&current);
    }
    if f.approval != current && !BY_HAND.contains(&f.approval.as_str()) {
        return Err(by_hand_refused());
    }
    update(conn, id, &f)
}

/// Sets a campaign's approval (the hub's verified decision, or a submission sent).
pub fn set_approval(conn: &Connection, id: i64, approval: &str) -> Result<()> {
    conn.execute(
        "UPDATE campaigns SET approval = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, approval, vocab::now()],
    )?;
    Ok(())
}

/// Creates a campaign (also used by imports and test data, which may carry any approval).
pub fn create(conn: &Connection, f: &CampaignFields) -> Result<i64> {
    validate(f)?;
    let now = vocab::now();
    conn.execute(
        "INSERT INTO campaigns (title, kind, status, approval, public, priority, labor_component,
            created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            f.title.trim(),
            f.kind,
            f.status,
            f.approval,
            f.public,
            f.priority,
            f.labor_component,
            now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Replaces a campaign's fields.
pub fn update(conn: &Connection, id: i64, f: &CampaignFields) -> Result<()> {
    validate(f)?;
    let n = conn.execute(
        "UPDATE campaigns SET title = ?2, kind = ?3, status = ?4, approval = ?5, public = ?6,
            priority = ?7, labor_component = ?8, updated_at = ?9 WHERE id = ?1",
        params![
            id,
            f.title.trim(),
            f.kind,
            f.status,
            f.approval,
            f.public,
            f.priority,
            f.labor_component,
            vocab::now()
        ],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!("campaign {id}")));
    }
    Ok(())
}

/// Sets a success metric's target and actual (creating it if new).
pub fn set_metric(conn: &Connection, campaign_id: i64, m: &SuccessMetric) -> Result<()> {
    if m.name.trim().is_empty() || m.name.chars().count() > 120 || m.target < 0 || m.actual < 0 {
        return Err(Error::invalid(
            "metric",
            "a name of 1-120 characters and counts >= 0",
        ));
    }
    conn.execute(
        "INSERT INTO campaign_metrics (campaign_id, name, target, actual) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (campaign_id, name) DO UPDATE SET target = excluded.target, actual = excluded.actual",
        params![campaign_id, m.name.trim(), m.target, m.actual],
    )?;
    Ok(())
}

/// Links a workplace to a campaign.
pub fn add_workplace(conn: &Connection, campaign_id: i64, workplace_id: i64) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO campaign_workplaces (campaign_id, workplace_id) VALUES (?1, ?2)",
        params![campaign_id, workplace_id],
    )?;
    Ok(())
}

/// One campaign with its metrics and workplaces.
pub fn get(conn: &Connection, id: i64) -> Result<Campaign> {
    let fields = conn
        .query_row(
            "SELECT title, kind, status, approval, public, priority, labor_component
             FROM campaigns WHERE id = ?1",
            params![id],
            |r| {
                Ok(CampaignFields {
                    title: r.get(0)?,
                    kind: r.get(1)?,
                    status: r.get(2)?,
                    approval: r.get(3)?,
                    public: r.get(4)?,
                    priority: r.get(5)?,
                    labor_component: r.get(6)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("campaign {id}")))?;
    let metrics = conn
        .prepare_cached(
            "SELECT name, target, actual FROM campaign_metrics WHERE campaign_id = ?1 ORDER BY id",
        )?
        .query_map(params![id], |r| {
            Ok(SuccessMetric {
                name: r.get(0)?,
                target: r.get(1)?,
                actual: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let workplaces = conn
        .prepare_cached("SELECT workplace_id FROM campaign_workplaces WHERE campaign_id = ?1 ORDER BY workplace_id")?
        .query_map(params![id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Campaign {
        id,
        fields,
        metrics,
        workplaces,
    })
}

/// Every campaign.
pub fn list(conn: &Connection) -> Result<Vec<Campaign>> {
    let ids = conn
        .prepare_cached("SELECT id FROM campaigns ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}
