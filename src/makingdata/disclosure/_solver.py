"""Lazy access to scipy's HiGHS (an optional extra) and the interval engine."""

from __future__ import annotations

import math
import os
import sys
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from numpy.typing import NDArray

from makingdata.errors import MakingDataError

if TYPE_CHECKING:
    from makingdata.disclosure._tables import Structure

__all__ = ["Intervals", "intervals", "scipy_modules"]


def scipy_modules() -> tuple[Any, Any, Any]:
    """Import scipy's optimize, sparse and csgraph, or explain how to install them."""
    try:
        import scipy.optimize as opt  # noqa: PLC0415 - optional extra, imported lazily
        import scipy.sparse as sp  # noqa: PLC0415
        import scipy.sparse.csgraph as csg  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - scipy is in the dev extra
        raise MakingDataError(
            "disclosure control needs scipy (its HiGHS solver)",
            hint="pip install 'makingdata[disclosure]'",
        ) from exc
    return opt, sp, csg


@attrs.frozen
class Intervals:
    """Feasible intervals of target cells.

    Attributes
    ----------
    cells
        The target cells.
    lo
        Smallest value consistent with everything published.
    hi
        Largest value (``inf`` when unbounded).
    component
        The id of the group of unpublished cells each target is linked to.
    component_size
        Number of unpublished cells in that group.
    lps
        Linear programmes solved.
    exact
        Per target, whether ``lo`` and ``hi`` are its exact bounds (False:
        an inner part of its interval, already as wide as required).
    """

    cells: NDArray[np.int64]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    component: NDArray[np.int64]
    component_size: NDArray[np.int64]
    lps: int
    exact: NDArray[np.bool_]


def _highspy() -> Any:
    """Return the ``highspy`` module if installed (a faster path), else None."""
    try:
        import highspy  # noqa: PLC0415 - optional accelerator
    except ImportError:
        return None
    return highspy


_HIGHS_STARTED = False


def _new_highs(highspy: Any) -> Any:
    """Create a silent HiGHS instance (its first start prints a banner on fd 1)."""
    global _HIGHS_STARTED  # noqa: PLW0603 - the banner is printed once per process
    if not _HIGHS_STARTED:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _HIGHS_STARTED = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # Re-solving with a new objective reuses the basis only without presolve.
    h.setOptionValue("presolve", "off")
    return h


def _highs_lp(
    highspy: Any,
    a_csc: Any,
    *,
    cost: NDArray[np.float64],
    col_lower: NDArray[np.float64],
    col_upper: NDArray[np.float64],
    row_lower: NDArray[np.float64],
    row_upper: NDArray[np.float64],
) -> Any:
    """Load ``row_lower <= A x <= row_upper`` (A column-wise) into a silent HiGHS."""
    h = _new_highs(highspy)
    lp = highspy.HighsLp()
    lp.num_col_ = int(a_csc.shape[1])
    lp.num_row_ = int(a_csc.shape[0])
    lp.col_cost_ = cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a_csc.indptr
    lp.a_matrix_.index_ = a_csc.indices
    lp.a_matrix_.value_ = a_csc.data
    h.passModel(lp)
    return h


