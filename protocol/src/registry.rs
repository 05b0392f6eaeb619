//! The metric registry and its vocabularies.
//!
//! Every number a chapter may publish is a cell of a metric listed here. A metric names its
//! **tables**: the dimension sets it may be broken down by. The total (no dimensions) is always
//! published; a 1-D table's cells sum to the total; a 2-D table `[a, b]` sums to the 1-D tables
//! `[a]` and `[b]`, which the registry always lists alongside it. Every dimension has an explicit
//! `unknown` value, so every table is complete and sums can be trusted. Cells not listed are zero.
//!
//! Metrics are chosen so that no metric's total is the sum of another metric's cells. Cells of
//! different metrics (and of different tables of one metric) are still tied together by the way
//! the node counts them: a majority-support workplace is one below stage 3 whose workforce and
//! supporters show a majority (the ladder stage alone never counts), a member without a workplace
//! is unknown in sector, state, county and stage at once, a county lies in its state. Each metric states those **relations** in [`Metric::relations`], next to its
//! tables, so a metric cannot be added without saying how it relates to the others; disclosure
//! control audits every table and every relation of a report together
//! ([`crate::relations`] turns them into linear constraints).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A word in a vocabulary, with its English and Spanish labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// The wire code.
    pub code: &'static str,
    /// English label.
    pub en: &'static str,
    /// Spanish label.
    pub es: &'static str,
}

const fn t(code: &'static str, en: &'static str, es: &'static str) -> Term {
    Term { code, en, es }
}

/// The value every dimension has for "not recorded".
pub const UNKNOWN: &str = "unknown";

/// A dimension a metric can be broken down by. Variants are in the order tables list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Dim {
    /// Membership standing on national's list.
    Status,
    /// NAICS 2022 sector of the member's (main) workplace.
    Sector,
    /// USPS state of the workplace.
    State,
    /// County FIPS code (5 digits) of the workplace.
    County,
    /// The member's relation to a union.
    UnionStatus,
    /// The union (national affiliation) the member belongs to.
    Union,
    /// Organizing stage 0-5 of the workplace.
    Stage,
    /// Union representation at the workplace.
    Representation,
    /// A training from the hub's catalog (or the chapter's own).
    Training,
    /// Leadership readiness level.
    Readiness,
    /// ISO 639 language code.
    Language,
    /// Organizing skill.
    Skill,
    /// Campaign type.
    CampaignType,
    /// Campaign status.
    CampaignStatus,
}

