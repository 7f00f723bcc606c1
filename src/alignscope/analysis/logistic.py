"""Logistic regression with soft labels, many fits at once (numpy): Newton, proximal Newton for L1, Wald CIs.

Each problem b minimises ``sum_i w_bi * CE(y_bi, sigmoid(x_bi . beta_b)) + l2_b/2 |beta_b|^2 + l1_b
|beta_b|_1`` where ``CE`` is the cross-entropy against a label ``y`` in [0, 1] (a soft label: ties are 0.5).
The design ``X`` is either shared by every problem, shape (n, d), or per problem, shape (B, n, d); labels and
weights are (n,) or (B, n). Bootstraps (same rows, resampled weights) and per-model fits (one design each) are
both one call. Without L1 each iteration is a damped Newton step; with L1 the step solves the penalised
quadratic model by coordinate descent (proximal Newton, as glmnet does), which suits small ``d``. A sparse
design is kept sparse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.special import expit

MAX_HALVINGS = 40
CD_SWEEPS = 50
REPACK_BELOW = 0.5
REPACK_MAX_BYTES = 2**28


@dataclass(frozen=True)
class _Problem:
    """Inputs of G groups of R fits each; the fits of a group share the design ``X[g]``.

    A sparse design (scipy CSR, one group) keeps its row-wise outer products sparse too, which is what makes
    designs with a few non-zeros per row (Bradley-Terry: +1, -1 and some covariates) cheap.
    """

    X: np.ndarray | sparse.csr_matrix  # (G, n, d), or CSR (n, d) with G = 1
    outer: np.ndarray | sparse.csr_matrix  # (G, n, d*d) row-wise outer products of X, or CSR (n, d*d)
    y: np.ndarray  # (G, R, n)
    w: np.ndarray  # (G, R, n)
    l1: np.ndarray  # (G, R)
    l2: np.ndarray  # (G, R)

    @property
    def d(self) -> int:
        return self.X.shape[-1]

    def eta(self, beta: np.ndarray) -> np.ndarray:
        if sparse.issparse(self.X):
            return (self.X @ beta[0].T).T[None]
        return np.matmul(beta, self.X.transpose(0, 2, 1))

    def xt(self, v: np.ndarray) -> np.ndarray:
        """Per fit X^T v for v of shape (G, R, n)."""
        if sparse.issparse(self.X):
            return (self.X.T @ v[0].T).T[None]
        return np.matmul(v, self.X)

    def xtx(self, v: np.ndarray) -> np.ndarray:
        """Per fit X^T diag(v) X, shape (G, R, d, d)."""
        G, R, _ = v.shape
        flat = (self.outer.T @ v[0].T).T[None] if sparse.issparse(self.outer) else np.matmul(v, self.outer)
        return flat.reshape(G, R, self.d, self.d)

    def evaluate(self, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fitted probabilities (G, R, n) and penalised objective (G, R) at ``beta``, sharing one exp."""
        eta = self.eta(beta)
        e = np.exp(-np.abs(eta))
        mu = np.where(eta >= 0, 1.0, e) / (1.0 + e)
        loss = np.einsum("grn,grn->gr", self.w, np.maximum(eta, 0.0) + np.log1p(e) - self.y * eta)
        penalty = 0.5 * self.l2 * np.einsum("grd,grd->gr", beta, beta) + self.l1 * np.abs(beta).sum(axis=-1)
        return mu, loss + penalty


def _outer_rows(X: np.ndarray | sparse.spmatrix) -> np.ndarray | sparse.csr_matrix:
    """Row-wise outer products x_i x_i^T flattened to d*d columns (sparse in, sparse out)."""
    if sparse.issparse(X):
        coo = X.tocoo()
        order = np.argsort(coo.row, kind="stable")
        rows, cols, vals = coo.row[order], coo.col[order], coo.data[order]
        starts = np.searchsorted(rows, np.arange(X.shape[0] + 1))
        sizes = np.diff(starts)
        # every (j, k) pair of non-zeros within a row
        pair_rows = np.repeat(np.arange(X.shape[0]), sizes**2)
        first = np.repeat(starts[:-1], sizes**2) + _within_offsets(sizes, major=True)
        second = np.repeat(starts[:-1], sizes**2) + _within_offsets(sizes, major=False)
        d = X.shape[1]
        return sparse.csr_matrix(
            (vals[first] * vals[second], (pair_rows, cols[first] * d + cols[second])),
            shape=(X.shape[0], d * d),
        )
    return (X[..., :, None] * X[..., None, :]).reshape(*X.shape[:-1], X.shape[-1] ** 2)


