//! A federation at national scale: `N` synthetic chapters (20 to 10,000 members, heavy-tailed,
//! about 100,000 in all at 250 chapters) in real states weighted by population, `R` regional
//! hubs (the South always one of them, see [`regions`]), a national hub, and `P` consecutive
//! monthly reporting periods with realistic month-to-month change ([`evolve`]).
//!
//! Hubs are real servers on loopback, made by the same `init` as `shopfloor-hub init`. Chapters
//! are not served: each gets a real node data directory and store (`datadir::init`, the
//! synthetic list through the import, organizing data through the domain), enrolls with its hub
//! over HTTP with the real protocol (approval automatic, [`approve_fingerprint_danger`]), and
//! every month builds, signs and seals its report into its outbox, which delivers it over
//! loopback HTTP for a verified receipt. Then every regional hub forwards its rollup, national
//! builds its own, and that rollup is verified offline against the national root card.
//!
//! Chapters work concurrently, a bounded number at a time ([`Options::concurrency`]); each
//! chapter's reports go one at a time, in period order (they chain by `previous`).

pub mod evolve;
pub mod regions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail, ensure};
use jiff::civil::Date;
use shopfloor_hub::config::Level;
use shopfloor_hub::enroll as hub_enroll;
use shopfloor_hub::{forward, rollups};
use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::federation::{enroll, outbox, reports};
use shopfloor_node::store::Store;
use shopfloor_protocol::report::CellKey;
use shopfloor_protocol::rollup::{Rollup, Summary, verify_bytes};
use shopfloor_protocol::{Card, Kind, PartyId, Period};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::federation::{Enrollment, approve_fingerprint_danger, last_day};
use crate::servers::{DEMO_PASSWORD, HubServer, blocking};
use crate::synth::{self, ChapterProfile, Rng, tables::COUNTIES};
use regions::Region;

/// What to build.
#[derive(Clone, Debug)]
pub struct Options {
    /// Chapters (at least as many as regions).
    pub chapters: usize,
    /// Regions, the South included (1 to [`regions::max_regions`]).
    pub regions: usize,
    /// Consecutive monthly periods, ending last month.
    pub periods: usize,
    /// Seed for everything synthetic.
    pub seed: u64,
    /// Data directories here (empty or absent) instead of a temporary directory.
    pub data: Option<PathBuf>,
    /// Chapters worked on at once.
    pub concurrency: usize,
    /// Run the trustees' key ceremony and publish the joint key before chapters enroll, so
    /// reports carry encrypted withheld cells ([`crate::trustees`]).
    pub encrypted: bool,
}

impl Options {
    /// `chapters` chapters in `regions` regions over `periods` months, seed 2026, four at once.
    pub fn new(chapters: usize, regions: usize, periods: usize) -> Options {
        Options {
            chapters,
            regions,
            periods,
            seed: 2026,
            data: None,
            concurrency: 4,
            encrypted: true,
        }
    }
}

/// One planned chapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChapterPlan {
    /// Name, e.g. "Houston DSA".
    pub name: String,
    /// Its party id (the slug of its name).
    pub id: String,
    /// USPS state.
    pub state: &'static str,
    /// Home county FIPS.
    pub county: &'static str,
    /// Members on its first list.
    pub members: usize,
    /// Its seed.
    pub seed: u64,
    /// Index into [`Plan::regions`] of its hub; `None` reports straight to national.
    pub region: Option<usize>,
}

/// The federation's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Regions, the South first.
    pub regions: Vec<Region>,
    /// Chapters.
    pub chapters: Vec<ChapterPlan>,
}

/// Members a chapter averages at national scale (about 100,000 in 250 chapters).
pub const MEAN_MEMBERS: usize = 400;

/// Names a city's chapter could take, tried in order until one is free.
const NAME_PREFIXES: &[&str] = &[
    "", "North ", "South ", "East ", "West ", "Metro ", "Greater ",
];

