//! Exact intervals of the flows of a network with bounded arcs: the core of the release rule's
//! exact check (docs/threat-model.md §10, "the exact check").
//!
//! A chapter's table is a network when each of its cells is an arc and each of its lines (a
//! margin and its parts) is a node where what flows in flows out: members by sector flow from
//! the members total into each sector, and from each sector into its cells by union status,
//! which flow into the union-status margins. A released aggregate is one more node: the block's
//! chapters' arcs of that key flow through it, and it passes exactly the aggregate. Such a
//! system's matrix is a network matrix, which is totally unimodular, so with integer bounds
//! every vertex of its polytope is integer: the interval a linear program gives each arc is
//! exactly the set of integer values the arc takes in some integer circulation (every integer in
//! between too, since fixing an arc to one adds a unit row and keeps the matrix unimodular). That
//! is what an attacker holding every released aggregate and every published cell can know of each
//! cell, computed in polynomial time instead of by an integer program.
//!
//! [`Network`] holds the arcs with their bounds; [`Network::solve`] finds one feasible integer
//! circulation (Dinic's maximum flow on the usual reduction of lower bounds), or none; and
//! [`Flow::room`] says how far one arc's flow can move down and up in any feasible circulation:
//! the maximum flow from one end of the arc to the other in the residual network without the arc
//! itself, which augmenting paths find one at a time and which is capped, since the release rule
//! only asks whether a cell keeps `k` values.
//!
//! Everything is checked arithmetic: bounds that do not fit, or sums that would overflow, make
//! [`Network::solve`] return `None` rather than panic.

use std::collections::VecDeque;

/// An arc of a [`Network`], by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArcId(usize);

/// A node of a [`Network`], by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(usize);

/// Nodes and arcs `from → to` with integer bounds `lo ≤ flow ≤ hi`. A circulation puts a flow
/// on every arc within its bounds such that at every node what flows in flows out.
#[derive(Clone, Debug, Default)]
pub struct Network {
    nodes: usize,
    arcs: Vec<(usize, usize, i64, i64)>,
}

impl Network {
    /// An empty network.
    pub fn new() -> Self {
        Network::default()
    }

    /// A new node.
    pub fn node(&mut self) -> NodeId {
        self.nodes += 1;
        NodeId(self.nodes - 1)
    }

    /// A new arc `from → to` whose flow lies in `lo..=hi` (an arc with `lo > hi` makes the
    /// network infeasible).
    pub fn arc(&mut self, from: NodeId, to: NodeId, lo: i64, hi: i64) -> ArcId {
        self.arcs.push((from.0, to.0, lo, hi));
        ArcId(self.arcs.len() - 1)
    }

    /// The number of arcs.
    pub fn arcs(&self) -> usize {
        self.arcs.len()
    }

    /// One feasible integer circulation, or `None` when there is none (or a bound or a sum of
    /// bounds does not fit in `i64`, or an arc names a node that does not exist).
    pub fn solve(&self) -> Option<Flow> {
        let n = self.nodes;
        let (source, sink) = (n, n + 1);
        let mut g = Residual::new(n + 2);
        let mut excess = vec![0i64; n];
        for &(from, to, lo, hi) in &self.arcs {
            if from >= n || to >= n || lo > hi {
                return None;
            }
            g.edge(from, to, hi.checked_sub(lo)?, 0);
            *excess.get_mut(to)? = excess.get(to)?.checked_add(lo)?;
            *excess.get_mut(from)? = excess.get(from)?.checked_sub(lo)?;
        }
        let arcs = g.edges();
        let mut needed: i64 = 0;
        for (v, &e) in excess.iter().enumerate() {
            if e > 0 {
                g.edge(source, v, e, 0);
                needed = needed.checked_add(e)?;
            } else if e < 0 {
                g.edge(v, sink, e.checked_neg()?, 0);
            }
        }
        if g.max_flow(source, sink)? != needed {
            return None;
        }
        // The reduction's edges are not arcs of the network: nothing may flow on them again.
        g.cut_from(arcs);
        Some(Flow {
            lo: self.arcs.iter().map(|a| a.2).collect(),
            ends: self.arcs.iter().map(|a| (a.0, a.1)).collect(),
            g,
        })
    }
}

