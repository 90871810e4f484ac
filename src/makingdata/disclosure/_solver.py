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
    from collections.abc import Callable

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
    """

    cells: NDArray[np.int64]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    component: NDArray[np.int64]
    component_size: NDArray[np.int64]
    lps: int


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


def _component_solver(
    a: Any,
    rhs: NDArray[np.float64],
    band: NDArray[np.float64],
    lb: NDArray[np.float64],
    ub: NDArray[np.float64],
) -> Callable[[int], tuple[float, float]]:
    """Return ``f(j) -> (min, max)`` of variable ``j`` over one component's LP.

    With ``highspy`` the model is loaded once and re-solved with a new
    objective (warm start); otherwise :func:`scipy.optimize.linprog` is called.
    """
    hs = _highspy()
    if hs is not None:
        h = _new_highs(hs)
        inf = hs.kHighsInf
        csc = a.tocsc()
        lp = hs.HighsLp()
        lp.num_col_ = int(csc.shape[1])
        lp.num_row_ = int(csc.shape[0])
        lp.col_cost_ = np.zeros(lp.num_col_)
        lp.col_lower_ = np.asarray(lb, dtype=np.float64)
        lp.col_upper_ = np.where(np.isinf(ub), inf, ub)
        lp.row_lower_ = rhs - band
        lp.row_upper_ = rhs + band
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr
        lp.a_matrix_.index_ = csc.indices
        lp.a_matrix_.value_ = csc.data
        h.passModel(lp)
        optimal = hs.HighsModelStatus.kOptimal
        unbounded = hs.HighsModelStatus.kUnbounded

        def solve_highs(j: int) -> tuple[float, float]:
            out = []
            h.changeColCost(j, 1.0)
            for sense in (hs.ObjSense.kMinimize, hs.ObjSense.kMaximize):
                h.changeObjectiveSense(sense)
                h.run()
                status = h.getModelStatus()
                if status == optimal:
                    out.append(float(h.getInfo().objective_function_value))
                elif status == unbounded:
                    out.append(
                        math.inf if sense == hs.ObjSense.kMaximize else float(lb[j])
                    )
                else:
                    out.append(math.nan)
            h.changeColCost(j, 0.0)
            return out[0], out[1]

        return solve_highs
    opt, sp, _ = scipy_modules()
    bounds = list(zip(lb, [None if math.isinf(u) else u for u in ub], strict=True))
    if np.any(band > 0):
        kw: dict[str, Any] = {
            "A_ub": sp.vstack([a, -a]).tocsr(),
            "b_ub": np.concatenate([rhs + band, -(rhs - band)]),
        }
    else:
        kw = {"A_eq": a, "b_eq": rhs}

    def solve_linprog(j: int) -> tuple[float, float]:
        obj = np.zeros(a.shape[1])
        obj[j] = 1.0
        res_lo = opt.linprog(obj, bounds=bounds, method="highs", **kw)
        res_hi = opt.linprog(-obj, bounds=bounds, method="highs", **kw)
        lo = res_lo.fun if res_lo.status == 0 else math.nan
        hi = (
            -res_hi.fun
            if res_hi.status == 0
            else (math.inf if res_hi.status == 3 else math.nan)
        )
        return float(lo), float(hi)

    return solve_linprog


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


def intervals(  # noqa: PLR0915 - one LP pair per target
    struct: Structure,
    lb: NDArray[np.float64],
    ub: NDArray[np.float64],
    targets: NDArray[np.int64],
    *,
    integer: bool = True,
    m: Any = None,
) -> Intervals:
    """Min and max of each target cell over everything published.

    Each cell lies in ``[lb, ub]`` (``lb == ub`` for an exactly published
    value, an interval for a rounded one, ``[0, inf)`` for a suppressed one);
    each relation holds exactly, or within its tolerance band. The cells are
    split into independent groups and one small LP pair is solved per target.

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
    cache: dict[int, tuple[Any, NDArray[np.int64], Any, Any, Any, Any]] = {}
    solvers: dict[int, Any] = {}
    for pos in order:
        cell = int(targets[pos])
        c = int(comp[pos])
        if c < 0:
            lo[pos] = hi[pos] = lb[cell]
            continue
        if c not in cache:
            cache.clear()
            start, end = np.searchsorted(sorted_labels, [c, c + 1])
            cells = np.sort(by_label[start:end])
            sub = mcsc[:, cells]
            rows = np.unique(sub.nonzero()[0])
            a = sub[rows, :].tocsr()
            rhs = -const[rows]
            bd = band[rows]
            bounds = list(
                zip(
                    lb[cells],
                    [None if math.isinf(u) else u for u in ub[cells]],
                    strict=True,
                )
            )
            cache[c] = (a, cells, rhs, bd, bounds, rows)
        a, cells, rhs, bd, bounds, rows = cache[c]
        j = int(np.searchsorted(cells, cell))
        if rows.size == 0:
            lo[pos], hi[pos] = lb[cell], ub[cell]
            continue
        if c not in solvers:
            solvers.clear()
            solvers[c] = _component_solver(a, rhs, bd, lb[cells], ub[cells])
        lo[pos], hi[pos] = solvers[c](j)
        lps += 2
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
    )