fn uniform(rng: &mut Rng) -> f64 {
    // 53 bits of the generator, in (0, 1).
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// Heavy-tailed chapter sizes: log-normal, scaled so they average [`MEAN_MEMBERS`], clamped to
/// 20..=10,000; from 40 chapters on the largest is 10,000 and the smallest 20.
fn sizes(n: usize, rng: &mut Rng) -> Vec<usize> {
    let raw: Vec<f64> = (0..n)
        .map(|_| {
            let (u1, u2) = (uniform(rng), uniform(rng));
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            (5.3 + 1.25 * z).exp()
        })
        .collect();
    let total: f64 = raw.iter().sum();
    let scale = (MEAN_MEMBERS * n) as f64 / total.max(1.0);
    let mut out: Vec<usize> = raw
        .iter()
        .map(|r| ((r * scale).round() as usize).clamp(synth::MIN_MEMBERS, synth::MAX_MEMBERS))
        .collect();
    if n >= 40 {
        let max = (0..n).max_by_key(|i| out[*i]).unwrap_or(0);
        let min = (0..n).min_by_key(|i| out[*i]).unwrap_or(0);
        out[max] = synth::MAX_MEMBERS;
        out[min] = synth::MIN_MEMBERS;
    }
    out
}

/// Plans `opts.chapters` chapters in `opts.regions` regions, deterministically from the seed.
pub fn plan(opts: &Options) -> Result<Plan> {
    ensure!(
        (1..=regions::max_regions()).contains(&opts.regions),
        "--regions must be 1 to {} (the South, and at most one region per other state)",
        regions::max_regions()
    );
    ensure!(
        opts.chapters >= opts.regions,
        "--chapters must be at least --regions: every region needs a chapter"
    );
    ensure!(opts.periods >= 1, "--periods must be at least 1");
    let regions = regions::partition(opts.regions);
    let root = Rng::new(opts.seed);
    let mut rng = root.fork("states");
    // States: one per region first (weighted by population within it), then by population
    // over every state (outside the regions' states only when there is a single region).
    let weighted = |states: &[regions::State]| -> Vec<(&'static str, u32)> {
        states.iter().map(|(s, _, p)| (*s, *p)).collect()
    };
    let mut states: Vec<&'static str> = regions
        .iter()
        .map(|r| *rng.weighted(&weighted(&r.states)))
        .collect();
    let everywhere = weighted(&regions::all());
    while states.len() < opts.chapters {
        states.push(*rng.weighted(&everywhere));
    }
    // Sizes fall where they may, except that the largest chapter is in a big metro's state.
    let mut size_of = sizes(opts.chapters, &mut root.fork("sizes"));
    let largest = (0..size_of.len()).max_by_key(|i| size_of[*i]).unwrap_or(0);
    if let Some(metro) = states
        .iter()
        .position(|s| ["NY", "CA", "IL", "TX", "PA"].contains(s))
    {
        size_of.swap(largest, metro);
    }
    let mut rng = root.fork("places");
    let mut taken: Vec<String> = Vec::new();
    let mut chapters = Vec::with_capacity(opts.chapters);
    for (i, state) in states.iter().enumerate() {
        let counties: Vec<_> = COUNTIES.iter().filter(|c| c.state == *state).collect();
        let Some(county) = counties.get(rng.index(counties.len().max(1))).copied() else {
            bail!("no county for {state} in the synthetic tables");
        };
        let (city, _) = *rng.pick(county.cities);
        let name = NAME_PREFIXES
            .iter()
            .map(|p| format!("{p}{city} DSA"))
            .chain((2..).map(|k| format!("{city} DSA {k}")))
            .find(|n| !taken.contains(n))
            .unwrap_or_else(|| format!("{city} DSA {i}"));
        taken.push(name.clone());
        let region = regions
            .iter()
            .position(|r| r.states.iter().any(|(s, _, _)| s == state));
        chapters.push(ChapterPlan {
            id: PartyId::slugify(&name)?.to_string(),
            name,
            state,
            county: county.fips,
            members: size_of[i],
            seed: opts.seed.wrapping_mul(1_000_003).wrapping_add(i as u64),
            region,
        });
    }
    // A few small chapters outside the South report straight to national (as Maine does in the
    // small demo), never leaving a region without a chapter.
    let mut rng = root.fork("direct");
    for i in 0..chapters.len() {
        let Some(r) = chapters[i].region else {
            continue;
        };
        let in_region = chapters.iter().filter(|c| c.region == Some(r)).count();
        if r != 0 && chapters[i].members < 60 && in_region > 1 && rng.permille(300) {
            chapters[i].region = None;
        }
    }
    Ok(Plan { regions, chapters })
}

/// Seconds spent, by phase. Chapter phases add up each chapter's time (they run concurrently:
/// compare with the wall clock next to them).
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Hubs created, regional hubs enrolled at national (wall clock).
    pub hubs: f64,
    /// Building every chapter: data dir, keys, first admin, synthetic list and organizing data
    /// (wall clock).
    pub chapters_wall: f64,
    /// ...the same, summed over chapters.
    pub chapters_build: f64,
    /// ...of which enrollment over HTTP, summed over chapters.
    pub chapters_enroll: f64,
    /// Applying months' changes (import and domain), summed over chapters and periods.
    pub changes: f64,
    /// Building, signing and sealing reports, summed.
    pub report_build: f64,
    /// Delivering reports until the verified receipt (the hub's ingest), summed.
    pub ingest: f64,
    /// Chapters' part of every period (wall clock).
    pub chapters_periods_wall: f64,
    /// Regional hubs building and forwarding rollups (wall clock).
    pub forward: f64,
    /// National building its rollup and bundle (wall clock).
    pub rollup: f64,
    /// Offline verification of national's bundles (wall clock).
    pub verify: f64,
}