impl Dim {
    /// Every dimension.
    pub const ALL: &'static [Dim] = &[
        Dim::Status,
        Dim::Sector,
        Dim::State,
        Dim::County,
        Dim::UnionStatus,
        Dim::Union,
        Dim::Stage,
        Dim::Representation,
        Dim::Training,
        Dim::Readiness,
        Dim::Language,
        Dim::Skill,
        Dim::CampaignType,
        Dim::CampaignStatus,
    ];

    /// The wire name, e.g. `union-status`.
    pub fn key(self) -> &'static str {
        match self {
            Dim::Status => "status",
            Dim::Sector => "sector",
            Dim::State => "state",
            Dim::County => "county",
            Dim::UnionStatus => "union-status",
            Dim::Union => "union",
            Dim::Stage => "stage",
            Dim::Representation => "representation",
            Dim::Training => "training",
            Dim::Readiness => "readiness",
            Dim::Language => "language",
            Dim::Skill => "skill",
            Dim::CampaignType => "campaign-type",
            Dim::CampaignStatus => "campaign-status",
        }
    }

    /// Looks a dimension up by wire name.
    pub fn from_key(key: &str) -> Option<Dim> {
        Dim::ALL.iter().copied().find(|d| d.key() == key)
    }

    /// English and Spanish names of the dimension.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Dim::Status => ("Membership status", "Estado de membresía"),
            Dim::Sector => ("Industry sector", "Sector económico"),
            Dim::State => ("State", "Estado"),
            Dim::County => ("County", "Condado"),
            Dim::UnionStatus => ("Union status", "Situación sindical"),
            Dim::Union => ("Union", "Sindicato"),
            Dim::Stage => ("Organizing stage", "Etapa de organización"),
            Dim::Representation => ("Union representation", "Representación sindical"),
            Dim::Training => ("Training", "Capacitación"),
            Dim::Readiness => ("Leadership readiness", "Preparación para el liderazgo"),
            Dim::Language => ("Language", "Idioma"),
            Dim::Skill => ("Skill", "Habilidad"),
            Dim::CampaignType => ("Campaign type", "Tipo de campaña"),
            Dim::CampaignStatus => ("Campaign status", "Estado de la campaña"),
        }
    }

    /// The closed vocabulary of this dimension, or `None` for open ones (county, training,
    /// language) whose values are checked by shape.
    pub fn terms(self) -> Option<&'static [Term]> {
        match self {
            Dim::Status => Some(STATUSES),
            Dim::Sector => Some(SECTORS),
            Dim::State => Some(STATES),
            Dim::UnionStatus => Some(UNION_STATUSES),
            Dim::Union => Some(UNIONS),
            Dim::Stage => Some(STAGES),
            Dim::Representation => Some(REPRESENTATIONS),
            Dim::Readiness => Some(READINESS),
            Dim::Skill => Some(SKILLS),
            Dim::CampaignType => Some(CAMPAIGN_TYPES),
            Dim::CampaignStatus => Some(CAMPAIGN_STATUSES),
            Dim::County | Dim::Training | Dim::Language => None,
        }
    }

    /// Whether `value` belongs to this dimension's vocabulary.
    pub fn accepts(self, value: &str) -> bool {
        if value == UNKNOWN {
            return true;
        }
        match self.terms() {
            Some(terms) => terms.iter().any(|t| t.code == value),
            None => match self {
                // County FIPS: 5 digits whose first two are a state FIPS code we know.
                Dim::County => {
                    value.len() == 5
                        && value.bytes().all(|b| b.is_ascii_digit())
                        && value
                            .get(..2)
                            .is_some_and(|p| STATE_FIPS.iter().any(|(_, f)| *f == p))
                }
                Dim::Training => {
                    (1..=40).contains(&value.len())
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                }
                Dim::Language => {
                    (2..=3).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_lowercase())
                }
                _ => false,
            },
        }
    }

    /// Label of a value in English and Spanish (the code itself for open vocabularies).
    pub fn value_label(self, value: &str) -> (String, String) {
        if value == UNKNOWN {
            return ("Unknown".into(), "Desconocido".into());
        }
        if let Some(term) = self
            .terms()
            .and_then(|ts| ts.iter().find(|t| t.code == value))
        {
            return (term.en.into(), term.es.into());
        }
        if self == Dim::Language
            && let Some(l) = LANGUAGES.iter().find(|l| l.code == value)
        {
            return (l.en.into(), l.es.into());
        }
        (value.into(), value.into())
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The two languages every label in the registry is written in. User interfaces use it to pick
/// a label, and to choose a language from a browser's `Accept-Language` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// English (the default).
    #[default]
    En,
    /// Spanish.
    Es,
}

impl Language {
    /// Both languages, in the order a language switcher lists them.
    pub const ALL: [Language; 2] = [Language::En, Language::Es];

    /// The BCP 47 code, for `lang` attributes, cookies and stored preferences.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
        }
    }

    /// The language's own name, for a switcher.
    pub fn own_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Es => "Español",
        }
    }

    /// A stored or submitted code (`en`, `es`, `es-MX`, `es_US`...).
    pub fn parse(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Language::En),
            "es" => Some(Language::Es),
            _ => None,
        }
    }

    /// The preferred language of an HTTP `Accept-Language` header, if it names English or
    /// Spanish: the highest quality wins, and among equals the first listed.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(u32, usize, Language)> = None;
        for (position, item) in header.split(',').take(32).enumerate() {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Language::parse) else {
                continue;
            };
            let mut q = 1000;
            for p in parts {
                if let Some(v) = p.trim().strip_prefix("q=") {
                    q = v
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .map_or(0, |q| (q * 1000.0) as u32);
                }
            }
            if q == 0 {
                continue;
            }
            if best.is_none_or(|(bq, bp, _)| q > bq || (q == bq && position < bp)) {
                best = Some((q, position, lang));
            }
        }
        best.map(|(_, _, l)| l)
    }

    /// One of an English/Spanish pair of labels.
    pub fn pick<'a>(self, en: &'a str, es: &'a str) -> &'a str {
        match self {
            Language::En => en,
            Language::Es => es,
        }
    }
}

