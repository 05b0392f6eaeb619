//! A released aggregate as a publication carries it: the tally, the trustees' decryption shares
//! with their proofs, and the value. [`Released::check`] lets anyone verify offline that the
//! value is what `t` trustees decrypted from that tally and that the release rule allows it.
//!
//! The check needs no discrete-log table: the combined shares give the group element `value·G`,
//! which is compared with the claimed value's, so a check costs `t` proof verifications and one
//! scalar multiplication whatever the value.

use std::collections::BTreeMap;

use elastic_elgamal::group::Group as _;
use serde::{Deserialize, Serialize};

use super::Group;
use super::decrypt::DecryptionShare;
use super::key::JointKey;
use super::release::ReleasePolicy;
use super::tally::Tally;
use crate::error::{Error, Reason, Result};
use crate::identity::PartyId;
use crate::report::CellKey;

/// One released aggregate of a publication.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Released {
    /// The cell.
    pub key: CellKey,
    /// The view: hub ids from the publishing hub down (empty: the hub itself).
    pub view: Vec<String>,
    /// The tally that was decrypted (its chapters and bounds are what the rule judged).
    pub tally: Tally,
    /// At least `t` trustees' shares, each with its proof.
    pub shares: Vec<DecryptionShare>,
    /// The decrypted aggregate.
    pub value: u64,
}

impl Released {
    /// Checks the tally is under `key` and lists each chapter once, every share's proof
    /// (`bad-decryption-share`; two from one trustee too), that there are at least `t` of them
    /// (`insufficient-shares`), that they decrypt the tally to exactly `value`
    /// (`bad-decryption-share`), and that the release rule allows publishing `value` over the
    /// tally's chapters (`release-refused`). The rule over the whole family of a period's
    /// aggregates needs them all: [`super::family::audit`].
    pub fn check(&self, key: &JointKey, policy: &ReleasePolicy) -> Result<()> {
        self.check_value(key)?;
        policy.may_publish(&self.tally.bounds(), self.value)
    }

    /// [`Released::check`] with what is public of each chapter's value (its published cells'
    /// intervals): the release rule judged as the federation judges it
    /// ([`ReleasePolicy::may_publish_known`]).
    pub fn check_known(
        &self,
        key: &JointKey,
        policy: &ReleasePolicy,
        intervals: &BTreeMap<PartyId, (u64, u64)>,
    ) -> Result<()> {
        self.check_value(key)?;
        policy.may_publish_known(&self.tally.known(intervals), self.value)
    }

