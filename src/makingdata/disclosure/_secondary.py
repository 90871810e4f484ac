"""Secondary (complementary) suppression as a mixed integer programme (HiGHS).

The method is the classical cell suppression model (Fischetti and
Salazar-González; the Handbook on SDC, ch. 4) solved in the incremental way
the Handbook describes for large tables:

1. **Modular pass** (as τ-ARGUS's HiTaS): the table is cut into sub-tables
   along its geographic hierarchy (England and regions, then each region's
   LAs, then each LA's schools) and each is solved top-down with
   :func:`scipy.optimize.milp`. A sub-table sees only the relations whose
   cells are all decided or its own; decisions from above are constants.
   Each model asks, for every relation that holds a suppressed cell, for at
   least two suppressed cells in it (so no suppressed cell is the only unknown
   of an equation), and for every sensitive cell that its partners can absorb
   its protection level in every protected column (each priced with its own
   values); it minimises the information lost.
2. **Audit and repair**: an LP audit bounds every sensitive cell over all
   relations of the whole table, after a sufficient test (feasible points of
   each group's LP, the true table among them, show most cells wide enough
   without their own LP pair; see ``_solver.intervals``). For any cell still
   bounded too tightly, a Fischetti–Salazar capacity cut from the attacker
   LP's duals (or "suppress at least one more of the published cells next to
   this group") is added and a MILP over the neighbourhood is solved; repeat
   until the audit is clean.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from makingdata.disclosure._solver import (
    _highs_lp,
    _highspy,
    components,
    incidence,
    intervals,
    scipy_modules,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from makingdata.disclosure._tables import Structure

__all__ = ["SolveInfo", "complementary"]


@attrs.frozen
class SolveInfo:
    """How secondary suppression went.

    Attributes
    ----------
    status
        ``"optimal"`` (every MILP solved to optimality), ``"feasible"`` (a
        time or gap limit stopped some MILP with a valid pattern), ``"greedy"``
        (the repair fell back to suppressing whole neighbourhoods) or
        ``"exposed"`` (some sensitive cell is still too narrow; never returned
        to a caller by ``protect``).
    seconds
        Wall time.
    milps
        Mixed integer programmes solved.
    lps
        Linear programmes solved by the audits.
    iterations
        Audit-and-repair rounds.
    blocks
        Sub-tables of the modular pass.
    exposed
        Sensitive cells still too narrow at the end.
    """

    status: str
    seconds: float
    milps: int
    lps: int
    iterations: int
    blocks: int
    exposed: int


def _cost(values: NDArray[np.float64], kind: str) -> NDArray[np.float64]:
    v = np.nan_to_num(np.abs(values), nan=0.0)
    if kind == "cells":
        return np.ones(v.shape, dtype=np.float64)
    if kind == "log":
        return np.asarray(1.0 + np.log1p(v), dtype=np.float64)
    return np.asarray(1.0 + v, dtype=np.float64)


class _Model:
    """Shared arrays for building MILPs over subsets of cells."""

    def __init__(  # noqa: PLR0917 - private
        self,
        struct: Structure,
        cap_values: list[NDArray[np.float64]],
        cost: NDArray[np.float64],
        required: list[NDArray[np.float64]],
        sensitive: NDArray[np.bool_],
        fixed: NDArray[np.int8],
        time_limit: float,
    ) -> None:
        self.s = struct
        # one (values, widths) pair per protected column: each column's
        # sensitive cells need their own capacity
        self.caps = [np.nan_to_num(v, nan=0.0) for v in cap_values]
        self.cost = cost
        self.required = required
        self.sensitive = sensitive
        self.fixed = fixed
        self.time_limit = time_limit
        order = np.argsort(struct.rel, kind="stable")
        self.t_rel = struct.rel[order]
        self.t_cell = struct.cell[order]
        self.t_coef = struct.coef[order]
        self.rel_start = np.searchsorted(self.t_rel, np.arange(struct.n_relations + 1))
        self.by_cell = np.argsort(struct.cell, kind="stable")
        self.cell_start = np.searchsorted(
            struct.cell[self.by_cell], np.arange(struct.n_cells + 1)
        )
        self.milps = 0
        self.suboptimal = False

    def relations_of(self, cells: NDArray[np.int64]) -> NDArray[np.int64]:
        if cells.size == 0:
            return np.zeros(0, dtype=np.int64)
        parts = [
            self.by_cell[self.cell_start[c] : self.cell_start[c + 1]] for c in cells
        ]
        trip = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return np.unique(self.s.rel[trip])

    def cells_of(self, rels: NDArray[np.int64]) -> NDArray[np.int64]:
        if rels.size == 0:
            return np.zeros(0, dtype=np.int64)
        parts = [self.t_cell[self.rel_start[r] : self.rel_start[r + 1]] for r in rels]
        return np.unique(np.concatenate(parts))

    def solve(  # noqa: PLR0912, PLR0915 - builds one MILP
        self,
        var: NDArray[np.int64],
        rels: NDArray[np.int64],
        supp: NDArray[np.bool_],
        cuts: list[tuple[NDArray[np.int64], NDArray[np.float64], float]],
        *,
        monotone: bool,
    ) -> NDArray[np.bool_]:
        """Choose suppressions among ``var``; others are constants from ``supp``."""
        opt, sp, _ = scipy_modules()
        nv = var.size
        pos = np.full(self.s.n_cells, -1, dtype=np.int64)
        pos[var] = np.arange(nv)
        lb = np.zeros(nv)
        ub = np.ones(nv)
        lb[self.sensitive[var] | (self.fixed[var] == 1)] = 1
        if monotone:
            lb[supp[var]] = 1
        ub[self.fixed[var] == 0] = 0
        lb = np.minimum(lb, ub)
        rows: list[NDArray[np.int64]] = []
        cols: list[NDArray[np.int64]] = []
        vals: list[NDArray[np.float64]] = []
        lo_l: list[float] = []
        hi_l: list[float] = []
        y_lb: list[float] = []
        nrow = 0
        ny = 0
        cap_rows: list[tuple[NDArray[np.int64], NDArray[np.float64], float]] = []
        for r in rels:
            cells = self.t_cell[self.rel_start[r] : self.rel_start[r + 1]]
            coefs = self.t_coef[self.rel_start[r] : self.rel_start[r + 1]]
            vp = pos[cells]
            inside = vp >= 0
            if not inside.any():
                continue
            # An increment between periods is never published: it is not a
            # suppression to be hidden among others. Asking its relation for a
            # second hidden cell hid every cell whose increment was safe to
            # give away (0, or at least the threshold); a sensitive increment
            # asks for capacity below, like any sensitive part.
            if not (cells >= self.s.n_rows).any():
                const_supp = float(supp[cells[~inside]].sum())
                y = nv + ny
                ny += 1
                y_lb.append(1.0 if const_supp > 0 else 0.0)
                k = int(inside.sum())
                # s_i - y <= 0 for each variable member
                rows.append(np.repeat(np.arange(nrow, nrow + k), 2))
                cols.append(np.column_stack([vp[inside], np.full(k, y)]).ravel())
                vals.append(np.tile([1.0, -1.0], k))
                lo_l.extend([-np.inf] * k)
                hi_l.extend([0.0] * k)
                nrow += k
                # sum s + const - 2y >= 0
                rows.append(np.full(k + 1, nrow))
                cols.append(np.concatenate([vp[inside], [y]]))
                vals.append(np.concatenate([np.ones(k), [-2.0]]))
                lo_l.append(-const_supp)
                hi_l.append(np.inf)
                nrow += 1
            # protection capacity for sensitive parts, in every protected column:
            # part i can rise by what the total and the other parts let it
            # (a total any amount, another part down to 0)
            sens_idx = np.flatnonzero(self.sensitive[cells] & (coefs < 0))
            if sens_idx.size == 0:
                continue
            in_vars = vp[inside]
            outside_supp = ~inside & supp[cells]
            for cap, req in zip(self.caps, self.required, strict=True):
                ci = cells[sens_idx]
                need = req[ci] - cap[ci]
                ok = need > 0
                if not ok.any():
                    continue
                r_i = req[ci[ok]][:, None]
                w = np.where(
                    coefs[None, :] > 0, r_i, np.minimum(cap[cells][None, :], r_i)
                )
                w[np.arange(r_i.shape[0]), sens_idx[ok]] = 0.0  # not itself
                have = w[:, outside_supp].sum(axis=1)
                w_in = w[:, inside]
                rhs_q = need[ok] - have
                cap_rows.extend(
                    (in_vars, w_in[q], float(rhs_q[q])) for q in range(r_i.shape[0])
                )
        for all_members, all_weights, rhs in cap_rows:
            nz = all_weights > 0
            members_a, weights_a = all_members[nz], all_weights[nz]
            if rhs <= 0 or members_a.size == 0:
                continue
            if float(weights_a[ub[members_a] > 0].sum()) < rhs:
                continue  # cannot be met here; the audit will ask for more
            rows.append(np.full(members_a.size, nrow))
            cols.append(members_a)
            vals.append(weights_a)
            lo_l.append(rhs)
            hi_l.append(np.inf)
            nrow += 1
        for cut_cells, cut_w, cut_rhs in cuts:
            cp = pos[cut_cells]
            keep = (cp >= 0) & (ub[np.maximum(cp, 0)] > 0)
            cp, w = cp[keep], cut_w[keep]
            # cells fixed suppressed count towards the cut already
            have = float(
                cut_w[(cp_all := pos[cut_cells]) < 0][supp[cut_cells[cp_all < 0]]].sum()
            )
            if cp.size == 0 or cut_rhs - have <= 0:
                continue
            rows.append(np.full(cp.size, nrow))
            cols.append(cp)
            vals.append(w)
            lo_l.append(min(cut_rhs - have, float(w.sum())))
            hi_l.append(np.inf)
            nrow += 1
        n = nv + ny
        c = np.concatenate([self.cost[var], np.zeros(ny)])
        lbs = np.concatenate([lb, np.asarray(y_lb)])
        ubs = np.concatenate([ub, np.ones(ny)])
        if nrow == 0:
            return lbs[:nv] > 0.5
        a = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(nrow, n),
        )
        res = opt.milp(
            c,
            integrality=np.ones(n),
            bounds=opt.Bounds(lbs, ubs),
            constraints=[opt.LinearConstraint(a, np.asarray(lo_l), np.asarray(hi_l))],
            options={"time_limit": self.time_limit, "mip_rel_gap": 1e-3},
        )
        self.milps += 1
        if res.x is None:
            # infeasible or no solution in time: suppress every free cell here
            self.suboptimal = True
            return ubs[:nv] > 0.5
        if res.status != 0:
            self.suboptimal = True
        return np.asarray(res.x[:nv] > 0.5, dtype=bool)


class _Attacker:
    """The intruder's LP over one group of hidden cells, loaded once per round."""

    def __init__(  # noqa: PLR0917 - private
        self,
        m: Any,
        mcsc: Any,
        labels: NDArray[np.int64],
        values: NDArray[np.float64],
        label: int,
        lower: NDArray[np.float64] | None = None,
    ) -> None:
        hs = _highspy()
        self.hs = hs
        self.free = np.flatnonzero(labels == label)
        rows = np.unique(mcsc[:, self.free].nonzero()[0])
        a_rows = m[rows].tocsc()
        a_free = a_rows[:, self.free]
        touched = np.unique(a_rows.nonzero()[1])
        self.pub = np.setdiff1d(touched, self.free)
        self.a_pub = a_rows[:, self.pub]
        self.v = np.nan_to_num(values, nan=0.0)
        rhs = -(self.a_pub @ self.v[self.pub])
        self.h = _highs_lp(
            hs,
            a_free,
            cost=np.zeros(self.free.size),
            col_lower=np.zeros(self.free.size) if lower is None else lower[self.free],
            col_upper=np.full(self.free.size, hs.kHighsInf),
            row_lower=rhs,
            row_upper=rhs,
        )

    def cut(
        self, target: int, needed: float
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], float] | None:
        """Return the capacity cut for ``target`` (see :func:`_fs_cut`)."""
        hs, h, free, pub, v = self.hs, self.h, self.free, self.pub, self.v
        j = int(np.searchsorted(free, target))
        c_free = np.zeros(free.size)
        c_pub = np.zeros(pub.size)
        try:
            # min and max of the cell, both as minimisations (cost +1, then -1)
            for sign in (1.0, -1.0):
                h.changeColCost(j, sign)
                h.run()
                if h.getModelStatus() != hs.HighsModelStatus.kOptimal:
                    return None
                sol = h.getSolution()
                y = np.asarray(sol.row_dual)
                d_free = np.asarray(sol.col_dual)
                d_pub = -(self.a_pub.T @ y)
                c_free += np.where(d_free < -1e-9, np.inf, 0.0) + np.where(
                    d_free > 1e-9, d_free * v[free], 0.0
                )
                c_pub += np.where(d_pub < -1e-9, np.inf, 0.0) + np.where(
                    d_pub > 1e-9, d_pub * v[pub], 0.0
                )
        finally:
            h.changeColCost(j, 0.0)
        rhs_cut = needed - float(np.minimum(c_free, needed).sum())
        weights = np.minimum(c_pub, needed)
        keep = weights > 1e-9
        if rhs_cut <= 1e-9 or not keep.any():
            return None
        return pub[keep], weights[keep], rhs_cut