/// A chapter that exists as a node data directory and store (not served).
#[derive(Debug)]
pub struct ScaleChapter {
    /// Its plan.
    pub plan: ChapterPlan,
    /// Its data directory.
    pub dir: DataDir,
    /// Its store.
    pub store: Store,
    /// The synthetic chapter as it stands (the list evolves month by month).
    pub chapter: synth::Chapter,
    /// The node's workplace ids by the chapter's workplace index.
    pub wids: Vec<i64>,
    /// What the months changed, in order (the first month is the initial load).
    pub months: Vec<evolve::Month>,
}

/// A regional hub.
#[derive(Debug)]
pub struct RegionalHub {
    /// Its region.
    pub region: Region,
    /// The server.
    pub server: HubServer,
}

/// What one period produced.
#[derive(Clone, Debug)]
pub struct PeriodOutcome {
    /// The period.
    pub period: Period,
    /// Reports delivered with a verified receipt.
    pub delivered: usize,
    /// Regional rollups forwarded to national with a verified receipt.
    pub forwarded: usize,
    /// National's rollup revision.
    pub national_revision: u32,
    /// National's bundle (what `shopfloor-hub verify` reads).
    pub bundle: Vec<u8>,
    /// The bundle's offline verification against the root card.
    pub summary: Summary,
    /// Members, national total (the `members` metric in national's rollup).
    pub members: u64,
    /// Workplaces, national total.
    pub workplaces: u64,
}

/// What a hub's publication shows of its encrypted aggregates.
#[derive(Clone, Debug, Default)]
pub struct Published {
    /// Aggregates the trustees decrypted and the release rule released.
    pub released: usize,
    /// Of those, shown to viewers as exact counts.
    pub exact: usize,
    /// Exact counts of the hub's own view, by what they count (union staff, officers, ladder
    /// stages, pods…), a few of each.
    pub examples: Vec<(CellKey, u64)>,
    /// What the hub's own view shows of the rare counts the federation asks for: union staff,
    /// union officers, stewards, workplaces at each ladder stage, and pods ([`rare_keys`]).
    pub rare: Vec<(CellKey, shopfloor_hub::publish::Value)>,
}