def _within_offsets(sizes: np.ndarray, *, major: bool) -> np.ndarray:
    """For rows with ``sizes`` non-zeros, the (j or k) offset of each of the size**2 pairs, row by row."""
    parts = [np.repeat(np.arange(s), s) if major else np.tile(np.arange(s), s) for s in np.unique(sizes)]
    lookup = dict(zip(np.unique(sizes).tolist(), parts, strict=True))
    return np.concatenate([lookup[s] for s in sizes.tolist()]) if len(sizes) else np.zeros(0, dtype=int)


def _problem(X, y, weight, l1, l2) -> tuple[_Problem, tuple[int, ...]]:
    """Arrange the inputs as G groups of R fits; also return the shape of the batch as the caller gave it."""
    is_sparse = sparse.issparse(X)
    X = sparse.csr_matrix(X, dtype=float) if is_sparse else np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape[-2:]
    w = np.ones(n) if weight is None else np.asarray(weight, dtype=float)
    if X.ndim == 3 and max(y.ndim, w.ndim) == 3:  # grouped: X (G, n, d), labels/weights (G, R, n)
        G = X.shape[0]
        R = max(a.shape[1] for a in (y, w) if a.ndim == 3)
        batch: tuple[int, ...] = (G, R)
    else:
        sizes = [a.shape[0] for a in (y, w) if a.ndim == 2] + [len(p) for p in (l1, l2) if np.ndim(p) == 1]
        if X.ndim == 3:
            sizes.append(X.shape[0])
        B = max(sizes, default=1)
        if any(s not in (1, B) for s in sizes):
            raise ValueError(f"inconsistent batch sizes {sizes}")
        batch = (B,) if sizes else ()
        G, R = (B, 1) if X.ndim == 3 else (1, B)
        y = y.reshape(G, R, n) if y.ndim == 2 else y
        w = w.reshape(G, R, n) if w.ndim == 2 else w
    Xg = X if is_sparse or X.ndim == 3 and X.shape[0] == G else np.broadcast_to(X, (G, n, d))
    return (
        _Problem(
            X=Xg,
            outer=_outer_rows(Xg),
            y=np.broadcast_to(y, (G, R, n)),
            w=np.broadcast_to(w, (G, R, n)),
            l1=np.broadcast_to(np.asarray(l1, dtype=float).reshape(-1), (G * R,)).reshape(G, R),
            l2=np.broadcast_to(np.asarray(l2, dtype=float).reshape(-1), (G * R,)).reshape(G, R),
        ),
        batch,
    )


def _prox_quadratic(beta, grad, hess, l1) -> np.ndarray:
    """argmin_z grad.(z-beta) + (z-beta)^T hess (z-beta)/2 + l1 |z|_1, by coordinate descent (batched)."""
    z = beta.copy()
    diag = np.maximum(np.einsum("...ii->...i", hess), 1e-12)
    for _ in range(CD_SWEEPS):
        z_old = z.copy()
        for j in range(z.shape[-1]):
            partial = grad[..., j] + np.einsum("...k,...k->...", hess[..., j, :], z - beta)
            u = z[..., j] - partial / diag[..., j]
            z[..., j] = np.sign(u) * np.maximum(np.abs(u) - l1 / diag[..., j], 0.0)
        if np.max(np.abs(z - z_old), initial=0.0) < 1e-12:
            break
    return z


def _subproblem(prob: _Problem, active: np.ndarray) -> _Problem | None:
    """The still-active fits alone: a shared design keeps being shared, otherwise each fit takes a copy of its
    group's design (None when those copies would be too large to be worth it)."""
    if sparse.issparse(prob.X) or prob.X.shape[0] == 1:
        r = np.flatnonzero(active[0])
        return _Problem(prob.X, prob.outer, prob.y[:, r], prob.w[:, r], prob.l1[:, r], prob.l2[:, r])
    g, r = np.nonzero(active)
    if len(g) * prob.outer[0].nbytes > REPACK_MAX_BYTES:
        return None
    return _Problem(
        X=prob.X[g],
        outer=prob.outer[g],
        y=prob.y[g, r][:, None],
        w=prob.w[g, r][:, None],
        l1=prob.l1[g, r][:, None],
        l2=prob.l2[g, r][:, None],
    )