/// A feasible circulation of a [`Network`], with its residual network.
#[derive(Clone, Debug)]
pub struct Flow {
    lo: Vec<i64>,
    ends: Vec<(usize, usize)>,
    g: Residual,
}

impl Flow {
    /// The flow on an arc in this circulation (`None` for an arc of another network).
    pub fn value(&self, arc: ArcId) -> Option<i64> {
        self.lo
            .get(arc.0)?
            .checked_add(*self.g.cap.get(2 * arc.0 + 1)?)
    }

    /// How far the flow on `arc` can move `(down, up)` from [`Flow::value`] in some feasible
    /// circulation, each at most `cap`: the arc's exact interval is
    /// `value − down ..= value + up` when both are below `cap`. The circulation is left as it
    /// was. `None` for an arc of another network.
    pub fn room(&mut self, arc: ArcId, cap: u64) -> Option<(u64, u64)> {
        let &(from, to) = self.ends.get(arc.0)?;
        let (forward, backward) = (2 * arc.0, 2 * arc.0 + 1);
        let cap = i64::try_from(cap).unwrap_or(i64::MAX);
        if from == to {
            // A loop: nothing else balances it, so it takes any value within its bounds.
            let down = cap.min(*self.g.cap.get(backward)?);
            let up = cap.min(*self.g.cap.get(forward)?);
            return Some((u64::try_from(down).ok()?, u64::try_from(up).ok()?));
        }
        // Up: more on the arc means as much more coming back from its head to its tail by
        // another way; down: the reverse.
        let up_limit = cap.min(*self.g.cap.get(forward)?);
        let up = self.g.push(to, from, up_limit, backward);
        let down_limit = cap.min(*self.g.cap.get(backward)?);
        let down = self.g.push(from, to, down_limit, forward);
        Some((
            u64::try_from(down).unwrap_or(0),
            u64::try_from(up).unwrap_or(0),
        ))
    }
}

/// A residual network: edge `e` and its reverse `e ^ 1`, with what can still flow on each.
#[derive(Clone, Debug)]
struct Residual {
    to: Vec<usize>,
    cap: Vec<i64>,
    out: Vec<Vec<usize>>,
    /// BFS marks by generation, so that each search does not clear them.
    mark: Vec<u64>,
    generation: u64,
    parent: Vec<usize>,
}

impl Residual {
    fn new(nodes: usize) -> Self {
        Residual {
            to: Vec::new(),
            cap: Vec::new(),
            out: vec![Vec::new(); nodes],
            mark: vec![0; nodes],
            generation: 0,
            parent: vec![usize::MAX; nodes],
        }
    }

    fn edges(&self) -> usize {
        self.to.len()
    }

    fn edge(&mut self, from: usize, to: usize, cap: i64, back: i64) {
        let e = self.to.len();
        self.to.extend([to, from]);
        self.cap.extend([cap, back]);
        if let Some(list) = self.out.get_mut(from) {
            list.push(e);
        }
        if let Some(list) = self.out.get_mut(to) {
            list.push(e + 1);
        }
    }

    /// Closes every edge from `first` on, both ways.
    fn cut_from(&mut self, first: usize) {
        for c in self.cap.iter_mut().skip(first) {
            *c = 0;
        }
    }