/// The rare counts the federation asks national for, in the order the demo prints them.
pub fn rare_keys() -> Vec<CellKey> {
    use shopfloor_protocol::registry::Dim;
    let mut keys = vec![
        CellKey::new("members", &[(Dim::UnionStatus, "staff")]),
        CellKey::new("members", &[(Dim::UnionStatus, "officer")]),
        CellKey::new("members", &[(Dim::UnionStatus, "steward")]),
    ];
    for stage in ["0", "1", "2", "3", "4", "5"] {
        keys.push(CellKey::new("workplaces", &[(Dim::Stage, stage)]));
    }
    keys.push(CellKey::total("pods"));
    keys
}

impl Published {
    fn of(
        p: &shopfloor_hub::publish::Publication,
        released: &[shopfloor_protocol::threshold::Released],
    ) -> Published {
        use shopfloor_hub::publish::Value;
        let mut out = Published {
            released: released.len(),
            ..Published::default()
        };
        let own = p.view(&[]);
        out.rare = rare_keys()
            .into_iter()
            .map(|k| {
                let v = own
                    .and_then(|v| v.cells.iter().find(|c| c.key == k))
                    .map_or(Value::Exact(0), |c| c.value);
                (k, v)
            })
            .collect();
        for r in released {
            let shown = p
                .view(&r.view)
                .and_then(|v| v.cells.iter().find(|c| c.key == r.key))
                .map(|c| c.value);
            if let Some(Value::Exact(v)) = shown {
                out.exact += 1;
                if r.view.is_empty() && out.examples.len() < 6 {
                    out.examples.push((r.key.clone(), v));
                }
            }
        }
        out
    }
}

/// A national-scale federation: hubs served on loopback, chapters as data directories.
#[derive(Debug)]
pub struct National {
    _tmp: Option<tempfile::TempDir>,
    /// Where everything is.
    pub root: PathBuf,
    /// The plan it was built from.
    pub plan: Plan,
    /// The national hub.
    pub national: HubServer,
    /// Regional hubs, in [`Plan::regions`] order.
    pub regionals: Vec<RegionalHub>,
    /// Chapters, in [`Plan::chapters`] order.
    pub chapters: Vec<ScaleChapter>,
    /// Both fingerprints of every hub enrollment (chapters' are not kept: there are hundreds).
    pub enrollments: Vec<Enrollment>,
    /// Time spent so far.
    pub timings: Timings,
    /// Seed.
    pub seed: u64,
    concurrency: usize,
    periods_run: usize,
    /// The joint key and its trustees' files, when [`Options::encrypted`].
    pub joint_key: Option<crate::trustees::JointKeySetup>,
}

/// The hub data directory's name: the hub's party id.
pub fn hub_dir_name(name: &str) -> Result<String> {
    Ok(PartyId::slugify(name)?.to_string())
}

/// National's name.
pub const NATIONAL_NAME: &str = "National Labor Commission";

/// Publishes `period` at `hub` now (`shopfloor-hub publish`), which must make a new
/// publication; returns it with its released aggregates.
pub async fn publish_fresh(
    hub: &shopfloor_hub::Hub,
    period: Period,
) -> Result<(
    shopfloor_hub::publish::Stored,
    Vec<shopfloor_protocol::threshold::Released>,
)> {
    use shopfloor_hub::publish::{self, Outcome, Trigger};
    let h = hub.clone();
    blocking(move || {
        let outcome = publish::publish(&h, period, Trigger::Command)?;
        let Outcome::Published(s) = outcome else {
            bail!("not published: {outcome:?}");
        };
        let released = publish::released(&h, &s)?;
        Ok((*s, released))
    })
    .await
}

