//! An integer linear program over counts, and exact integer bounds of its variables.
//!
//! Every variable is an integer with a finite box; every constraint has integer coefficients and
//! belongs to a named *family* (the relation it writes down), so a bound can be recomputed
//! without one family to see which relations pinned a cell. Bounds are computed with `microlp`
//! (pure Rust branch and bound). The solver works in floating point, so nothing it says is taken
//! on trust:
//!
//! - each solution's integer variables are rounded and **every constraint is checked again in
//!   exact integer arithmetic**; only a verified assignment counts as a witness that a value is
//!   attainable;
//! - the optimum is rounded to the nearest integer `r`; when the rounded solution does not verify,
//!   the variable is fixed at `r` (then `r ± 1`, moving inwards) and feasibility is solved again
//!   until a verified witness is found. Such a bound is counted in [`Bound::repaired`];
//! - a solve that stops without a proof of optimality (time limit) keeps the best verified
//!   witness, which is *inside* the true interval: the interval reported is then narrower than or
//!   equal to the true one, in the attacker's favour, and [`Bound::proven`] is false.
//!
//! Witnesses are shared: every verified assignment widens the observed range of every variable
//! of its component, and a variable observed at its box bound needs no solve on that side.

use std::collections::BTreeSet;
use std::time::Duration;

use microlp::{ComparisonOp, OptimizationDirection, Problem, SolutionStatus};

/// A variable's index.
pub type Var = usize;

/// Time budget of one solve.
const SOLVE_LIMIT: Duration = Duration::from_secs(20);

/// `sum(coef * var) + constant`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lin {
    /// Terms.
    pub terms: Vec<(Var, i64)>,
    /// Constant.
    pub constant: i64,
}

impl Lin {
    /// A constant.
    pub fn constant(c: i64) -> Lin {
        Lin {
            terms: Vec::new(),
            constant: c,
        }
    }

    /// One variable.
    pub fn var(v: Var) -> Lin {
        Lin {
            terms: vec![(v, 1)],
            constant: 0,
        }
    }

    /// Adds `coef * other`.
    pub fn add(&mut self, other: &Lin, coef: i64) {
        for (v, c) in &other.terms {
            self.terms.push((*v, c * coef));
        }
        self.constant += other.constant * coef;
    }

    /// The sum of some expressions.
    pub fn sum<'a>(items: impl IntoIterator<Item = &'a Lin>) -> Lin {
        let mut out = Lin::default();
        for l in items {
            out.add(l, 1);
        }
        out
    }

    /// `self * coef`.
    pub fn times(&self, coef: i64) -> Lin {
        let mut out = Lin::default();
        out.add(self, coef);
        out
    }

    /// The value if it has no variables.
    pub fn as_constant(&self) -> Option<i64> {
        self.terms
            .iter()
            .all(|(_, c)| *c == 0)
            .then_some(self.constant)
    }

    fn eval(&self, vals: &[i64]) -> i128 {
        self.terms
            .iter()
            .map(|(v, c)| i128::from(*c) * i128::from(vals.get(*v).copied().unwrap_or(0)))
            .sum::<i128>()
            + i128::from(self.constant)
    }
}

/// `lhs ⋚ 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `= 0`.
    Eq,
    /// `<= 0`.
    Le,
}

#[derive(Clone, Debug)]
struct Constraint {
    lhs: Lin,
    cmp: Cmp,
    family: &'static str,
}

impl Constraint {
    fn holds(&self, vals: &[i64]) -> bool {
        let v = self.lhs.eval(vals);
        match self.cmp {
            Cmp::Eq => v == 0,
            Cmp::Le => v <= 0,
        }
    }
}

#[derive(Clone, Debug)]
struct VarInfo {
    name: String,
    lo: i64,
    hi: i64,
}

/// The exact integer interval of a variable, as far as the model tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    /// Smallest attainable value.
    pub lo: i64,
    /// Largest attainable value.
    pub hi: i64,
    /// Both ends proven optimal by the solver and verified exactly.
    pub proven: bool,
    /// Ends found by fixing the variable after the rounded optimum did not verify.
    pub repaired: u32,
    /// Solves spent.
    pub solves: u32,
}

impl Bound {
    /// How many integers the interval holds.
    pub fn width(&self) -> i64 {
        self.hi - self.lo + 1
    }
}