class _ComponentLP:
    """One component's LP, loaded once: extremes of a cell, or a point for an objective.

    With ``highspy`` the model is loaded once and re-solved with a new
    objective (warm start); otherwise :func:`scipy.optimize.linprog` is called.
    """

    def __init__(
        self,
        a: Any,
        rhs: NDArray[np.float64],
        band: NDArray[np.float64],
        lb: NDArray[np.float64],
        ub: NDArray[np.float64],
    ) -> None:
        self.a = a
        self.rhs = rhs
        self.band = band
        self.lb = np.asarray(lb, dtype=np.float64)
        self.ub = np.asarray(ub, dtype=np.float64)
        self.n = int(a.shape[1])
        self.lps = 0
        self.hs = _highspy()
        # Points are sought in the box capped at a large value: any point of
        # the capped polytope lies in the true one, so the cap costs no soundness.
        finite = np.concatenate(
            [np.abs(rhs), np.abs(self.lb), np.abs(self.ub[np.isfinite(self.ub)])]
        )
        big = 4.0 * float(finite.max(initial=0.0)) + 1e6
        self.ub_cap = np.where(np.isinf(self.ub), big, self.ub)
        self.h: Any = None
        self.push_h: Any = None
        self.push_js = np.zeros(0, dtype=np.int64)
        if self.hs is not None:
            hs = self.hs
            self.h = _highs_lp(
                hs,
                a.tocsc(),
                cost=np.zeros(self.n),
                col_lower=self.lb,
                col_upper=np.where(np.isinf(self.ub), hs.kHighsInf, self.ub),
                row_lower=rhs - band,
                row_upper=rhs + band,
            )
            self.capped = False

    def _set_cap(self, *, capped: bool) -> None:
        if self.h is None or self.capped == capped:
            return
        hs = self.hs
        ub = (
            self.ub_cap
            if capped
            else np.where(np.isinf(self.ub), hs.kHighsInf, self.ub)
        )
        idx = np.arange(self.n, dtype=np.int32)
        self.h.changeColsBounds(self.n, idx, self.lb, ub)
        self.capped = capped

    def extremes(self, j: int) -> tuple[float, float]:
        """Min and max of variable ``j`` (``inf`` when unbounded, NaN when infeasible)."""
        self.lps += 2
        if self.h is not None:
            hs = self.hs
            h = self.h
            self._set_cap(capped=False)
            out = []
            h.changeColCost(j, 1.0)
            for sense in (hs.ObjSense.kMinimize, hs.ObjSense.kMaximize):
                h.changeObjectiveSense(sense)
                h.run()
                status = h.getModelStatus()
                if status == hs.HighsModelStatus.kOptimal:
                    out.append(float(h.getInfo().objective_function_value))
                elif status == hs.HighsModelStatus.kUnbounded:
                    out.append(
                        math.inf
                        if sense == hs.ObjSense.kMaximize
                        else float(self.lb[j])
                    )
                else:
                    out.append(math.nan)
            h.changeColCost(j, 0.0)
            h.changeObjectiveSense(hs.ObjSense.kMinimize)
            return out[0], out[1]
        opt, _, _ = scipy_modules()
        obj = np.zeros(self.n)
        obj[j] = 1.0
        kw = self._linprog_kw(capped=False)
        res_lo = opt.linprog(obj, method="highs", **kw)
        res_hi = opt.linprog(-obj, method="highs", **kw)
        lo = res_lo.fun if res_lo.status == 0 else math.nan
        hi = (
            -res_hi.fun
            if res_hi.status == 0
            else (math.inf if res_hi.status == 3 else math.nan)
        )
        return float(lo), float(hi)

    def maximum(self, j: int) -> tuple[float, NDArray[np.float64] | None]:
        """Return the max of variable ``j`` and a point attaining it (``inf``, None if unbounded)."""
        self.lps += 1
        if self.h is not None:
            hs = self.hs
            h = self.h
            self._set_cap(capped=False)
            h.changeColCost(j, 1.0)
            h.changeObjectiveSense(hs.ObjSense.kMaximize)
            h.run()
            status = h.getModelStatus()
            h.changeColCost(j, 0.0)
            h.changeObjectiveSense(hs.ObjSense.kMinimize)
            if status == hs.HighsModelStatus.kOptimal:
                x = np.asarray(h.getSolution().col_value, dtype=np.float64)
                return float(x[j]), x
            if status == hs.HighsModelStatus.kUnbounded:
                return math.inf, None
            return math.nan, None
        opt, _, _ = scipy_modules()
        obj = np.zeros(self.n)
        obj[j] = -1.0
        res = opt.linprog(obj, method="highs", **self._linprog_kw(capped=False))
        if res.status == 0:
            return float(-res.fun), np.asarray(res.x, dtype=np.float64)
        return (math.inf if res.status == 3 else math.nan), None

    def point(self, cost: NDArray[np.float64]) -> NDArray[np.float64] | None:
        """Return a feasible point minimising ``cost`` in the capped box, or None."""
        self.lps += 1
        if self.h is not None:
            hs = self.hs
            h = self.h
            self._set_cap(capped=True)
            idx = np.arange(self.n, dtype=np.int32)
            h.changeColsCost(self.n, idx, cost)
            h.run()
            ok = h.getModelStatus() == hs.HighsModelStatus.kOptimal
            x = np.asarray(h.getSolution().col_value, dtype=np.float64) if ok else None
            h.changeColsCost(self.n, idx, np.zeros(self.n))
            return x
        opt, _, _ = scipy_modules()
        res = opt.linprog(cost, method="highs", **self._linprog_kw(capped=True))
        return np.asarray(res.x, dtype=np.float64) if res.status == 0 else None

    def pushed(
        self, js: NDArray[np.int64], goal: NDArray[np.float64], *, up: bool
    ) -> NDArray[np.float64] | None:
        """Return a feasible point pushing as many cells ``js`` as it can past ``goal``.

        Up, the LP maximises ``sum_j min(x_j, goal_j)`` (auxiliary
        ``t_j <= x_j``, ``0 <= t_j <= goal_j``); down, it minimises
        ``sum_j max(x_j, goal_j)`` (``t_j >= x_j``, ``t_j >= goal_j``). Going
        past a goal earns nothing, so what the relations allow is spread over
        many cells instead of piled on one. A goal of 0 (up) or ``inf`` (down)
        leaves a cell out.
        """
        self.lps += 1
        k = js.size
        _, sp, _ = scipy_modules()
        eq = self.rhs.size
        if up:
            aux_lo, aux_hi = np.zeros(k), np.maximum(goal, 0.0)
            cut_lo, cut_hi = np.full(k, -np.inf), np.zeros(k)
        else:
            leave = ~np.isfinite(goal)
            aux_lo = np.where(leave, 0.0, np.maximum(goal, 0.0))
            aux_hi = np.where(leave, 0.0, np.inf)
            cut_lo = np.where(leave, -np.inf, 0.0)
            cut_hi = np.full(k, np.inf)
        if self.hs is not None:
            return self._pushed_highs(js, aux_lo, aux_hi, cut_lo, up=up)
        a_aug = sp.vstack(
            [
                sp.hstack([self.a, sp.csr_matrix((self.a.shape[0], k))]),
                sp.hstack(
                    [
                        -sp.csr_matrix(
                            (np.ones(k), (np.arange(k), js)), shape=(k, self.n)
                        ),
                        sp.identity(k),
                    ]
                ),
            ]
        ).tocsc()
        row_lo = np.concatenate([self.rhs - self.band, cut_lo])
        row_hi = np.concatenate([self.rhs + self.band, cut_hi])
        col_lo = np.concatenate([self.lb, aux_lo])
        col_hi = np.concatenate([self.ub_cap, aux_hi])
        cost = np.concatenate([np.zeros(self.n), np.full(k, -1.0 if up else 1.0)])
        opt, _, _ = scipy_modules()
        a_csr = a_aug.tocsr()
        ub_rows = [a_csr[:eq], -a_csr[:eq]]
        ub_rhs = [row_hi[:eq], -row_lo[:eq]]
        fin_hi = np.isfinite(cut_hi)
        fin_lo = np.isfinite(cut_lo)
        ub_rows += [a_csr[eq:][fin_hi], -a_csr[eq:][fin_lo]]
        ub_rhs += [cut_hi[fin_hi], -cut_lo[fin_lo]]
        res = opt.linprog(
            cost,
            A_ub=sp.vstack(ub_rows).tocsr(),
            b_ub=np.concatenate(ub_rhs),
            bounds=list(
                zip(
                    col_lo,
                    [None if math.isinf(u) else u for u in col_hi],
                    strict=True,
                )
            ),
            method="highs",
        )
        return (
            np.asarray(res.x[: self.n], dtype=np.float64) if res.status == 0 else None
        )

    def _pushed_highs(
        self,
        js: NDArray[np.int64],
        aux_lo: NDArray[np.float64],
        aux_hi: NDArray[np.float64],
        cut_lo: NDArray[np.float64],
        *,
        up: bool,
    ) -> NDArray[np.float64] | None:
        """:meth:`pushed` on one HiGHS model kept per component (warm started).

        Columns: the cells, then ``t`` (up) and ``u`` (down) per target; rows:
        the relations, then ``t_j - x_j <= 0`` and ``u_j - x_j >= 0``. A call
        sets the bounds of its own auxiliaries and switches the others off.
        """
        hs = self.hs
        inf = hs.kHighsInf
        k = js.size
        if self.push_h is None or not np.array_equal(self.push_js, js):
            _, sp, _ = scipy_modules()
            pick = sp.csr_matrix((np.ones(k), (np.arange(k), js)), shape=(k, self.n))
            zero = sp.csr_matrix((k, k))
            a_aug = sp.vstack(
                [
                    sp.hstack([self.a, sp.csr_matrix((self.a.shape[0], 2 * k))]),
                    sp.hstack([-pick, sp.identity(k), zero]),
                    sp.hstack([-pick, zero, sp.identity(k)]),
                ]
            ).tocsc()
            self.push_h = _highs_lp(
                hs,
                a_aug,
                cost=np.concatenate([np.zeros(self.n), -np.ones(k), np.ones(k)]),
                col_lower=np.concatenate([self.lb, np.zeros(2 * k)]),
                col_upper=np.concatenate([self.ub_cap, np.zeros(2 * k)]),
                row_lower=np.concatenate([self.rhs - self.band, np.full(2 * k, -inf)]),
                row_upper=np.concatenate(
                    [self.rhs + self.band, np.zeros(k), np.full(k, inf)]
                ),
            )
            self.push_js = js.copy()
        h = self.push_h
        eq = self.rhs.size
        t_cols = np.arange(self.n, self.n + k, dtype=np.int32)
        u_cols = t_cols + k
        u_rows = np.arange(eq + k, eq + 2 * k, dtype=np.int32)
        off = np.zeros(k)
        if up:
            h.changeColsBounds(k, u_cols, off, off)
            h.changeRowsBounds(k, u_rows, np.full(k, -inf), np.full(k, inf))
            h.changeColsBounds(k, t_cols, aux_lo, aux_hi)
        else:
            h.changeColsBounds(k, t_cols, off, off)
            h.changeColsBounds(
                k, u_cols, aux_lo, np.where(np.isinf(aux_hi), inf, aux_hi)
            )
            h.changeRowsBounds(
                k, u_rows, np.where(np.isinf(cut_lo), -inf, cut_lo), np.full(k, inf)
            )
        h.run()
        if h.getModelStatus() != hs.HighsModelStatus.kOptimal:
            return None
        return np.asarray(h.getSolution().col_value, dtype=np.float64)[: self.n]

    def feasible(self, x: NDArray[np.float64]) -> bool:
        """Whether ``x`` satisfies the bounds and relations (with the solver's slack)."""
        if not np.all(np.isfinite(x)):
            return False
        slack = 1e-6 * (1.0 + np.abs(self.rhs))
        r = self.a @ x - self.rhs
        return bool(
            np.all(x >= self.lb - 1e-7)
            and np.all(x <= self.ub + 1e-7)
            and np.all(np.abs(r) <= self.band + slack)
        )

    def _linprog_kw(self, *, capped: bool) -> dict[str, Any]:
        _, sp, _ = scipy_modules()
        ub = self.ub_cap if capped else self.ub
        kw: dict[str, Any] = {
            "bounds": list(
                zip(
                    self.lb,
                    [None if math.isinf(u) else u for u in ub],
                    strict=True,
                )
            )
        }
        if np.any(self.band > 0):
            kw["A_ub"] = sp.vstack([self.a, -self.a]).tocsr()
            kw["b_ub"] = np.concatenate([self.rhs + self.band, -(self.rhs - self.band)])
        else:
            kw["A_eq"] = self.a
            kw["b_eq"] = self.rhs
        return kw