/// A metric: what it counts, in both languages, and the tables it may be published as.
#[derive(Debug)]
pub struct Metric {
    /// Wire id, e.g. `members`.
    pub id: &'static str,
    /// English label.
    pub en: &'static str,
    /// Spanish label.
    pub es: &'static str,
    /// The dimension sets this metric is published by; 1-D tables first, then 2-D tables whose
    /// margins are among the 1-D tables.
    pub tables: &'static [&'static [Dim]],
    /// What holds by construction between this metric's cells and other cells of the same report,
    /// beyond its own table margins. An empty list is a statement too: nothing else ties them.
    pub relations: &'static [Relation],
}

/// Some cells of a report, summed: one metric, with some dimensions restricted to sets of values
/// (the cells of the table those dimensions name, one per combination of values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cells {
    /// The metric.
    pub metric: &'static str,
    /// Dimensions and the values summed over; together with the relation's `per` dimension
    /// (when [`Cells::per`] is set) they name one of the metric's tables, or its total.
    pub fixed: &'static [(Dim, &'static [&'static str])],
    /// Whether the relation's `per` dimension is fixed on this side too.
    pub per: bool,
}

/// A relation between cells that holds by construction in every report a node builds. Where a
/// relation has a `per` dimension it holds once for every value of that dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Relation {
    /// `sum(small) <= sum(large)`.
    AtMost {
        /// The smaller side.
        small: Cells,
        /// The larger side.
        large: Cells,
        /// Holds for each value of this dimension separately.
        per: Option<Dim>,
        /// Why it holds, for people reading the registry and audit findings.
        why: &'static str,
    },
    /// `sum(left) = sum(right)`.
    Equal {
        /// One side.
        left: Cells,
        /// The other side.
        right: Cells,
        /// Holds for each value of this dimension separately.
        per: Option<Dim>,
        /// Why it holds.
        why: &'static str,
    },
    /// The metric's county cells whose FIPS code lies in a state sum to at most that state's
    /// cell, and its unknown-state cell is at most its unknown-county cell.
    CountiesWithinStates {
        /// The metric with both a `[county]` and a `[state]` table.
        metric: &'static str,
    },
    /// One count per organizer and value (a language spoken, a skill), and `unknown` once for an
    /// organizer with none: for every value `v`, `[dim=v] + [dim=unknown] <= organizers`, and the
    /// metric's total is at least `organizers`.
    OncePerOrganizer {
        /// The per-value metric.
        metric: &'static str,
        /// Its dimension.
        dim: Dim,
        /// The metric counting organizers.
        organizers: &'static str,
    },
    /// Members with a workplace take `dim` from the workplace's row, and members without one
    /// (`[stage=unknown]`) are unknown in `dim`: `[dim=unknown] − [stage=unknown] <= T ·
    /// workplaces[dim=unknown]`, with `T` the metric's published total.
    NeedWorkplaces {
        /// The members metric.
        metric: &'static str,
        /// A dimension both metrics take from the workplace.
        dim: Dim,
        /// The workplaces metric.
        workplaces: &'static str,
    },
    /// Every cell of the metric (every table, and the total) is at least the number of the
    /// report's public campaigns that fall in it; `priority_labor` counts only public campaigns
    /// marked priority with a labor component.
    PublicCampaigns {
        /// The metric counting campaigns.
        metric: &'static str,
        /// Count only priority campaigns with a labor component.
        priority_labor: bool,
    },
}

const fn cells(metric: &'static str, fixed: &'static [(Dim, &'static [&'static str])]) -> Cells {
    Cells {
        metric,
        fixed,
        per: false,
    }
}

const fn cells_per(
    metric: &'static str,
    fixed: &'static [(Dim, &'static [&'static str])],
) -> Cells {
    Cells {
        metric,
        fixed,
        per: true,
    }
}

/// How a metric's value for one period relates to time: what a goal on it adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accrual {
    /// A count of how things stand at the period's close (members, workplaces, pods…). A goal
    /// takes it as of the latest period.
    Stock,
    /// A count of what happened during the period only (coworkers recruited this period). A goal
    /// sums it over the periods of its window.
    PerPeriod,
    /// A running total of everything up to the period's end (trainings completed, counted from
    /// every completion ever recorded). A goal counts its growth over its window: the latest
    /// period's value less the value of the period before the window starts.
    ToDate,
}

impl Metric {
    /// Whether a cell with these dimensions (sorted by [`Dim`] order) belongs to this metric.
    pub fn allows(&self, dims: &[Dim]) -> bool {
        dims.is_empty() || self.tables.contains(&dims)
    }