    /// Dinic's maximum flow from `s` to `t`; `None` on overflow.
    fn max_flow(&mut self, s: usize, t: usize) -> Option<i64> {
        let n = self.out.len();
        let mut total: i64 = 0;
        loop {
            // Levels by breadth-first search over edges with room.
            let mut level = vec![usize::MAX; n];
            *level.get_mut(s)? = 0;
            let mut queue = VecDeque::from([s]);
            while let Some(v) = queue.pop_front() {
                let lv = *level.get(v)?;
                for &e in self.out.get(v)? {
                    let w = *self.to.get(e)?;
                    if *self.cap.get(e)? > 0 && *level.get(w)? == usize::MAX {
                        *level.get_mut(w)? = lv + 1;
                        queue.push_back(w);
                    }
                }
            }
            if *level.get(t)? == usize::MAX {
                return Some(total);
            }
            // Blocking flow by depth-first search, iteratively, with a next-edge pointer per
            // node so that each edge is tried once per phase.
            let mut next = vec![0usize; n];
            loop {
                let mut path: Vec<usize> = Vec::new();
                let mut v = s;
                while v != t {
                    let edges = self.out.get(v)?;
                    let i = *next.get(v)?;
                    if let Some(&e) = edges.get(i) {
                        let w = *self.to.get(e)?;
                        if *self.cap.get(e)? > 0 && *level.get(w)? == level.get(v)? + 1 {
                            path.push(e);
                            v = w;
                        } else {
                            *next.get_mut(v)? += 1;
                        }
                    } else {
                        // A dead end: never enter `v` again this phase, and step back.
                        *level.get_mut(v)? = usize::MAX;
                        match path.pop() {
                            Some(e) => {
                                v = *self.to.get(e ^ 1)?;
                                *next.get_mut(v)? += 1;
                            }
                            None => break,
                        }
                    }
                }
                if v != t {
                    break;
                }
                let pushed = path
                    .iter()
                    .map(|&e| self.cap.get(e).copied())
                    .min()
                    .flatten()?;
                for &e in &path {
                    *self.cap.get_mut(e)? -= pushed;
                    *self.cap.get_mut(e ^ 1)? = self.cap.get(e ^ 1)?.checked_add(pushed)?;
                }
                total = total.checked_add(pushed)?;
            }
        }
    }

    /// Pushes up to `limit` units from `s` to `t` along shortest augmenting paths that avoid
    /// edge `skip`, measures how much went, and undoes it.
    fn push(&mut self, s: usize, t: usize, limit: i64, skip: usize) -> i64 {
        let mut undo: Vec<(usize, i64)> = Vec::new();
        let mut pushed: i64 = 0;
        while pushed < limit {
            let Some(path) = self.path(s, t, skip) else {
                break;
            };
            let room = path
                .iter()
                .filter_map(|&e| self.cap.get(e).copied())
                .min()
                .unwrap_or(0)
                .min(limit - pushed);
            if room <= 0 {
                break;
            }
            for &e in &path {
                if let Some(c) = self.cap.get_mut(e) {
                    *c -= room;
                }
                if let Some(c) = self.cap.get_mut(e ^ 1) {
                    *c = c.saturating_add(room);
                }
                undo.push((e, room));
            }
            pushed += room;
        }
        for (e, room) in undo.into_iter().rev() {
            if let Some(c) = self.cap.get_mut(e) {
                *c += room;
            }
            if let Some(c) = self.cap.get_mut(e ^ 1) {
                *c -= room;
            }
        }
        pushed
    }