def incidence(struct: Structure) -> Any:
    """Return the relations × cells matrix (CSR) of a structure."""
    _, sp, _ = scipy_modules()
    return sp.csr_matrix(
        (struct.coef, (struct.rel, struct.cell)),
        shape=(struct.n_relations, struct.n_cells),
    )


def components(
    struct: Structure, free: NDArray[np.bool_], m: Any = None
) -> NDArray[np.int64]:
    """Label each cell by its group of unpublished cells linked through relations.

    Published cells get label -1.
    """
    _, sp, csg = scipy_modules()
    if m is None:
        m = incidence(struct)
    idx = np.flatnonzero(free)
    labels = np.full(struct.n_cells, -1, dtype=np.int64)
    if idx.size == 0:
        return labels
    b = (m[:, idx] != 0).astype(np.int8).tocsr()
    nf, nr = idx.size, struct.n_relations
    graph = (
        sp.bmat([[None, b.T], [b, None]], format="csr", dtype=np.int8)
        if nr
        else sp.csr_matrix((nf, nf))
    )
    _, lab = csg.connected_components(graph, directed=False)
    labels[idx] = lab[:nf]
    return labels


#: Pairs of random-sign objectives (c, -c) tried first per component.
RANDOM_PAIRS = 2
#: Rounds (one up, one down LP each) of the sufficient test before exact LPs.
CERTIFY_ROUNDS = 20
#: Stop pushing when a round shows fewer than this share of the cells left wide enough.
PUSH_MIN_GAIN = 0.02


