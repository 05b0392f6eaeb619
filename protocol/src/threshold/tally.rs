//! Tallies: the product of the children's ciphertexts for one cell (in additive notation, their
//! sum), which encrypts the sum of the children's values.
//!
//! A hub tallies its chapters' [`EncryptedCell`]s ([`Tally::of_cells`]) and a higher hub its
//! children's tallies ([`Tally::of_tallies`]). A tally lists every chapter that contributed and
//! the bound of its range proof, which the release rule needs. Anyone holding the signed child
//! reports recomputes it and checks a claimed tally ([`Tally::check_cells`],
//! [`Tally::check_tallies`]): a child left out, added, or a different product is refused with
//! `tally-mismatch`.

use serde::{Deserialize, Serialize};

use super::cell::{Ciphertext, EncryptedCell};
use super::key::JointKey;
use crate::envelope::Digest;
use crate::error::{Error, Reason, Result};
use crate::identity::PartyId;

/// One chapter's encrypted value for a cell.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contribution {
    /// The chapter.
    pub chapter: PartyId,
    /// Its encrypted cell.
    pub cell: EncryptedCell,
}

impl Contribution {
    /// A chapter's encrypted cell.
    pub fn new(chapter: PartyId, cell: EncryptedCell) -> Self {
        Contribution { chapter, cell }
    }
}

/// A chapter counted in a tally and the bound its range proof showed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterBound {
    /// The chapter.
    pub chapter: PartyId,
    /// The exclusive upper bound of its value.
    pub bound: u64,
}

/// The encrypted sum of a cell over chapters, under one joint key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// The joint key's id ([`JointKey::id`]).
    pub key: Digest,
    /// The product of the contributions' ciphertexts.
    pub ciphertext: Ciphertext,
    /// Every contributing chapter with its bound, sorted by chapter.
    pub chapters: Vec<ChapterBound>,
}

impl Tally {
    /// Tallies chapters' cells after verifying each range proof (`bad-range-proof`,
    /// `invalid-cell`); a chapter twice is `invalid-cell`.
    pub fn of_cells(key: &JointKey, cells: &[Contribution]) -> Result<Self> {
        let mut ciphertext = Ciphertext::zero();
        let mut chapters = Vec::with_capacity(cells.len());
        for c in cells {
            c.cell
                .verify(key)
                .map_err(|e| e.context(format!("chapter {}", c.chapter)))?;
            ciphertext = ciphertext + c.cell.ciphertext;
            chapters.push(ChapterBound {
                chapter: c.chapter.clone(),
                bound: c.cell.bound,
            });
        }
        Ok(Tally {
            key: key.id(),
            ciphertext,
            chapters: sorted_distinct(chapters)?,
        })
    }

    /// Tallies children's tallies (a national hub over its regions); every part must be under
    /// `key` (`tally-mismatch`) and no chapter may appear twice (`invalid-cell`).
    pub fn of_tallies(key: &JointKey, parts: &[Tally]) -> Result<Self> {
        let id = key.id();
        let mut ciphertext = Ciphertext::zero();
        let mut chapters = Vec::new();
        for p in parts {
            key.check_id(&p.key, Reason::TallyMismatch, "child tally")?;
            ciphertext = ciphertext + p.ciphertext;
            chapters.extend(p.chapters.iter().cloned());
        }
        Ok(Tally {
            key: id,
            ciphertext,
            chapters: sorted_distinct(chapters)?,
        })
    }

    /// Checks this tally is exactly the tally of `cells` (`tally-mismatch` naming what differs;
    /// the cells' own proofs as in [`Tally::of_cells`]).
    pub fn check_cells(&self, key: &JointKey, cells: &[Contribution]) -> Result<()> {
        key.check_id(&self.key, Reason::TallyMismatch, "tally")?;
        self.same_as(&Tally::of_cells(key, cells)?)
    }

    /// Checks this tally is exactly the tally of the child tallies `parts`.
    pub fn check_tallies(&self, key: &JointKey, parts: &[Tally]) -> Result<()> {
        key.check_id(&self.key, Reason::TallyMismatch, "tally")?;
        self.same_as(&Tally::of_tallies(key, parts)?)
    }

    fn same_as(&self, recomputed: &Tally) -> Result<()> {
        if self.chapters != recomputed.chapters {
            let missing: Vec<&str> = recomputed
                .chapters
                .iter()
                .filter(|c| !self.chapters.contains(c))
                .map(|c| c.chapter.as_str())
                .collect();
            let extra: Vec<&str> = self
                .chapters
                .iter()
                .filter(|c| !recomputed.chapters.contains(c))
                .map(|c| c.chapter.as_str())
                .collect();
            return Err(Error::new(
                Reason::TallyMismatch,
                format!(
                    "the tally's chapters differ from its children: left out {missing:?}, not among the children {extra:?}"
                ),
            ));
        }
        if self.ciphertext != recomputed.ciphertext {
            return Err(Error::new(
                Reason::TallyMismatch,
                "the tally's ciphertext is not the product of its children's",
            ));
        }
        Ok(())
    }

    /// Checks the chapter list is sorted with each chapter once (`invalid-cell`), as every tally
    /// this module makes is. A parsed tally that is not would count a chapter twice in the
    /// release rule.
    pub fn check_chapters(&self) -> Result<()> {
        if self
            .chapters
            .windows(2)
            .all(|w| w.first().map(|c| &c.chapter) < w.get(1).map(|c| &c.chapter))
        {
            Ok(())
        } else {
            Err(Error::new(
                Reason::InvalidCell,
                "a tally's chapters must be sorted, each once",
            ))
        }
    }

    /// The contributing chapters' bounds, in chapter order.
    pub fn bounds(&self) -> Vec<u64> {
        self.chapters.iter().map(|c| c.bound).collect()
    }

    /// What an outsider knows of each chapter's value, in the tally's order: the interval
    /// `intervals` gives for it (its published cells' implications), else `1..=bound − 1`.
    pub fn known(
        &self,
        intervals: &std::collections::BTreeMap<PartyId, (u64, u64)>,
    ) -> Vec<super::release::Known> {
        self.chapters
            .iter()
            .map(|c| super::release::Known::within(c.bound, intervals.get(&c.chapter).copied()))
            .collect()
    }

    /// The largest value the tally can hold: the sum of each chapter's bound minus one.
    pub fn max_value(&self) -> u64 {
        self.chapters
            .iter()
            .fold(0u64, |acc, c| acc.saturating_add(c.bound.saturating_sub(1)))
    }
}

fn sorted_distinct(mut chapters: Vec<ChapterBound>) -> Result<Vec<ChapterBound>> {
    chapters.sort();
    if let Some(w) = chapters
        .windows(2)
        .find(|w| w.first().map(|c| &c.chapter) == w.get(1).map(|c| &c.chapter))
    {
        let name = w.first().map_or("", |c| c.chapter.as_str());
        return Err(Error::new(
            Reason::InvalidCell,
            format!("chapter {name} counted twice in a tally"),
        ));
    }
    Ok(chapters)
}