    /// How the metric accrues over periods (what the node counts for it: see
    /// `node/src/report/aggregate.rs`).
    pub fn accrual(&self) -> Accrual {
        match self.id {
            "coworkers-recruited" => Accrual::PerPeriod,
            "trainings-completed" => Accrual::ToDate,
            _ => Accrual::Stock,
        }
    }
}

use Dim::*;

/// Every metric, in the order dashboards show them.
pub static METRICS: &[Metric] = &[
    Metric {
        id: "members",
        en: "Members (in good standing or current)",
        es: "Miembros (al corriente o vigentes)",
        tables: &[
            &[Status],
            &[Sector],
            &[State],
            &[County],
            &[UnionStatus],
            &[Union],
            &[Stage],
            &[Readiness],
            &[Language],
            &[Sector, UnionStatus],
            &[Sector, Stage],
        ],
        relations: &[
            // A member without a workplace has no sector, state, county or stage; a member with
            // one always has a stage (0-5), so `stage = unknown` counts exactly those members.
            Relation::AtMost {
                small: cells("members", &[(Stage, &[UNKNOWN])]),
                large: cells("members", &[(Sector, &[UNKNOWN])]),
                per: None,
                why: "members without a workplace are unknown in sector and stage",
            },
            Relation::AtMost {
                small: cells("members", &[(Stage, &[UNKNOWN])]),
                large: cells("members", &[(State, &[UNKNOWN])]),
                per: None,
                why: "members without a workplace are unknown in state and stage",
            },
            Relation::AtMost {
                small: cells("members", &[(Stage, &[UNKNOWN])]),
                large: cells("members", &[(County, &[UNKNOWN])]),
                per: None,
                why: "members without a workplace are unknown in county and stage",
            },
            // The node counts a workplace whose county is known but state is not under the
            // county's state, so counties always lie in their state.
            Relation::CountiesWithinStates { metric: "members" },
            // A member's sector and state are read from their workplace's row: members with a
            // workplace but an unknown sector (state) need a workplace with an unknown sector
            // (state), so when none is published those members are exactly the ones without a
            // workplace.
            Relation::NeedWorkplaces {
                metric: "members",
                dim: Sector,
                workplaces: "workplaces",
            },
            Relation::NeedWorkplaces {
                metric: "members",
                dim: State,
                workplaces: "workplaces",
            },
            // The node counts `union = none` exactly for members whose union status is none or
            // organizing (whatever union text the list carries).
            Relation::Equal {
                left: cells("members", &[(Union, &["none"])]),
                right: cells("members", &[(UnionStatus, &["none", "organizing"])]),
                per: None,
                why: "union is none exactly when union status is none or organizing",
            },
        ],
    },
    Metric {
        id: "lapsed-members",
        en: "Lapsed members",
        es: "Miembros con membresía vencida",
        tables: &[],
        // Lapsed members are not in `members`; nothing else counts them.
        relations: &[],
    },
    Metric {
        id: "workplaces",
        en: "Workplaces mapped",
        es: "Centros de trabajo mapeados",
        tables: &[
            &[Sector],
            &[State],
            &[Stage],
            &[Representation],
            &[Sector, Stage],
        ],
        relations: &[],
    },
    Metric {
        id: "majority-workplaces",
        en: "Workplaces with majority support, before stage 3",
        es: "Centros de trabajo con apoyo mayoritario, antes de la etapa 3",
        tables: &[&[Sector]],
        // Only workplaces below stage 3 (a public campaign or beyond) count: counting every
        // workplace at stage 3 or above as well tied each sector's drives to this count so tightly
        // that an attacker pinned withheld stage cells (docs/protocol.md §9.1.1).
        relations: &[
            Relation::AtMost {
                small: cells_per("majority-workplaces", &[]),
                large: cells_per("workplaces", &[(Stage, &["0", "1", "2"])]),
                per: Some(Sector),
                why: "a majority-support workplace is a workplace below stage 3",
            },
            Relation::AtMost {
                small: cells("majority-workplaces", &[]),
                large: cells("workplaces", &[(Stage, &["0", "1", "2"])]),
                per: None,
                why: "a majority-support workplace is a workplace below stage 3",
            },
        ],
    },
    Metric {
        id: "trainings-completed",
        en: "Trainings completed",
        es: "Capacitaciones completadas",
        tables: &[&[Training]],
        // Completions of anyone ever on the list, by training: not tied to today's members.
        relations: &[],
    },
    Metric {
        id: "mentorships-active",
        en: "Active mentorships",
        es: "Mentorías activas",
        tables: &[],
        relations: &[],
    },
    Metric {
        id: "reserve-organizers",
        en: "Organizers in the reserve",
        es: "Organizadores en la reserva",
        tables: &[],
        relations: &[],
    },
    Metric {
        id: "reserve-languages",
        en: "Reserve organizers by language (one per language spoken)",
        es: "Organizadores de reserva por idioma (uno por idioma hablado)",
        tables: &[&[Language]],
        relations: &[Relation::OncePerOrganizer {
            metric: "reserve-languages",
            dim: Language,
            organizers: "reserve-organizers",
        }],
    },
    Metric {
        id: "reserve-skills",
        en: "Reserve organizers by skill (one per skill)",
        es: "Organizadores de reserva por habilidad (uno por habilidad)",
        tables: &[&[Skill]],
        relations: &[Relation::OncePerOrganizer {
            metric: "reserve-skills",
            dim: Skill,
            organizers: "reserve-organizers",
        }],
    },
    Metric {
        id: "coworkers-recruited",
        en: "Coworkers recruited this period",
        es: "Compañeros de trabajo reclutados en el periodo",
        tables: &[&[Sector]],
        // Recruitment counts (coworkers, not members) for this period only.
        relations: &[],
    },
    Metric {
        id: "pods",
        en: "Labor pods",
        es: "Grupos laborales",
        tables: &[&[Sector]],
        relations: &[],
    },
    Metric {
        id: "campaigns",
        en: "Campaigns",
        es: "Campañas",
        tables: &[
            &[CampaignType],
            &[CampaignStatus],
            &[CampaignType, CampaignStatus],
        ],
        relations: &[Relation::PublicCampaigns {
            metric: "campaigns",
            priority_labor: false,
        }],
    },
    Metric {
        id: "priority-labor-campaigns",
        en: "Priority campaigns with a labor component",
        es: "Campañas prioritarias con componente laboral",
        tables: &[],
        relations: &[
            Relation::AtMost {
                small: cells("priority-labor-campaigns", &[]),
                large: cells("campaigns", &[]),
                per: None,
                why: "a priority campaign is a campaign",
            },
            Relation::PublicCampaigns {
                metric: "priority-labor-campaigns",
                priority_labor: true,
            },
        ],
    },
];