def _certify(  # noqa: PLR0912, PLR0915 - points, then pushes, then the tail
    comp: _ComponentLP,
    js: NDArray[np.int64],
    need: NDArray[np.float64],
    known: NDArray[np.float64] | None,
    integer: bool,
) -> tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]
]:
    """Bound ``js`` from a few feasible points: inner bounds wide enough, or exact.

    Every feasible point of the component's LP is a table an intruder cannot
    rule out, so the values a cell takes over several points span part of its
    interval: if that part is already ``need`` wide, the cell is protected
    without its own LP pair. The points are the true table (``known``, when it
    satisfies the relations; else any feasible point), then LP points that
    raise each cell not yet shown wide enough to its lowest value seen plus
    ``need`` (:meth:`_ComponentLP.raised`), spreading what the relations
    allow over as many cells as possible; a cell that some other point
    drains to its lower end is then shown wide enough too.
    """
    lo = np.full(js.size, np.inf)
    hi = np.full(js.size, -np.inf)

    def add(x: NDArray[np.float64]) -> None:
        nonlocal lo, hi
        lo = np.minimum(lo, x[js])
        hi = np.maximum(hi, x[js])

    def wide() -> NDArray[np.bool_]:
        a, b = lo, hi
        if integer:
            a = np.ceil(lo - 1e-6)
            b = np.floor(hi + 1e-6)
        return np.asarray(b - a >= need - 1e-9, dtype=bool)

    if known is not None and comp.feasible(known):
        add(known)
    else:
        start = comp.point(np.zeros(comp.n))
        if start is None:
            none = np.zeros(js.size, dtype=bool)
            return lo, hi, none, none
        add(start)
    done = wide()
    rng = np.random.default_rng(20240601)
    for _ in range(RANDOM_PAIRS):
        if done.all():
            break
        signs = rng.choice(np.asarray([-1.0, 1.0]), js.size) * ~done
        for sgn in (1.0, -1.0):
            cost = np.zeros(comp.n)
            cost[js] = sgn * signs
            found = comp.point(cost)
            if found is not None:
                add(found)
        done = wide()
    for _ in range(CERTIFY_ROUNDS):
        if done.all():
            break
        # Push the cells left up to their lowest value seen plus what they
        # need, and down when some of them have not yet been seen at their
        # lower bound; stop when a round shows few more cells wide enough.
        before = int(done.sum())
        found = comp.pushed(js, np.where(done, 0.0, lo + need + 1e-6), up=True)
        if found is not None:
            add(found)
        done = wide()
        if np.any(~done & (lo > comp.lb[js] + 1e-9)):
            found = comp.pushed(js, np.where(done, np.inf, hi - need - 1e-6), up=False)
            if found is not None:
                add(found)
            done = wide()
        if done.sum() - before < max(1.0, PUSH_MIN_GAIN * (js.size - before)):
            break
    # One LP per cell still left whose lower bound some point reached (its
    # lower end is then exact): its maximum, whose point may show other cells
    # wide enough too. The rest get both LPs from the caller.
    exact = np.zeros(js.size, dtype=bool)
    ex_hi = np.full(js.size, np.nan)
    at_floor = lo <= comp.lb[js] + 1e-9
    for i in np.flatnonzero(~done & at_floor):
        if done[i]:
            continue
        value, found = comp.maximum(int(js[i]))
        if found is not None:
            add(found)
        exact[i] = True
        ex_hi[i] = value
        done = wide()
    lo = np.where(exact, comp.lb[js], lo)
    hi = np.where(exact, ex_hi, hi)
    return lo, hi, done & ~exact, exact