/// An integer linear program.
#[derive(Clone, Debug, Default)]
pub struct Model {
    vars: Vec<VarInfo>,
    cons: Vec<Constraint>,
    /// Constraints without variables that do not hold: the published data contradicts a
    /// relation (the relation is wrong, or the data is inconsistent).
    pub violated: Vec<String>,
}

impl Model {
    /// A new integer variable in `[lo, hi]`.
    pub fn var(&mut self, name: impl Into<String>, lo: i64, hi: i64) -> Var {
        self.vars.push(VarInfo {
            name: name.into(),
            lo,
            hi: hi.max(lo),
        });
        self.vars.len() - 1
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Whether the model has no variables.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// Number of constraints.
    pub fn constraints(&self) -> usize {
        self.cons.len()
    }

    /// A variable's name.
    pub fn name(&self, v: Var) -> &str {
        self.vars.get(v).map_or("?", |i| i.name.as_str())
    }

    /// A variable's box.
    pub fn range(&self, v: Var) -> (i64, i64) {
        self.vars.get(v).map_or((0, 0), |i| (i.lo, i.hi))
    }

    fn push(&mut self, family: &'static str, mut lhs: Lin, cmp: Cmp) {
        // Merge repeated variables and drop zero terms.
        lhs.terms.sort_unstable_by_key(|(v, _)| *v);
        let mut merged: Vec<(Var, i64)> = Vec::with_capacity(lhs.terms.len());
        for (v, c) in lhs.terms {
            match merged.last_mut() {
                Some((lv, lc)) if *lv == v => *lc += c,
                _ => merged.push((v, c)),
            }
        }
        merged.retain(|(_, c)| *c != 0);
        lhs.terms = merged;
        let c = Constraint { lhs, cmp, family };
        if c.lhs.terms.is_empty() {
            if !c.holds(&[]) {
                self.violated
                    .push(format!("{family}: constant relation fails ({:?})", c.cmp));
            }
            return;
        }
        self.cons.push(c);
    }

    /// `a = b`.
    pub fn eq(&mut self, family: &'static str, a: &Lin, b: &Lin) {
        let mut l = a.clone();
        l.add(b, -1);
        self.push(family, l, Cmp::Eq);
    }

    /// `a <= b`.
    pub fn le(&mut self, family: &'static str, a: &Lin, b: &Lin) {
        let mut l = a.clone();
        l.add(b, -1);
        self.push(family, l, Cmp::Le);
    }

    /// `a >= b`.
    pub fn ge(&mut self, family: &'static str, a: &Lin, b: &Lin) {
        self.le(family, b, a);
    }

    /// The families of constraints that touch `v`'s component.
    pub fn families_near(&self, v: Var) -> BTreeSet<&'static str> {
        let (vars, cons) = self.component(v, &[]);
        let _ = vars;
        cons.iter()
            .filter_map(|i| self.cons.get(*i))
            .map(|c| c.family)
            .collect()
    }

    /// Whether an assignment (one value per variable) meets every box and constraint.
    pub fn holds(&self, vals: &[i64]) -> Vec<String> {
        let mut out = Vec::new();
        for (i, v) in self.vars.iter().enumerate() {
            let x = vals.get(i).copied().unwrap_or(0);
            if x < v.lo || x > v.hi {
                out.push(format!("{} = {x} outside [{}, {}]", v.name, v.lo, v.hi));
            }
        }
        for c in &self.cons {
            if !c.holds(vals) {
                let names: Vec<String> = c
                    .lhs
                    .terms
                    .iter()
                    .map(|(v, k)| format!("{k}·{}", self.name(*v)))
                    .collect();
                out.push(format!(
                    "{}: {} + {} {:?} 0",
                    c.family,
                    names.join(" + "),
                    c.lhs.constant,
                    c.cmp
                ));
            }
        }
        out
    }