/// Looks a metric up by id.
pub fn metric(id: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.id == id)
}

/// Looks a USPS state up by code.
pub fn state(code: &str) -> Option<&'static Term> {
    STATES.iter().find(|t| t.code == code)
}

/// Membership standing (lapsed members are their own metric).
pub static STATUSES: &[Term] = &[
    t("good-standing", "In good standing", "Al corriente"),
    t(
        "member",
        "Member (dues pending)",
        "Miembro (cuotas pendientes)",
    ),
];

/// NAICS 2022 sectors; three are ranges.
pub static SECTORS: &[Term] = &[
    t(
        "11",
        "Agriculture, forestry, fishing and hunting",
        "Agricultura, silvicultura, pesca y caza",
    ),
    t(
        "21",
        "Mining, quarrying, and oil and gas",
        "Minería y extracción de petróleo y gas",
    ),
    t(
        "22",
        "Utilities",
        "Servicios públicos (electricidad, agua, gas)",
    ),
    t("23", "Construction", "Construcción"),
    t("31-33", "Manufacturing", "Manufactura"),
    t("42", "Wholesale trade", "Comercio al por mayor"),
    t("44-45", "Retail trade", "Comercio al por menor"),
    t(
        "48-49",
        "Transportation and warehousing",
        "Transporte y almacenamiento",
    ),
    t("51", "Information", "Información y medios"),
    t("52", "Finance and insurance", "Finanzas y seguros"),
    t("53", "Real estate and rental", "Bienes raíces y alquiler"),
    t(
        "54",
        "Professional, scientific and technical services",
        "Servicios profesionales, científicos y técnicos",
    ),
    t("55", "Management of companies", "Dirección de empresas"),
    t(
        "56",
        "Administrative, support and waste services",
        "Servicios administrativos, de apoyo y de manejo de residuos",
    ),
    t("61", "Educational services", "Servicios educativos"),
    t(
        "62",
        "Health care and social assistance",
        "Atención médica y asistencia social",
    ),
    t(
        "71",
        "Arts, entertainment and recreation",
        "Artes, entretenimiento y recreación",
    ),
    t(
        "72",
        "Accommodation and food services",
        "Hotelería y servicios de comida",
    ),
    t("81", "Other services", "Otros servicios"),
    t("92", "Public administration", "Administración pública"),
];