/// `count` consecutive periods ending last month, oldest first.
pub fn periods(count: usize) -> Result<Vec<Period>> {
    let mut p = crate::federation::last_month()?;
    let mut out = vec![p];
    while out.len() < count {
        p = p
            .previous()
            .ok_or_else(|| anyhow!("no period before {p}"))?;
        out.push(p);
    }
    out.reverse();
    Ok(out)
}

fn first_day(period: Period) -> Result<Date> {
    Ok(jiff::civil::Date::new(
        i16::try_from(period.year())?,
        i8::try_from(period.month())?,
        1,
    )?)
}

impl National {
    /// Creates the hubs (served on loopback), then every chapter (concurrently), enrolled and
    /// loaded as of the last day of `first` (the first period).
    pub async fn build(plan: Plan, opts: &Options, first: Period) -> Result<National> {
        let (tmp, root) = match &opts.data {
            Some(d) => {
                if d.exists() && std::fs::read_dir(d)?.next().is_some() {
                    bail!("{} is not empty", d.display());
                }
                std::fs::create_dir_all(d)?;
                (None, d.clone())
            }
            None => {
                let t = tempfile::Builder::new().prefix("shopfloor-").tempdir()?;
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let mut timings = Timings::default();
        let started = Instant::now();
        let dir = root.join(hub_dir_name(NATIONAL_NAME)?);
        let national =
            blocking(move || HubServer::init(&dir, Level::National, NATIONAL_NAME, None, false))
                .await?;
        let mut national = HubServer::start(national).await?;
        let mut enrollments = Vec::new();
        let mut regionals = Vec::new();
        for region in &plan.regions {
            let dir = root.join(hub_dir_name(&region.name)?);
            let name = region.name.clone();
            let hub = blocking(move || HubServer::init(&dir, Level::Regional, &name, None, false))
                .await?;
            let (h, name) = (national.hub.clone(), region.name.clone());
            let invite =
                blocking(move || Ok(hub_enroll::invite(&h, &name, Kind::Regional, "demo")?))
                    .await?;
            let submitted = forward::start_enrollment(&hub, &national.url(), &invite.code).await?;
            ensure!(
                submitted.hub_fingerprint == national.card().fingerprint().to_string(),
                "national's fingerprint as {} sees it differs",
                region.name
            );
            let fp = hub.card().fingerprint().to_string();
            let (h, f) = (national.hub.clone(), fp.clone());
            blocking(move || approve_fingerprint_danger(&h, &f)).await?;
            forward::wait_for_approval(
                &hub,
                Duration::from_millis(100),
                Some(Duration::from_secs(60)),
            )
            .await?;
            enrollments.push(Enrollment {
                child: hub.card().name.clone(),
                parent: national.card().name.clone(),
                child_fingerprint: fp,
                parent_fingerprint: submitted.hub_fingerprint,
            });
            regionals.push(RegionalHub {
                region: region.clone(),
                server: HubServer::start(hub).await?,
            });
        }
        let joint_key = match regionals.iter().find(|r| r.region.south) {
            Some(south) if opts.encrypted => {
                let hubs: Vec<shopfloor_hub::Hub> =
                    regionals.iter().map(|r| r.server.hub.clone()).collect();
                Some(
                    crate::trustees::publish_joint_key(
                        &root,
                        &national.hub,
                        &south.server.hub,
                        &hubs,
                    )
                    .await?,
                )
            }
            _ => None,
        };
        if let (Some(setup), Some(south)) =
            (&joint_key, regionals.iter_mut().find(|r| r.region.south))
        {
            crate::trustees::connect_trustees(setup, &mut national, &mut south.server).await?;
        }
        timings.hubs = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let as_of = last_day(first)?;
        std::fs::create_dir_all(root.join("chapters"))?;
        let sem = Arc::new(Semaphore::new(opts.concurrency.max(1)));
        let root_card = national.card().clone();
        let mut set = JoinSet::new();
        for (i, cp) in plan.chapters.iter().cloned().enumerate() {
            let parent = match cp.region {
                Some(r) => regionals
                    .get(r)
                    .map(|h| &h.server)
                    .ok_or_else(|| anyhow!("no hub for region {r}"))?,
                None => &national,
            };
            let (hub, url) = (parent.hub.clone(), parent.url());
            let (sem, dir, root_card) =
                (sem.clone(), chapter_dir(&root, &cp.id), root_card.clone());
            set.spawn(async move {
                let _permit = sem.acquire_owned().await?;
                let t = Instant::now();
                let built = build_chapter(cp, dir, as_of).await?;
                let te = Instant::now();
                enroll_chapter(&built, &hub, &url, root_card).await?;
                let enroll_s = te.elapsed().as_secs_f64();
                Ok::<_, anyhow::Error>((i, built, t.elapsed().as_secs_f64(), enroll_s))
            });
        }
        let mut chapters: BTreeMap<usize, ScaleChapter> = BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            let (i, c, total, enroll_s) = joined.map_err(|e| anyhow!("chapter task: {e}"))??;
            timings.chapters_build += total;
            timings.chapters_enroll += enroll_s;
            chapters.insert(i, c);
        }
        timings.chapters_wall = started.elapsed().as_secs_f64();
        Ok(National {
            _tmp: tmp,
            root,
            plan,
            national,
            regionals,
            chapters: chapters.into_values().collect(),
            enrollments,
            timings,
            seed: opts.seed,
            concurrency: opts.concurrency.max(1),
            periods_run: 0,
            joint_key,
        })
    }

    /// The national root card.
    pub fn root_card(&self) -> Card {
        self.national.card().clone()
    }

    /// Runs one period: every chapter applies the month's changes (none in the first period:
    /// its data was loaded as of that month) and delivers its report through its outbox; every
    /// regional hub forwards; national builds its rollup, verified offline against the root.
    /// Call with consecutive periods, oldest first.
    pub async fn run_period(&mut self, period: Period) -> Result<PeriodOutcome> {
        let first = first_day(period)?;
        let last = last_day(period)?;
        let apply = self.periods_run > 0;
        let started = Instant::now();
        let sem = Arc::new(Semaphore::new(self.concurrency));
        let mut set = JoinSet::new();
        for (i, mut c) in std::mem::take(&mut self.chapters).into_iter().enumerate() {
            let sem = sem.clone();
            let seed = self.seed;
            set.spawn(async move {
                let permit = sem.acquire_owned().await;
                let result = async {
                    let _permit = permit?;
                    let t0 = Instant::now();
                    let (store, dir) = (c.store.clone(), c.dir.clone());
                    let mut ch = std::mem::replace(&mut c.chapter, empty_chapter());
                    let wids = c.wids.clone();
                    let chapter_seed = c.plan.seed;
                    let (ch, month, changes, queued) = blocking(move || {
                        let month = if apply {
                            evolve::apply_month(
                                &store,
                                &mut ch,
                                &wids,
                                chapter_seed ^ seed,
                                first,
                                last,
                            )?
                        } else {
                            evolve::Month::default()
                        };
                        let changes = t0.elapsed().as_secs_f64();
                        // Frozen periods: the month closes as of its end, after its changes and
                        // before its report is built, so the report's stocks are the month's.
                        store.write(|tx| {
                            shopfloor_node::report::close_period(tx, period, period.end())
                        })?;
                        let queued = reports::enqueue(&store, &dir, period)?;
                        Ok((ch, month, changes, queued))
                    })
                    .await?;
                    c.chapter = ch;
                    c.months.push(month);
                    let built = t0.elapsed().as_secs_f64() - changes;
                    let t1 = Instant::now();
                    let item =
                        outbox::wait_for(&c.store, queued.outbox_id, Duration::from_secs(300))
                            .await?;
                    ensure!(
                        item.status == "delivered",
                        "{}: report for {period} not delivered ({}): {}",
                        c.plan.name,
                        item.status,
                        item.last_error.clone().unwrap_or_default()
                    );
                    Ok((changes, built, t1.elapsed().as_secs_f64()))
                }
                .await;
                (i, c, result)
            });
        }
        let mut back: BTreeMap<usize, ScaleChapter> = BTreeMap::new();
        let mut failure = None;
        while let Some(joined) = set.join_next().await {
            let (i, c, result) = joined.map_err(|e| anyhow!("chapter task: {e}"))?;
            back.insert(i, c);
            match result {
                Ok((changes, built, ingest)) => {
                    self.timings.changes += changes;
                    self.timings.report_build += built;
                    self.timings.ingest += ingest;
                }
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        let delivered = back.len();
        self.chapters = back.into_values().collect();
        if let Some(e) = failure {
            return Err(e);
        }
        self.timings.chapters_periods_wall += started.elapsed().as_secs_f64();

        let started = Instant::now();
        let mut set = JoinSet::new();
        for r in &self.regionals {
            let (hub, name) = (r.server.hub.clone(), r.region.name.clone());
            set.spawn(async move {
                forward::forward(&hub, period, 5)
                    .await
                    .with_context(|| format!("{name} forwarding its rollup to national"))
            });
        }
        let mut forwarded = 0;
        let mut failure = None;
        while let Some(joined) = set.join_next().await {
            match joined.map_err(|e| anyhow!("forward task: {e}")) {
                Ok(Ok(_)) => forwarded += 1,
                Ok(Err(e)) | Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        self.timings.forward += started.elapsed().as_secs_f64();
        if let Some(e) = failure {
            return Err(e);
        }

        let started = Instant::now();
        let h = self.national.hub.clone();
        let built = blocking(move || {
            let built = rollups::build(&h, period)?;
            let bundle = rollups::bundle(&h, built.envelope.clone())?;
            Ok((built, bundle.to_json()))
        })
        .await;
        self.timings.rollup += started.elapsed().as_secs_f64();
        let (built, bundle) = built.context("national building its rollup")?;

        let started = Instant::now();
        let root = self.root_card();
        let (b, r) = (bundle.clone(), root.clone());
        let summary = blocking(move || {
            verify_bytes(&b, &r, None).map_err(|errors| {
                anyhow!(
                    "national's rollup for {period} does not verify: {}",
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.reason().code(), e.detail()))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })
        })
        .await?;
        self.timings.verify += started.elapsed().as_secs_f64();
        let rollup: Rollup = built.envelope.open_document(&root.signing_key)?;
        let total = |metric: &str| {
            let key = CellKey::total(metric);
            rollup
                .cells
                .iter()
                .find(|c| c.key == key)
                .map_or(0, |c| c.sum)
        };
        self.periods_run += 1;
        Ok(PeriodOutcome {
            period,
            delivered,
            forwarded,
            national_revision: built.revision,
            bundle,
            summary,
            members: total("members"),
            workplaces: total("workplaces"),
        })
    }

    /// Logs in to every hub's web interface with the demo login over HTTP; returns each hub's
    /// name and address.
    /// Publishes `period` at national, then at every regional hub (`shopfloor-hub publish`):
    /// national asks the trustees to decrypt what the release rule allows over the whole
    /// federation, and each region shows what national released at its view (crate::relay in
    /// the hub), besides what its own trustees answer. The hubs' names with what each
    /// publication shows, national first.
    pub async fn publish(&self, period: Period) -> Result<Vec<(String, Published)>> {
        let mut hubs: Vec<(String, shopfloor_hub::Hub)> =
            vec![(self.national.card().name.clone(), self.national.hub.clone())];
        hubs.extend(
            self.regionals
                .iter()
                .map(|r| (r.region.name.clone(), r.server.hub.clone())),
        );
        let mut out = Vec::new();
        for (name, hub) in hubs {
            let hub_for_released = hub.clone();
            let outcome = blocking(move || {
                Ok(shopfloor_hub::publish::publish(
                    &hub,
                    period,
                    shopfloor_hub::publish::Trigger::Command,
                )?)
            })
            .await?;
            let stored = match outcome {
                shopfloor_hub::publish::Outcome::Published(s)
                | shopfloor_hub::publish::Outcome::Unchanged(s) => s,
                other => bail!("{name} did not publish {period}: {other:?}"),
            };
            let h = hub_for_released.clone();
            let st = stored.clone();
            let released = blocking(move || Ok(shopfloor_hub::publish::released(&h, &st)?)).await?;
            out.push((name, Published::of(&stored.publication, &released)));
        }
        Ok(out)
    }

    pub async fn check_logins(&self) -> Result<Vec<(String, String)>> {
        crate::federation::check_hub_logins(
            std::iter::once(&self.national).chain(self.regionals.iter().map(|r| &r.server)),
        )
        .await
    }

    /// Stops every hub.
    pub async fn stop(&mut self) -> Result<()> {
        for r in &mut self.regionals {
            r.server.stop().await?;
        }
        self.national.stop().await
    }
}

fn empty_chapter() -> synth::Chapter {
    synth::Chapter {
        name: String::new(),
        state: String::new(),
        as_of: jiff::civil::date(2026, 1, 1),
        canary: None,
        members: Vec::new(),
        workplaces: Vec::new(),
        completions: Vec::new(),
        pods: Vec::new(),
        mentorships: Vec::new(),
        reserve: Vec::new(),
        campaigns: Vec::new(),
        recruitments: Vec::new(),
        facts: (false, false, false),
    }
}

/// Creates a chapter's data directory and store and loads its synthetic data as of `as_of`.
async fn build_chapter(cp: ChapterPlan, dir: PathBuf, as_of: Date) -> Result<ScaleChapter> {
    blocking(move || {
        datadir::init(&dir, &cp.name, cp.state, Some(DEMO_PASSWORD.to_owned()))
            .with_context(|| format!("init node {}", cp.name))?;
        let dir = DataDir::new(&dir);
        let store = dir.open_store()?;
        let profile = ChapterProfile::new(&cp.name, cp.state, cp.members, cp.seed)
            .county(cp.county)
            .as_of(as_of);
        let chapter = synth::generate(&profile);
        synth::load(&store, &chapter).with_context(|| format!("loading {}", cp.name))?;
        let wids = evolve::after_load(&store, as_of)?;
        Ok(ScaleChapter {
            plan: cp,
            dir,
            store,
            chapter,
            wids,
            months: Vec::new(),
        })
    })
    .await
}

/// Enrolls a chapter at its hub over HTTP (approval automatic: the demo only).
async fn enroll_chapter(
    c: &ScaleChapter,
    hub: &shopfloor_hub::Hub,
    url: &str,
    root: Card,
) -> Result<()> {
    let (h, name) = (hub.clone(), c.plan.name.clone());
    let invite =
        blocking(move || Ok(hub_enroll::invite(&h, &name, Kind::Chapter, "demo")?)).await?;
    let started = enroll::start(&c.store, &c.dir, url, &invite.code, Some(root)).await?;
    ensure!(
        started.hub_fingerprint == hub.card().fingerprint().to_string(),
        "the hub's fingerprint as {} sees it differs",
        c.plan.name
    );
    let (h, f) = (hub.clone(), started.node_fingerprint.clone());
    blocking(move || approve_fingerprint_danger(&h, &f)).await?;
    let enrolled = enroll::wait(
        &c.store,
        &c.dir,
        &enroll::WaitOptions {
            poll: Duration::from_millis(100),
            timeout: Some(Duration::from_secs(60)),
        },
    )
    .await?;
    ensure!(
        enrolled.chain_verified,
        "{}: the hub's chain did not verify to the national root",
        c.plan.name
    );
    Ok(())
}

/// Where a chapter's data directory is under a federation's root.
pub fn chapter_dir(root: &Path, id: &str) -> PathBuf {
    root.join("chapters").join(id)
}

#[cfg(test)]
mod tests;