    /// The variables and constraints connected to `v` (skipping `skip` families).
    fn component(&self, v: Var, skip: &[&str]) -> (Vec<Var>, Vec<usize>) {
        let mut by_var: Vec<Vec<usize>> = vec![Vec::new(); self.vars.len()];
        for (i, c) in self.cons.iter().enumerate() {
            if skip.contains(&c.family) {
                continue;
            }
            for (x, _) in &c.lhs.terms {
                if let Some(list) = by_var.get_mut(*x) {
                    list.push(i);
                }
            }
        }
        let mut seen_v = vec![false; self.vars.len()];
        let mut seen_c = vec![false; self.cons.len()];
        let mut stack = vec![v];
        if let Some(s) = seen_v.get_mut(v) {
            *s = true;
        }
        let (mut vars, mut cons) = (Vec::new(), Vec::new());
        while let Some(x) = stack.pop() {
            vars.push(x);
            for ci in by_var.get(x).into_iter().flatten() {
                if seen_c.get(*ci).copied().unwrap_or(true) {
                    continue;
                }
                if let Some(s) = seen_c.get_mut(*ci) {
                    *s = true;
                }
                cons.push(*ci);
                for (y, _) in self.cons.get(*ci).map_or(&[][..], |c| &c.lhs.terms[..]) {
                    if let Some(s) = seen_v.get_mut(*y)
                        && !*s
                    {
                        *s = true;
                        stack.push(*y);
                    }
                }
            }
        }
        vars.sort_unstable();
        cons.sort_unstable();
        (vars, cons)
    }

    /// Exact bounds of each target, skipping the constraint families in `skip`.
    pub fn bounds(&self, targets: &[Var], skip: &[&str]) -> Vec<Bound> {
        let mut observed: Vec<Option<(i64, i64)>> = vec![None; self.vars.len()];
        let mut out = Vec::with_capacity(targets.len());
        let mut feasible_checked: BTreeSet<Var> = BTreeSet::new();
        for &t in targets {
            let (vars, cons) = self.component(t, skip);
            let mut solver = Sub::new(self, &vars, &cons);
            let mut b = Bound {
                lo: 0,
                hi: 0,
                proven: true,
                repaired: 0,
                solves: 0,
            };
            // One witness for the component first, so shortcuts can apply.
            if observed.get(t).copied().flatten().is_none()
                && !vars.iter().any(|v| feasible_checked.contains(v))
            {
                if let Some(w) = solver.optimise(t, OptimizationDirection::Minimize, None) {
                    b.solves += 1;
                    record(&mut observed, &vars, &w.vals);
                }
                feasible_checked.extend(vars.iter().copied());
            }
            let (lo_box, hi_box) = self.range(t);
            for dir in [
                OptimizationDirection::Minimize,
                OptimizationDirection::Maximize,
            ] {
                let want_min = dir == OptimizationDirection::Minimize;
                if let Some((omin, omax)) = observed.get(t).copied().flatten() {
                    if want_min && omin == lo_box {
                        b.lo = omin;
                        continue;
                    }
                    if !want_min && omax == hi_box {
                        b.hi = omax;
                        continue;
                    }
                }
                b.solves += 1;
                let Some(w) = solver.optimise(t, dir, None) else {
                    // Infeasible or failed: report an empty interval, flagged.
                    b.proven = false;
                    b.lo = 1;
                    b.hi = 0;
                    break;
                };
                b.proven &= w.proven;
                let mut value = w.vals.get(t).copied().unwrap_or(0);
                if w.verified {
                    record(&mut observed, &vars, &w.vals);
                } else {
                    // Repair: fix the target at the rounded optimum, moving inwards.
                    b.repaired += 1;
                    let mut found = None;
                    for step in 0..4 {
                        let r = if want_min { value + step } else { value - step };
                        b.solves += 1;
                        if let Some(fw) = solver.optimise(t, dir, Some(r))
                            && fw.verified
                        {
                            found = Some((r, fw));
                            break;
                        }
                    }
                    match found {
                        Some((r, fw)) => {
                            value = r;
                            record(&mut observed, &vars, &fw.vals);
                        }
                        None => b.proven = false,
                    }
                }
                if want_min {
                    b.lo = value;
                } else {
                    b.hi = value;
                }
            }
            out.push(b);
        }
        out
    }
}

fn record(observed: &mut [Option<(i64, i64)>], vars: &[Var], vals: &[i64]) {
    for &v in vars {
        let x = vals.get(v).copied().unwrap_or(0);
        if let Some(slot) = observed.get_mut(v) {
            *slot = Some(match *slot {
                Some((a, b)) => (a.min(x), b.max(x)),
                None => (x, x),
            });
        }
    }
}

/// A solved assignment (full-length, zeros outside the component).
struct Witness {
    vals: Vec<i64>,
    verified: bool,
    proven: bool,
}