/// Relation to a union.
pub static UNION_STATUSES: &[Term] = &[
    t("none", "Not in a union", "Sin sindicato"),
    t(
        "organizing",
        "Organizing their workplace",
        "Organizando su centro de trabajo",
    ),
    t("member", "Union member", "Miembro del sindicato"),
    t("steward", "Steward", "Delegado sindical"),
    t("officer", "Union officer", "Dirigente sindical"),
    t("staff", "Union staff", "Personal del sindicato"),
    t("retired", "Retired union member", "Sindicalista jubilado"),
];

/// Unions by national affiliation (OLMS abbreviations); locals stay in the node.
pub static UNIONS: &[Term] = &[
    t("none", "No union", "Sin sindicato"),
    t("afge", "AFGE", "AFGE"),
    t("afscme", "AFSCME", "AFSCME"),
    t("aft", "AFT", "AFT"),
    t("atu", "ATU", "ATU"),
    t("cwa", "CWA", "CWA"),
    t("iam", "IAM", "IAM"),
    t("iatse", "IATSE", "IATSE"),
    t("ibew", "IBEW", "IBEW"),
    t("ibt", "Teamsters (IBT)", "Teamsters (IBT)"),
    t("ilwu", "ILWU", "ILWU"),
    t("liuna", "LIUNA", "LIUNA"),
    t("nea", "NEA", "NEA"),
    t("nnu", "NNU", "NNU"),
    t("seiu", "SEIU", "SEIU"),
    t("ue", "UE", "UE"),
    t("uaw", "UAW", "UAW"),
    t("ufcw", "UFCW", "UFCW"),
    t("unite-here", "UNITE HERE", "UNITE HERE"),
    t("usw", "USW", "USW"),
    t("wu", "Workers United", "Workers United"),
    t(
        "independent",
        "Independent union",
        "Sindicato independiente",
    ),
    t("other", "Other union", "Otro sindicato"),
];

/// The organizing ladder.
pub static STAGES: &[Term] = &[
    t("0", "0 · Not started", "0 · Sin empezar"),
    t("1", "1 · Mapping", "1 · Mapeo"),
    t("2", "2 · Committee forming", "2 · Formando comité"),
    t(
        "3",
        "3 · Committee with majority support",
        "3 · Comité con apoyo mayoritario",
    ),
    t("4", "4 · Public campaign", "4 · Campaña pública"),
    t(
        "5",
        "5 · Recognized or under contract",
        "5 · Reconocido o con contrato",
    ),
];

/// Union representation at a workplace.
pub static REPRESENTATIONS: &[Term] = &[
    t("none", "No union", "Sin sindicato"),
    t(
        "organizing",
        "Union drive under way",
        "Campaña sindical en curso",
    ),
    t(
        "represented",
        "Represented by a union",
        "Representado por un sindicato",
    ),
];

/// Leadership readiness levels.
pub static READINESS: &[Term] = &[
    t("1", "1 · Getting involved", "1 · Empezando a participar"),
    t("2", "2 · Active", "2 · Activo"),
    t("3", "3 · Organizer", "3 · Organizador"),
    t("4", "4 · Leader and mentor", "4 · Líder y mentor"),
];

/// Organizing skills for the reserve.
pub static SKILLS: &[Term] = &[
    t(
        "one-on-ones",
        "One-on-one conversations",
        "Conversaciones uno a uno",
    ),
    t(
        "mapping",
        "Workplace mapping",
        "Mapeo del centro de trabajo",
    ),
    t(
        "committee-building",
        "Building a committee",
        "Formación de comités",
    ),
    t(
        "campaign-planning",
        "Campaign planning",
        "Planificación de campañas",
    ),
    t(
        "strike-support",
        "Strike and picket support",
        "Apoyo a huelgas y piquetes",
    ),
    t(
        "research",
        "Strategic research",
        "Investigación estratégica",
    ),
    t("training", "Training others", "Capacitar a otros"),
    t("communications", "Communications", "Comunicación"),
    t("legal", "Labor law", "Derecho laboral"),
    t(
        "interpretation",
        "Interpretation and translation",
        "Interpretación y traducción",
    ),
];

/// Campaign types.
pub static CAMPAIGN_TYPES: &[Term] = &[
    t("new-organizing", "New organizing", "Organización nueva"),
    t("contract", "Contract fight", "Lucha por el contrato"),
    t("strike-support", "Strike support", "Apoyo a huelga"),
    t("union-democracy", "Union democracy", "Democracia sindical"),
    t("legislative", "Legislative", "Legislativa"),
    t("community", "Community and labor", "Comunitaria y laboral"),
    t("other", "Other", "Otra"),
];