    /// A shortest path from `s` to `t` over edges with room, other than `skip`.
    fn path(&mut self, s: usize, t: usize, skip: usize) -> Option<Vec<usize>> {
        self.generation += 1;
        let generation = self.generation;
        *self.mark.get_mut(s)? = generation;
        let mut queue = VecDeque::from([s]);
        while let Some(v) = queue.pop_front() {
            if v == t {
                break;
            }
            for &e in self.out.get(v)? {
                let w = *self.to.get(e)?;
                if e != skip && *self.cap.get(e)? > 0 && *self.mark.get(w)? != generation {
                    *self.mark.get_mut(w)? = generation;
                    *self.parent.get_mut(w)? = e;
                    queue.push_back(w);
                }
            }
        }
        if *self.mark.get(t)? != generation || s == t {
            return None;
        }
        let mut path = Vec::new();
        let mut v = t;
        while v != s {
            let e = *self.parent.get(v)?;
            path.push(e);
            v = *self.to.get(e ^ 1)?;
        }
        path.reverse();
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Lcg;

    /// Every integer circulation of a small network, by enumeration: each arc's interval.
    fn brute(nodes: usize, arcs: &[(usize, usize, i64, i64)]) -> Option<Vec<(i64, i64)>> {
        let mut best: Option<Vec<(i64, i64)>> = None;
        let mut flow: Vec<i64> = arcs.iter().map(|a| a.2).collect();
        loop {
            let mut balance = vec![0i64; nodes];
            for (a, f) in arcs.iter().zip(&flow) {
                balance[a.0] -= f;
                balance[a.1] += f;
            }
            if balance.iter().all(|b| *b == 0) {
                let b = best.get_or_insert_with(|| flow.iter().map(|f| (*f, *f)).collect());
                for (iv, f) in b.iter_mut().zip(&flow) {
                    *iv = (iv.0.min(*f), iv.1.max(*f));
                }
            }
            // Next assignment, odometer style.
            let mut i = 0;
            loop {
                if i == arcs.len() {
                    return best;
                }
                if flow[i] < arcs[i].3 {
                    flow[i] += 1;
                    break;
                }
                flow[i] = arcs[i].2;
                i += 1;
            }
        }
    }

    #[test]
    fn intervals_are_exactly_those_of_every_integer_circulation() {
        let mut rng = Lcg(14);
        let (mut feasible, mut infeasible, mut narrow) = (0, 0, 0);
        for _ in 0..1500 {
            let nodes = 2 + rng.next(4) as usize;
            let count = 2 + rng.next(5) as usize;
            let arcs: Vec<(usize, usize, i64, i64)> = (0..count)
                .map(|_| {
                    let from = rng.next(nodes as u64) as usize;
                    let to = rng.next(nodes as u64) as usize;
                    let lo = rng.next(3) as i64;
                    let hi = lo + rng.next(4) as i64;
                    (from, to, lo, hi)
                })
                .collect();
            let mut net = Network::new();
            let ids: Vec<NodeId> = (0..nodes).map(|_| net.node()).collect();
            let arc_ids: Vec<ArcId> = arcs
                .iter()
                .map(|a| net.arc(ids[a.0], ids[a.1], a.2, a.3))
                .collect();
            let expected = brute(nodes, &arcs);
            let Some(mut flow) = net.solve() else {
                assert_eq!(expected, None, "{arcs:?}");
                infeasible += 1;
                continue;
            };
            let expected = expected.unwrap_or_default();
            assert_eq!(expected.len(), arcs.len(), "{arcs:?} has a circulation");
            feasible += 1;
            for (i, id) in arc_ids.iter().enumerate() {
                let v = flow.value(*id).unwrap_or(-1);
                let (down, up) = flow.room(*id, u64::MAX).unwrap_or((0, 0));
                let got = (v - down as i64, v + up as i64);
                assert_eq!(got, expected[i], "arc {i} of {arcs:?}");
                // Capped: each side is the exact room or the cap.
                for cap in [0u64, 1, 2] {
                    let (d, u) = flow.room(*id, cap).unwrap_or((9, 9));
                    assert_eq!((d, u), (down.min(cap), up.min(cap)), "cap {cap}");
                }
                // The circulation is left as it was.
                assert_eq!(flow.value(*id), Some(v));
                if got.1 - got.0 < arcs[i].3 - arcs[i].2 {
                    narrow += 1;
                }
            }
        }
        // The generator reaches every case the test is about.
        assert!(
            feasible > 300 && infeasible > 300 && narrow > 300,
            "{feasible} {infeasible} {narrow}"
        );
    }

    #[test]
    fn bad_networks_are_refused_not_panicked_on() {
        let mut net = Network::new();
        let a = net.node();
        let b = net.node();
        net.arc(a, b, 2, 1);
        assert!(net.solve().is_none(), "lo above hi");

        let mut net = Network::new();
        let a = net.node();
        net.arc(a, NodeId(7), 0, 1);
        assert!(net.solve().is_none(), "a node that does not exist");

        let mut net = Network::new();
        let a = net.node();
        let b = net.node();
        net.arc(a, b, i64::MIN, i64::MAX);
        net.arc(b, a, i64::MAX, i64::MAX);
        assert!(net.solve().is_none(), "bounds whose span overflows");

        let mut net = Network::new();
        let a = net.node();
        let b = net.node();
        let ab = net.arc(a, b, 0, 3);
        net.arc(b, a, 1, 1);
        let mut flow = net.solve().unwrap_or_else(|| panic!("feasible"));
        assert_eq!(flow.value(ab), Some(1));
        assert_eq!(flow.room(ab, 10), Some((0, 0)), "pinned by the other arc");
        assert_eq!(flow.room(ArcId(9), 10), None, "an arc of another network");
    }
}