/// One component as a solver problem.
struct Sub<'m> {
    model: &'m Model,
    vars: &'m [Var],
    cons: &'m [usize],
}

impl<'m> Sub<'m> {
    fn new(model: &'m Model, vars: &'m [Var], cons: &'m [usize]) -> Self {
        Sub { model, vars, cons }
    }

    /// Optimises `target` in `dir`; with `fix`, the target is fixed at that value (feasibility).
    fn optimise(
        &mut self,
        target: Var,
        dir: OptimizationDirection,
        fix: Option<i64>,
    ) -> Option<Witness> {
        let mut p = Problem::new(dir);
        p.set_time_limit(SOLVE_LIMIT);
        let mut handles = Vec::with_capacity(self.vars.len());
        let clamp = |x: i64| i32::try_from(x).unwrap_or(if x < 0 { i32::MIN } else { i32::MAX });
        for &v in self.vars {
            let (lo, hi) = self.model.range(v);
            let (lo, hi) = match fix {
                Some(f) if v == target => (f, f),
                _ => (lo, hi),
            };
            let obj = if v == target && fix.is_none() {
                1.0
            } else {
                0.0
            };
            handles.push(p.add_integer_var(obj, (clamp(lo), clamp(hi))));
        }
        let index = |v: Var| self.vars.binary_search(&v).ok();
        for &ci in self.cons {
            let Some(c) = self.model.cons.get(ci) else {
                continue;
            };
            let expr: Vec<(microlp::Variable, f64)> = c
                .lhs
                .terms
                .iter()
                .filter_map(|(v, k)| Some((*handles.get(index(*v)?)?, *k as f64)))
                .collect();
            let op = match c.cmp {
                Cmp::Eq => ComparisonOp::Eq,
                Cmp::Le => ComparisonOp::Le,
            };
            p.add_constraint(expr, op, -(c.lhs.constant as f64));
        }
        let outcome = p.solve().ok()?;
        let sol = outcome.solution()?;
        let mut vals = vec![0i64; self.model.vars.len()];
        for (&v, h) in self.vars.iter().zip(&handles) {
            let x = sol.var_value(*h).round();
            if let Some(slot) = vals.get_mut(v) {
                *slot = x as i64;
            }
        }
        let verified = self.vars.iter().all(|&v| {
            let (lo, hi) = self.model.range(v);
            let x = vals.get(v).copied().unwrap_or(0);
            (lo..=hi).contains(&x)
        }) && self
            .cons
            .iter()
            .filter_map(|ci| self.model.cons.get(*ci))
            .all(|c| c.holds(&vals));
        Some(Witness {
            vals,
            verified,
            proven: sol.status() == SolutionStatus::Optimal,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_withheld_cell_is_pinned_by_its_margin() {
        // a + b = 10, b = 7 published: a is exactly 3.
        let mut m = Model::default();
        let a = m.var("a", 1, 10);
        m.eq(
            "margins",
            &Lin::sum([&Lin::var(a), &Lin::constant(7)]),
            &Lin::constant(10),
        );
        let b = m.bounds(&[a], &[]);
        assert_eq!((b[0].lo, b[0].hi), (3, 3));
        assert!(b[0].proven);
    }

    #[test]
    fn integrality_narrows_below_the_relaxation() {
        // 2a = 2b + 1 has no integer solution... use 3a + 3b = 12 with a, b >= 1: a in 1..=3.
        let mut m = Model::default();
        let a = m.var("a", 1, 100);
        let b = m.var("b", 1, 100);
        m.eq(
            "margins",
            &Lin::sum([&Lin::var(a).times(3), &Lin::var(b).times(3)]),
            &Lin::constant(12),
        );
        let r = m.bounds(&[a, b], &[]);
        assert_eq!((r[0].lo, r[0].hi), (1, 3));
        assert_eq!((r[1].lo, r[1].hi), (1, 3));
        // Without the family, only the boxes remain.
        let r = m.bounds(&[a], &["margins"]);
        assert_eq!((r[0].lo, r[0].hi), (1, 100));
    }

    #[test]
    fn an_infeasible_model_gives_an_empty_flagged_interval() {
        let mut m = Model::default();
        let a = m.var("a", 1, 5);
        m.eq("margins", &Lin::var(a), &Lin::constant(9));
        let r = m.bounds(&[a], &[]);
        assert!(r[0].lo > r[0].hi && !r[0].proven);
    }
}