def intervals(
    struct: Structure,
    lb: NDArray[np.float64],
    ub: NDArray[np.float64],
    targets: NDArray[np.int64],
    *,
    integer: bool = True,
    m: Any = None,
    required: NDArray[np.float64] | None = None,
    known: NDArray[np.float64] | None = None,
) -> Intervals:
    """Min and max of each target cell over everything published.

    Each cell lies in ``[lb, ub]`` (``lb == ub`` for an exactly published
    value, an interval for a rounded one, ``[0, inf)`` for a suppressed one);
    each relation holds exactly, or within its tolerance band. The cells are
    split into independent groups (connected components of the unpublished
    cells), and each group's LP is loaded once.

    Without ``required`` one LP pair (min, max) is solved per target. With
    it, a cheap sufficient test comes first: a few feasible points of the
    group's LP (the true table ``known`` if it fits, and LP vertices for
    objectives pushing the targets apart) span an inner part of each target's
    interval; a target whose inner part is at least ``required`` wide is
    protected, and is reported with that inner part (``exact`` False). Only
    the others get their own LP pair. The test is sound: every point it uses
    is consistent with everything published.

    Parameters
    ----------
    struct
        The relations.
    lb
        Lower bounds, one per cell.
    ub
        Upper bounds (``inf`` allowed).
    targets
        Cells to bound.
    integer
        Round the bounds inwards to whole numbers (counts are integers).
    m
        The incidence matrix, if already built.
    required
        Per target, the width that is enough (``None``: exact intervals).
    known
        Per cell, a value of every cell that may satisfy the relations (the
        true table, when the caller has it); checked before it is used.

    Returns
    -------
    Intervals
        One interval per target.
    """
    scipy_modules()
    if m is None:
        m = incidence(struct)
    free = lb < ub
    labels = components(struct, free, m)
    mcsc = m.tocsc()
    fixed_val = np.where(free, 0.0, lb)
    # Constant part of each relation from the fixed cells, and its tolerance band.
    const = m @ fixed_val
    absmax = abs(m).multiply(np.where(np.isfinite(ub), ub, lb)[None, :]).max(axis=1)
    band = (
        struct.tolerance * np.asarray(absmax.todense()).ravel()
        if struct.n_relations
        else np.zeros(0)
    )
    lo = np.empty(targets.size)
    hi = np.empty(targets.size)
    exact = np.ones(targets.size, dtype=bool)
    comp = labels[targets]
    sizes = (
        np.bincount(labels[labels >= 0])
        if (labels >= 0).any()
        else np.zeros(0, np.int64)
    )
    comp_size = np.where(comp >= 0, sizes[np.maximum(comp, 0)] if sizes.size else 0, 0)
    lps = 0
    order = np.argsort(comp, kind="stable")
    free_idx = np.flatnonzero(labels >= 0)
    by_label = free_idx[np.argsort(labels[free_idx], kind="stable")]
    sorted_labels = labels[by_label]
    # targets grouped by component: [start, end) runs of ``order``
    sorted_comp = comp[order]
    cuts = np.flatnonzero(np.diff(sorted_comp)) + 1
    for run in np.split(order, cuts) if order.size else []:
        c = int(comp[run[0]])
        if c < 0:
            lo[run] = hi[run] = lb[targets[run]]
            continue
        start, end = np.searchsorted(sorted_labels, [c, c + 1])
        cells = np.sort(by_label[start:end])
        sub = mcsc[:, cells]
        rows = np.unique(sub.nonzero()[0])
        js = np.searchsorted(cells, targets[run])
        if rows.size == 0:
            lo[run], hi[run] = lb[targets[run]], ub[targets[run]]
            continue
        lp = _ComponentLP(
            sub[rows, :].tocsr(), -const[rows], band[rows], lb[cells], ub[cells]
        )
        todo = np.ones(run.size, dtype=bool)
        if required is not None:
            ilo, ihi, inner, solved = _certify(
                lp,
                js,
                required[run],
                known[cells] if known is not None else None,
                integer,
            )
            got = inner | solved
            lo[run[got]], hi[run[got]] = ilo[got], ihi[got]
            exact[run[inner]] = False
            todo = ~got
        for pos, j in zip(run[todo], js[todo], strict=True):
            lo[pos], hi[pos] = lp.extremes(int(j))
        lps += lp.lps
    if integer:
        lo = np.ceil(lo - 1e-6) + 0.0
        hi = np.where(np.isfinite(hi), np.floor(hi + 1e-6), hi)
    return Intervals(
        cells=targets.astype(np.int64),
        lo=lo,
        hi=hi,
        component=comp.astype(np.int64),
        component_size=np.asarray(comp_size, dtype=np.int64),
        lps=lps,
        exact=exact,
    )