/// Campaign statuses.
pub static CAMPAIGN_STATUSES: &[Term] = &[
    t("planning", "Planning", "En planificación"),
    t("active", "Active", "Activa"),
    t("won", "Won", "Ganada"),
    t("lost", "Lost", "Perdida"),
    t("ended", "Ended", "Terminada"),
];

/// Common languages (ISO 639-1) with labels; other codes are accepted by shape.
pub static LANGUAGES: &[Term] = &[
    t("en", "English", "Inglés"),
    t("es", "Spanish", "Español"),
    t("zh", "Chinese", "Chino"),
    t("vi", "Vietnamese", "Vietnamita"),
    t("ar", "Arabic", "Árabe"),
    t("fr", "French", "Francés"),
    t("ht", "Haitian Creole", "Criollo haitiano"),
    t("ko", "Korean", "Coreano"),
    t("pt", "Portuguese", "Portugués"),
    t("ru", "Russian", "Ruso"),
    t("tl", "Tagalog", "Tagalo"),
    t("asl", "American Sign Language", "Lengua de señas americana"),
];

/// USPS state codes with names (states, DC and Puerto Rico).
pub static STATES: &[Term] = &[
    t("AL", "Alabama", "Alabama"),
    t("AK", "Alaska", "Alaska"),
    t("AZ", "Arizona", "Arizona"),
    t("AR", "Arkansas", "Arkansas"),
    t("CA", "California", "California"),
    t("CO", "Colorado", "Colorado"),
    t("CT", "Connecticut", "Connecticut"),
    t("DE", "Delaware", "Delaware"),
    t("DC", "District of Columbia", "Distrito de Columbia"),
    t("FL", "Florida", "Florida"),
    t("GA", "Georgia", "Georgia"),
    t("HI", "Hawaii", "Hawái"),
    t("ID", "Idaho", "Idaho"),
    t("IL", "Illinois", "Illinois"),
    t("IN", "Indiana", "Indiana"),
    t("IA", "Iowa", "Iowa"),
    t("KS", "Kansas", "Kansas"),
    t("KY", "Kentucky", "Kentucky"),
    t("LA", "Louisiana", "Luisiana"),
    t("ME", "Maine", "Maine"),
    t("MD", "Maryland", "Maryland"),
    t("MA", "Massachusetts", "Massachusetts"),
    t("MI", "Michigan", "Míchigan"),
    t("MN", "Minnesota", "Minnesota"),
    t("MS", "Mississippi", "Misisipi"),
    t("MO", "Missouri", "Misuri"),
    t("MT", "Montana", "Montana"),
    t("NE", "Nebraska", "Nebraska"),
    t("NV", "Nevada", "Nevada"),
    t("NH", "New Hampshire", "Nuevo Hampshire"),
    t("NJ", "New Jersey", "Nueva Jersey"),
    t("NM", "New Mexico", "Nuevo México"),
    t("NY", "New York", "Nueva York"),
    t("NC", "North Carolina", "Carolina del Norte"),
    t("ND", "North Dakota", "Dakota del Norte"),
    t("OH", "Ohio", "Ohio"),
    t("OK", "Oklahoma", "Oklahoma"),
    t("OR", "Oregon", "Oregón"),
    t("PA", "Pennsylvania", "Pensilvania"),
    t("PR", "Puerto Rico", "Puerto Rico"),
    t("RI", "Rhode Island", "Rhode Island"),
    t("SC", "South Carolina", "Carolina del Sur"),
    t("SD", "South Dakota", "Dakota del Sur"),
    t("TN", "Tennessee", "Tennessee"),
    t("TX", "Texas", "Texas"),
    t("UT", "Utah", "Utah"),
    t("VT", "Vermont", "Vermont"),
    t("VA", "Virginia", "Virginia"),
    t("WA", "Washington", "Washington"),
    t("WV", "West Virginia", "Virginia Occidental"),
    t("WI", "Wisconsin", "Wisconsin"),
    t("WY", "Wyoming", "Wyoming"),
];