def _fs_cut(  # noqa: PLR0917 - private
    attackers: dict[tuple[int, int], _Attacker],
    m: Any,
    mcsc: Any,
    labels: NDArray[np.int64],
    values: NDArray[np.float64],
    column: int,
    target: int,
    needed: float,
    lower: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float64], float] | None:
    """Return a Fischetti–Salazar capacity cut for one under-protected cell.

    The attacker's LPs (min and max of the cell over its group of hidden
    cells) are solved with HiGHS; their duals price each published neighbour:
    suppressing cell ``j`` would widen the interval by at most ``c_j``. Any
    protecting pattern satisfies ``sum_j min(needed, c_j) s_j >= needed``
    (Fischetti and Salazar-González 2001; Handbook on SDC, ch. 4), and the
    current pattern violates it. The group's LP is loaded once per round and
    column (``attackers``) and re-solved per cell. Returns ``None`` without
    highspy.
    """
    if _highspy() is None or labels[target] < 0:
        return None
    key = (int(labels[target]), column)
    if key not in attackers:
        attackers[key] = _Attacker(m, mcsc, labels, values, key[0], lower)
    return attackers[key].cut(target, needed)


def complementary(  # noqa: PLR0912, PLR0915 - modular pass then audit-and-repair
    struct: Structure,
    *,
    audit_values: list[NDArray[np.float64]],
    cost_values: NDArray[np.float64],
    sensitive: NDArray[np.bool_],
    required: NDArray[np.float64],
    audit_required: list[NDArray[np.float64]] | None = None,
    fixed: NDArray[np.int8] | None = None,
    blocks: list[NDArray[np.int64]] | None = None,
    cost: str = "value",
    max_rounds: int = 40,
    time_limit: float = 60.0,
    audited: NDArray[np.bool_] | None = None,
    small_only: NDArray[np.bool_] | None = None,
    latent_floor: list[float] | None = None,
) -> tuple[NDArray[np.bool_], SolveInfo]:
    """Find a suppression pattern that protects every sensitive cell.

    Parameters
    ----------
    struct
        The relations.
    audit_values
        Values per cell of each column the audit checks (NaN = unknown).
    cost_values
        Values per cell used for the information-loss cost and capacities.
    sensitive
        Cells that need protection (primary suppressions).
    required
        Protection width each sensitive cell needs in the cost column (it
        prices the capacities of the integer programmes).
    audit_required
        Per audit column, the width each sensitive cell needs in that column
        (a share of the cell's own value there); ``required`` for every
        column when omitted.
    fixed
        Per cell: 1 must be suppressed, 0 must be published (already
        released), -1 free.
    blocks
        Cells of each sub-table, in the order to solve them (modular pass);
        ``None`` solves the whole table as one block.
    cost
        ``"value"``, ``"cells"`` or ``"log"``.
    max_rounds
        Audit-and-repair rounds before falling back to whole neighbourhoods.
    time_limit
        Seconds allowed per MILP.
    audited
        Further cells the audit-and-repair loop keeps wide enough (their
        ``audit_required``), without the integer programme's capacity rows:
        cells an earlier release suppressed, increments whose value is unknown.
    small_only
        Cells (among ``audited``) that are exposed only when their whole
        interval lies within 1 .. ``audit_required``-1: an increment from a
        cell suppressed earlier, whose value is unknown (it may be 0 or large,
        which may be given away); while it is, it is widened like a sensitive
        cell.
    latent_floor
        Per audit column, the lower bound of its increments: 0 for a count
        that never falls from period to period (pupils on roll so far), a
        large negative number for one that does (pupils persistently absent
        so far). Default 0.

    Returns
    -------
    tuple
        The suppression mask per cell and a :class:`SolveInfo`.
    """
    started = time.perf_counter()
    n = struct.n_cells
    if fixed is None:
        fixed = np.full(n, -1, dtype=np.int8)
    latent = np.zeros(n, dtype=bool)
    latent[struct.n_rows :] = True
    fixed = fixed.copy()
    fixed[latent] = 1
    need = audit_required or [required] * len(audit_values)
    model = _Model(
        struct,
        audit_values if audit_required else [cost_values],
        _cost(cost_values, cost),
        need if audit_required else [required],
        sensitive,
        fixed,
        time_limit,
    )
    supp = sensitive | (fixed == 1)
    watched = np.zeros(n, dtype=bool) if audited is None else audited
    small = np.zeros(n, dtype=bool) if small_only is None else small_only
    if not (sensitive.any() or watched.any()):
        return supp, SolveInfo("optimal", time.perf_counter() - started, 0, 0, 0, 0, 0)
    if blocks is None:
        blocks = [np.arange(n, dtype=np.int64)]
    # Modular pass.
    order = np.full(n, len(blocks), dtype=np.int64)
    for b, cells in enumerate(blocks):
        order[cells] = b
    rel_last = np.zeros(struct.n_relations, dtype=np.int64)
    if struct.n_relations:
        np.maximum.at(rel_last, struct.rel, order[struct.cell])
    rel_sorted = np.argsort(rel_last, kind="stable")
    rel_block_start = np.searchsorted(rel_last[rel_sorted], np.arange(len(blocks) + 1))
    for b, cells in enumerate(blocks):
        rels = rel_sorted[rel_block_start[b] : rel_block_start[b + 1]]
        touched = supp[cells].any() or (rels.size and supp[model.cells_of(rels)].any())
        if not touched:
            continue
        supp[cells] = model.solve(cells, rels, supp, [], monotone=False) | supp[cells]
    # Audit and repair.
    m = incidence(struct)
    mcsc = m.tocsc()
    floors = latent_floor or [0.0] * len(audit_values)
    lowers = []
    for fl in floors:
        low = np.zeros(n)
        low[struct.n_rows :] = fl
        lowers.append(low)
    targets = np.flatnonzero(sensitive | watched)
    small_t = small[targets] & ~sensitive[targets]
    need_t = np.stack([r[targets] for r in need])
    lo = np.full((len(audit_values), targets.size), -np.inf)
    hi = np.full((len(audit_values), targets.size), np.inf)
    recheck = np.ones(targets.size, dtype=bool)
    lps = 0
    rounds = 0
    greedy = False
    exposed_idx = np.zeros(0, dtype=np.int64)
    while True:
        for k, vals in enumerate(audit_values):
            known = ~supp & np.isfinite(vals)
            lb = np.where(known, vals, 0.0)
            ub = np.where(known, vals, np.inf)
            lb[struct.n_rows :] = floors[k]
            sel = np.flatnonzero(recheck)
            if sel.size == 0:
                continue
            # Only the width matters here: a cell that a few feasible points
            # (the true table among them) already spread far enough is safe
            # without its own LP pair.
            res = intervals(
                struct,
                lb,
                ub,
                targets[sel],
                m=m,
                required=need[k][targets[sel]],
                known=np.where(np.isfinite(vals), vals, np.nan),
            )
            lo[k, sel] = res.lo
            hi[k, sel] = res.hi
            lps += res.lps
        width = hi - lo
        short = width < need_t - 1e-9
        # an increment of unknown value is exposed only when pinned to 1..need-1
        pinned = (lo > 0.5) & (hi < need_t - 0.5)
        short = np.where(small_t[None, :], short & pinned, short)
        exposed = short.any(axis=0)
        exposed_idx = np.flatnonzero(exposed)
        if exposed_idx.size == 0 or rounds >= 3 * max_rounds:
            break
        rounds += 1
        labels = components(struct, supp, m)
        attackers: dict[tuple[int, int], _Attacker] = {}
        cuts: list[tuple[NDArray[np.int64], NDArray[np.float64], float]] = []
        seen: set[int] = set()
        neighbourhood: list[NDArray[np.int64]] = []
        for e in exposed_idx:
            t = int(targets[e])
            k = int(np.argmax(short[:, e]))
            cut = _fs_cut(
                attackers,
                m,
                mcsc,
                labels,
                audit_values[k],
                k,
                t,
                float(need[k][t]),
                lowers[k],
            )
            if cut is not None and rounds <= max_rounds // 2:
                cut = (cut[0][fixed[cut[0]] != 0], cut[1][fixed[cut[0]] != 0], cut[2])
                if cut[0].size:
                    cuts.append(cut)
                    neighbourhood.append(cut[0])
                    continue
            lab = int(labels[t])
            if lab in seen:
                continue
            seen.add(lab)
            group = np.flatnonzero(labels == lab) if lab >= 0 else np.asarray([t])
            near = model.cells_of(model.relations_of(group))
            cand = near[~supp[near] & (fixed[near] != 0)]
            if cand.size == 0:
                continue
            cuts.append((cand, np.ones(cand.size), 1.0))
            neighbourhood.append(cand)
        if not cuts:
            break
        before = supp.copy()
        if rounds > max_rounds:
            greedy = True
            for cand, _, _ in cuts:
                supp[cand] = True
        else:
            ring = np.unique(np.concatenate(neighbourhood))
            var = np.unique(
                np.concatenate([ring, model.cells_of(model.relations_of(ring))])
            )
            rels = model.relations_of(var)
            supp[var] = model.solve(var, rels, supp, cuts, monotone=True) | supp[var]
        changed = np.flatnonzero(supp & ~before)
        if changed.size == 0:
            break
        labels = components(struct, supp, m)
        touched_labels = np.unique(labels[changed])
        recheck = np.isin(labels[targets], touched_labels) | exposed
    status = (
        "exposed"
        if exposed_idx.size
        else "greedy"
        if greedy
        else "feasible"
        if model.suboptimal
        else "optimal"
    )
    return supp, SolveInfo(
        status=status,
        seconds=time.perf_counter() - started,
        milps=model.milps,
        lps=lps,
        iterations=rounds,
        blocks=len(blocks),
        exposed=int(exposed_idx.size),
    )