def _newton(prob: _Problem, beta: np.ndarray, max_iter: int, tol: float) -> np.ndarray:
    """Damped (proximal) Newton from ``beta``; once most fits have converged the rest continue on their
    own."""
    G, R, d = beta.shape
    use_l1 = bool(np.any(prob.l1 > 0))
    eye = np.eye(d)
    mu, f = prob.evaluate(beta)
    active = np.ones((G, R), dtype=bool)
    for it in range(max_iter):
        grad = prob.xt(prob.w * (mu - prob.y)) + prob.l2[..., None] * beta
        hess = prob.xtx(prob.w * mu * (1.0 - mu))
        hess = hess + (prob.l2 + 1e-10 * (1.0 + np.einsum("grii->gr", hess)))[..., None, None] * eye
        if use_l1:
            target = _prox_quadratic(beta, grad, hess, prob.l1)
        else:
            target = beta - np.linalg.solve(hess, grad[..., None])[..., 0]
        step = np.where(active[..., None], target - beta, 0.0)
        t = np.ones((G, R))
        new_beta = beta + step
        new_mu, new_f = prob.evaluate(new_beta)
        for _ in range(MAX_HALVINGS):
            worse = new_f > f + 1e-12 * np.abs(f)
            if not worse.any():
                break
            t[worse] *= 0.5
            new_beta[worse] = beta[worse] + t[worse, None] * step[worse]
            retry_mu, retry_f = prob.evaluate(new_beta)
            new_mu[worse], new_f[worse] = retry_mu[worse], retry_f[worse]
        worse = new_f > f + 1e-12 * np.abs(f)
        new_beta[worse], new_f[worse], new_mu[worse] = beta[worse], f[worse], mu[worse]
        change = np.max(np.abs(new_beta - beta) / (1.0 + np.abs(beta)), axis=-1)
        beta, f, mu = new_beta, new_f, new_mu
        active &= change > tol
        if not active.any():
            break
        if active.mean() < REPACK_BELOW and active.size > 1:
            sub = _subproblem(prob, active)
            if sub is not None:
                start = beta[active].reshape(sub.y.shape[0], sub.y.shape[1], d)
                beta[active] = _newton(sub, start, max_iter - it - 1, tol).reshape(-1, d)
                break
    return beta


def fit_logistic(
    X: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    l1: float | np.ndarray = 0.0,
    l2: float | np.ndarray = 0.0,
    max_iter: int = 100,
    tol: float = 1e-9,
) -> np.ndarray:
    """Coefficients of every fit in the batch.

    Shapes: ``X`` (n, d) shared, with ``y``/``weight`` (n,) or (B, n) -> (d,) or (B, d); ``X`` (B, n, d) per
    fit, ``y``/``weight`` (B, n) -> (B, d); ``X`` (G, n, d) with ``y``/``weight`` (G, R, n): R fits sharing
    each design -> (G, R, d). ``l1`` and ``l2`` are scalars or one value per fit (flattened in the same
    order).
    """
    prob, batch = _problem(X, y, weight, l1, l2)
    G, R, _ = prob.y.shape
    beta = _newton(prob, np.zeros((G, R, prob.d)), max_iter, tol)
    return beta.reshape(*batch, prob.d)


def sandwich_covariance(
    X: np.ndarray,
    y: np.ndarray,
    beta: np.ndarray,
    weight: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
) -> np.ndarray:
    """Robust (sandwich) covariance of an unpenalised fit; ``clusters`` sums the scores per cluster first.

    Valid for soft labels, where the model-based inverse information is not. With fewer than two clusters
    (e.g. every judgment on one prompt) the scores sum to zero, so rows are their own clusters instead.
    """
    X = np.asarray(X, dtype=float)
    w = np.ones(len(X)) if weight is None else np.asarray(weight, dtype=float)
    mu = expit(X @ beta)
    bread = np.linalg.pinv((X * (w * mu * (1.0 - mu))[:, None]).T @ X)
    scores = X * (w * (np.asarray(y, dtype=float) - mu))[:, None]
    n_groups = len(X)
    codes, uniques = _codes(clusters) if clusters is not None else (None, [])
    if codes is not None and len(uniques) > 1:
        n_groups = len(uniques)
        membership = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))))
        scores = membership @ scores
    meat = scores.T @ scores
    correction = n_groups / max(n_groups - 1, 1)
    return correction * bread @ meat @ bread


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(pd.Series(np.asarray(values)))
    return codes, np.asarray(uniques)


def wald_interval(estimate: np.ndarray, se: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided normal interval ``estimate -/+ z * se``."""
    z = stats.norm.ppf(0.5 + level / 2.0)
    return estimate - z * se, estimate + z * se