    /// Everything [`Released::check`] checks but the release rule.
    fn check_value(&self, key: &JointKey) -> Result<()> {
        key.check_id(&self.tally.key, Reason::TallyMismatch, "tally")?;
        self.tally.check_chapters()?;
        let mut seen = Vec::with_capacity(self.shares.len());
        let mut verified = Vec::with_capacity(self.shares.len());
        for s in &self.shares {
            if seen.contains(&s.trustee) {
                return Err(Error::new(
                    Reason::BadDecryptionShare,
                    format!("two decryption shares from trustee {}", s.trustee),
                ));
            }
            seen.push(s.trustee);
            verified.push((
                usize::from(s.trustee),
                key.verify_share(&self.tally.ciphertext, s)?,
            ));
        }
        let t = key.ceremony().threshold();
        let insufficient = |have: usize| {
            Error::new(
                Reason::InsufficientShares,
                format!("{have} valid decryption shares, {t} needed"),
            )
        };
        if verified.len() < usize::from(t) {
            return Err(insufficient(verified.len()));
        }
        let combined = key
            .ceremony()
            .params()
            .combine_shares(verified)
            .ok_or_else(|| insufficient(0))?;
        let element = combined.decrypt_to_element(self.tally.ciphertext.0);
        let claimed = Group::vartime_mul_generator(&self.value.into());
        if element != claimed {
            return Err(Error::new(
                Reason::BadDecryptionShare,
                format!("the shares do not decrypt the tally to {}", self.value),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::PartyId;
    use crate::registry::Dim;
    use crate::threshold::{Ceremony, Contribution, EncryptedCell, run_ceremony};

    #[test]
    fn a_released_aggregate_checks_and_every_kind_of_tampering_is_refused() {
        let ids = ["national", "south", "officer-a"].map(|s| PartyId::new(s).unwrap());
        let ceremony = Ceremony::new("federation-2027", ids.to_vec(), 2).unwrap();
        let trustees = run_ceremony(&ceremony).unwrap();
        let key = trustees[0].joint_key().clone();
        let cells: Vec<Contribution> = [4u64, 3, 1, 2, 4]
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                Contribution::new(
                    PartyId::new(&format!("chapter-{i}")).unwrap(),
                    EncryptedCell::encrypt(&key, v, 5).unwrap(),
                )
            })
            .collect();
        let tally = Tally::of_cells(&key, &cells).unwrap();
        let policy = ReleasePolicy::new(5).unwrap();
        let shares = vec![
            trustees[0].share(&tally, &policy).unwrap(),
            trustees[2].share(&tally, &policy).unwrap(),
        ];
        let good = Released {
            key: CellKey::new("members", &[(Dim::UnionStatus, "staff")]),
            view: vec!["south".into()],
            tally,
            shares,
            value: 14,
        };
        good.check(&key, &policy).unwrap();
        let json = serde_json::to_string(&good).unwrap();
        let back: Released = serde_json::from_str(&json).unwrap();
        back.check(&key, &policy).unwrap();
        let code = |r: &Released| r.check(&key, &policy).unwrap_err().reason();

        let mut wrong = good.clone();
        wrong.value = 13;
        assert_eq!(code(&wrong), Reason::BadDecryptionShare);
        let mut one = good.clone();
        one.shares.truncate(1);
        assert_eq!(code(&one), Reason::InsufficientShares);
        let mut twice = good.clone();
        twice.shares[1] = twice.shares[0].clone();
        assert_eq!(code(&twice), Reason::BadDecryptionShare);
        // A share of another ciphertext (a trustee answering for something else).
        let other = Tally::of_cells(&key, &cells[..4]).unwrap();
        let mut swapped = good.clone();
        swapped.shares[1] = trustees[2].share_unchecked(&other.ciphertext).unwrap();
        assert_eq!(code(&swapped), Reason::BadDecryptionShare);
        // A trustee index outside the ceremony is refused, not a panic.
        let mut unknown = good.clone();
        unknown.shares[1].trustee = 9;
        assert_eq!(code(&unknown), Reason::BadDecryptionShare);
        // A correct decryption the rule does not allow: 3 chapters, all at their bound.
        let three = Tally::of_cells(&key, &cells[..2]).unwrap();
        let shares = vec![
            trustees[0].share_unchecked(&three.ciphertext).unwrap(),
            trustees[1].share_unchecked(&three.ciphertext).unwrap(),
        ];
        let refused = Released {
            tally: three,
            shares,
            value: 7,
            ..good
        };
        assert_eq!(code(&refused), Reason::ReleaseRefused);
    }

    /// The federation's form: a chapter whose range proof is a table total (bound 30) but whose
    /// published cells leave it at most 4. On bounds, it could hold 80% of anything up to 36:
    /// trustees refuse their share and a checker the value. On what is public, 15 over six
    /// chapters narrows nothing (each is in 1..=4, the others hold 5..=20): both accept. With
    /// intervals whose lower ends sum to 15, the same value would show every chapter at its
    /// lower end: refused.
    #[test]
    fn the_known_form_judges_shares_and_values_on_what_is_public() {
        let ids = ["national", "south", "officer-a"].map(|s| PartyId::new(s).unwrap());
        let ceremony = Ceremony::new("federation-2027", ids.to_vec(), 2).unwrap();
        let trustees = run_ceremony(&ceremony).unwrap();
        let key = trustees[0].joint_key().clone();
        let chapter = |i: usize| PartyId::new(&format!("chapter-{i}")).unwrap();
        let cells: Vec<Contribution> = [4u64, 3, 1, 2, 4, 1]
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let bound = if i == 0 { 30 } else { 5 };
                Contribution::new(chapter(i), EncryptedCell::encrypt(&key, v, bound).unwrap())
            })
            .collect();
        let tally = Tally::of_cells(&key, &cells).unwrap();
        let policy = ReleasePolicy::new(5).unwrap();
        let mut intervals = BTreeMap::new();
        intervals.insert(chapter(0), (1, 4));
        assert_eq!(
            trustees[0].share(&tally, &policy).unwrap_err().reason(),
            Reason::ReleaseRefused
        );
        let shares = vec![
            trustees[0]
                .share_known(&tally, &policy, &intervals)
                .unwrap(),
            trustees[1]
                .share_known(&tally, &policy, &intervals)
                .unwrap(),
        ];
        let released = Released {
            key: CellKey::new("members", &[(Dim::UnionStatus, "officer")]),
            view: Vec::new(),
            tally,
            shares,
            value: 15,
        };
        assert_eq!(
            released.check(&key, &policy).unwrap_err().reason(),
            Reason::ReleaseRefused
        );
        released.check_known(&key, &policy, &intervals).unwrap();
        for (i, lo) in [(0, 4), (1, 3), (3, 2), (4, 4)] {
            intervals.insert(chapter(i), (lo, 4));
        }
        let err = released.check_known(&key, &policy, &intervals).unwrap_err();
        assert_eq!(err.reason(), Reason::ReleaseRefused);
        assert!(err.to_string().contains("narrow"), "{err}");
    }
}