/// State FIPS codes, for checking county codes and drawing maps.
pub static STATE_FIPS: &[(&str, &str)] = &[
    ("AL", "01"),
    ("AK", "02"),
    ("AZ", "04"),
    ("AR", "05"),
    ("CA", "06"),
    ("CO", "08"),
    ("CT", "09"),
    ("DE", "10"),
    ("DC", "11"),
    ("FL", "12"),
    ("GA", "13"),
    ("HI", "15"),
    ("ID", "16"),
    ("IL", "17"),
    ("IN", "18"),
    ("IA", "19"),
    ("KS", "20"),
    ("KY", "21"),
    ("LA", "22"),
    ("ME", "23"),
    ("MD", "24"),
    ("MA", "25"),
    ("MI", "26"),
    ("MN", "27"),
    ("MS", "28"),
    ("MO", "29"),
    ("MT", "30"),
    ("NE", "31"),
    ("NV", "32"),
    ("NH", "33"),
    ("NJ", "34"),
    ("NM", "35"),
    ("NY", "36"),
    ("NC", "37"),
    ("ND", "38"),
    ("OH", "39"),
    ("OK", "40"),
    ("OR", "41"),
    ("PA", "42"),
    ("RI", "44"),
    ("SC", "45"),
    ("SD", "46"),
    ("TN", "47"),
    ("TX", "48"),
    ("UT", "49"),
    ("VT", "50"),
    ("VA", "51"),
    ("WA", "53"),
    ("WV", "54"),
    ("WI", "55"),
    ("WY", "56"),
    ("PR", "72"),
];

/// The states of the Southern region as national's labor commission defines it (a hub may
/// publish its own list in guidance).
pub static SOUTHERN_STATES: &[&str] = &[
    "AL", "AR", "FL", "GA", "KY", "LA", "MS", "NC", "OK", "SC", "TN", "TX", "VA", "WV",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn metric_ids_unique_and_tables_well_formed() {
        let mut ids = HashSet::new();
        for m in METRICS {
            assert!(ids.insert(m.id), "duplicate metric {}", m.id);
            assert!(!m.en.is_empty() && !m.es.is_empty());
            for table in m.tables {
                assert!(
                    (1..=2).contains(&table.len()),
                    "{}: tables are 1-D or 2-D",
                    m.id
                );
                assert!(
                    table.windows(2).all(|w| w[0] < w[1]),
                    "{}: dims sorted",
                    m.id
                );
                if table.len() == 2 {
                    for d in *table {
                        assert!(
                            m.tables.contains(&&[*d][..]),
                            "{}: margin [{d}] missing",
                            m.id
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn vocabularies_have_labels_and_unique_codes() {
        for d in Dim::ALL {
            assert_eq!(Dim::from_key(d.key()), Some(*d));
            if let Some(terms) = d.terms() {
                let mut codes = HashSet::new();
                for term in terms {
                    assert!(codes.insert(term.code), "{d}: duplicate {}", term.code);
                    assert!(!term.en.is_empty() && !term.es.is_empty());
                    assert!(d.accepts(term.code));
                }
                assert!(!codes.contains(UNKNOWN), "unknown is implicit");
            }
            assert!(d.accepts(UNKNOWN));
        }
    }

    #[test]
    fn open_vocabularies_by_shape() {
        assert!(Dim::County.accepts("37063"));
        assert!(!Dim::County.accepts("99063"));
        assert!(!Dim::County.accepts("3706"));
        assert!(Dim::Language.accepts("es"));
        assert!(!Dim::Language.accepts("ES"));
        assert!(Dim::Training.accepts("one-on-ones-101"));
        assert!(!Dim::Training.accepts("Bad Name"));
        assert!(!Dim::Sector.accepts("99"));
    }

    #[test]
    fn languages_from_accept_language() {
        assert_eq!(
            Language::from_accept_language("es-MX,es;q=0.9,en;q=0.8"),
            Some(Language::Es)
        );
        assert_eq!(
            Language::from_accept_language("fr, en;q=0.5, es;q=0.4"),
            Some(Language::En)
        );
        assert_eq!(
            Language::from_accept_language("es;q=0, en;q=0.1"),
            Some(Language::En)
        );
        assert_eq!(Language::from_accept_language("de, fr"), None);
        assert_eq!(Language::parse("es_US"), Some(Language::Es));
        assert_eq!(Language::Es.pick("yes", "sí"), "sí");
    }

    #[test]
    fn every_state_has_fips() {
        for s in STATES {
            assert!(STATE_FIPS.iter().any(|(c, _)| *c == s.code), "{}", s.code);
        }
        for s in SOUTHERN_STATES {
            assert!(state(s).is_some());
        }
    }
}
