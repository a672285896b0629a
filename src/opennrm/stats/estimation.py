"""Estimates and 95% intervals from noisy counts (post-processing: it sees only the noisy counts).

Each measured cell is ``y = x + Z`` with ``x`` the true count (a whole number ≥ 0) and ``Z`` discrete
Laplace noise of a known scale. We estimate ``x`` by its posterior mean under an *empirical-Bayes* prior
fitted to the noisy counts of the same table:

    p(0) = π₀,   p(x) ∝ (1 − π₀) · (x + a)^(−b)  for x = 1 … M

— a point mass at zero (tables of persons have many empty cells) and a smooth, heavy-tailed part (many
small cells, a few large ones). The three parameters are fitted by maximum marginal likelihood. Cells far
from zero keep their measured value (the prior is flat there); cells near zero are pulled towards the
values the table as a whole makes likely, so estimates are never negative and small cells are less noisy.
This is the classical Robbins/Efron empirical-Bayes "denoising" step; because it only uses the released
noisy counts and public parameters, the differential-privacy guarantee is unchanged.

The posterior of a sum of cells (a cell of a coarser table) is the convolution of the cells' posteriors
(exact up to ``EXACT_TERMS`` terms, otherwise a normal approximation). Its 95% interval is the equal-tailed
interval, then moved one step in if that brings the posterior mass closer to 95% (counts are whole numbers,
so an interval cannot hold exactly 95%; always rounding outwards would give about 97%).

Limits: the intervals are Bayesian; they hold about 95% of true values *on average over the cells of a
table* when the fitted prior describes the table's counts (it does for the CTDC file: 95–96% measured).
Shrinkage moves every empty cell up a little and every small cell down a little, so a sum of many cells
of one kind (for example dozens of structurally empty cells) can be biased by more than its interval
allows. ``unbiased`` is the alternative without shrinkage: noisy counts as they are, exact intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
from scipy.optimize import minimize

#: Cells whose window starts further than this many noise-scales from zero keep their measured value.
FAR_FROM_ZERO_SCALES = 40.0
#: Sums with more terms than this use a normal approximation.
EXACT_TERMS = 64
_TAIL = 30.0  # window half-width in noise scales: e^-30 of the mass is outside


def window_half_width(scale: float) -> int:
    return math.ceil(_TAIL * scale) + 2


def dl_log_pmf(z: np.ndarray, scale: float) -> np.ndarray:
    """log P(Z = z) for discrete Laplace noise, P(z) ∝ exp(−|z| / scale)."""
    t = 1.0 / scale
    return np.asarray(np.log(-np.expm1(-t)) - np.log1p(math.exp(-t)) - t * np.abs(z))


@dataclass(frozen=True)
class ZeroInflatedPowerLaw:
    """p(0) = p_zero; p(x) ∝ (1 − p_zero)(x + offset)^(−exponent), x = 1 … support_max."""

    p_zero: float
    offset: float
    exponent: float
    support_max: int
    log_norm: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "log_norm", _log_norm(self.offset, self.exponent, self.support_max))

    def log_pmf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        body = math.log1p(-self.p_zero) - self.exponent * np.log(np.maximum(x, 1) + self.offset)
        body = body - self.log_norm
        out = np.where(x == 0, math.log(self.p_zero), body)
        return np.where((x < 0) | (x > self.support_max), -np.inf, out)


def _log_norm(offset: float, exponent: float, support_max: int) -> float:
    """log Σ_{x=1..M} (x + offset)^(−exponent): exact up to 4096, midpoint integral beyond."""
    head_max = min(support_max, 4096)
    xs = np.arange(1, head_max + 1, dtype=float)
    head = np.exp(-exponent * np.log(xs + offset)).sum()
    tail = 0.0
    if support_max > head_max:
        lo, hi = head_max + 0.5 + offset, support_max + 0.5 + offset
        if abs(exponent - 1.0) < 1e-9:
            tail = math.log(hi) - math.log(lo)
        else:
            tail = (hi ** (1 - exponent) - lo ** (1 - exponent)) / (1 - exponent)
    return math.log(head + tail)


def _windows(y: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    w = window_half_width(scale)
    lo = np.maximum(y - w, 0).astype(np.int64)
    grid = lo[:, None] + np.arange(2 * w + 1, dtype=np.int64)[None, :]
    return lo, grid


def fit_prior(y: np.ndarray, scale: float) -> ZeroInflatedPowerLaw:
    """Maximum marginal likelihood fit of the prior to noisy counts ``y`` (whole numbers, may be < 0).

    The marginal of a cell near zero is the prior convolved with the noise, evaluated at its noisy count
    (a count below zero has the same likelihood shape as zero, up to a factor that does not depend on the
    prior, so it is read as zero); far from zero the prior is flat over the noise and the marginal is the
    prior itself."""
    y = np.asarray(y, dtype=np.int64)
    w = window_half_width(scale)
    support_max = int(max(int(y.max(initial=0)), 0) + w + 1)
    near = y - w <= FAR_FROM_ZERO_SCALES * scale
    y_near, y_far = np.maximum(y[near], 0), y[~near]
    top = int(y_near.max(initial=0))
    multiplicity = np.bincount(y_near, minlength=top + 1)
    seen = np.flatnonzero(multiplicity)
    xs = np.arange(0, top + w + 1)
    noise = np.exp(dl_log_pmf(np.arange(-w, w + 1), scale))

    def prior(theta: np.ndarray) -> ZeroInflatedPowerLaw:
        p_zero = 1.0 / (1.0 + math.exp(-float(np.clip(theta[0], -30, 30))))
        p_zero = min(max(p_zero, 1e-9), 1 - 1e-9)
        return ZeroInflatedPowerLaw(
            p_zero,
            math.exp(float(np.clip(theta[1], -10, 10))),
            float(np.clip(theta[2], 0.0, 6.0)),
            support_max,
        )

    def negative_log_likelihood(theta: np.ndarray) -> float:
        p = prior(theta)
        total = 0.0
        if y_near.size:
            marginal = np.convolve(np.exp(p.log_pmf(xs)), noise)[seen + w]
            total += float((multiplicity[seen] * np.log(np.maximum(marginal, 1e-300))).sum())
        if y_far.size:
            total += float(p.log_pmf(np.minimum(y_far, support_max)).sum())
        return -total if math.isfinite(total) else 1e300

    best = None
    start_zero = float(np.clip(np.mean(y <= 0) * 2, 0.02, 0.98))
    for b0 in (0.5, 1.0, 1.5):
        x0 = np.array([math.log(start_zero / (1 - start_zero)), 0.0, b0])
        result = minimize(
            negative_log_likelihood,
            x0,
            method="Nelder-Mead",
            options={"maxiter": 400, "xatol": 1e-3, "fatol": 1e-4},
        )
        if best is None or result.fun < best.fun:
            best = result
    if best is None:  # pragma: no cover - the loop always runs
        raise RuntimeError("prior fit did not run")
    return prior(best.x)


@dataclass(frozen=True)
class CellPosteriors:
    """Posterior of every cell of one measured table.

    ``mean``/``var`` cover all cells; ``pmf`` holds the explicit posterior (from ``lo``) of cells near
    zero. Cells far from zero have the noise distribution itself, centred on the measured value.
    """

    scale: float
    measured: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    lo: np.ndarray
    pmf: dict[int, np.ndarray]


def posteriors(y: np.ndarray, scale: float, prior: ZeroInflatedPowerLaw | None = None) -> CellPosteriors:
    """Posterior mean, variance and (near zero) the full posterior of each cell."""
    y = np.asarray(y, dtype=np.int64)
    prior = prior or fit_prior(y, scale)
    mean = y.astype(float)
    noise_var = dl_variance(scale)
    var = np.full(y.shape, noise_var, dtype=float)
    lo_all = y - window_half_width(scale)
    near = np.flatnonzero(y - window_half_width(scale) <= FAR_FROM_ZERO_SCALES * scale)
    pmf: dict[int, np.ndarray] = {}
    if near.size:
        lo, grid = _windows(y[near], scale)
        joint = dl_log_pmf(y[near][:, None] - grid, scale) + prior.log_pmf(grid)
        joint -= joint.max(axis=1, keepdims=True)
        post = np.exp(joint)
        post /= post.sum(axis=1, keepdims=True)
        m = (post * grid).sum(axis=1)
        v = (post * (grid - m[:, None]) ** 2).sum(axis=1)
        mean[near], var[near], lo_all[near] = m, v, lo
        for k, i in enumerate(near):
            keep = np.flatnonzero(post[k] > 1e-15)
            start, stop = int(keep[0]), int(keep[-1]) + 1
            pmf[int(i)] = post[k, start:stop]
            lo_all[i] = lo[k] + start
    return CellPosteriors(scale=scale, measured=y, mean=mean, var=var, lo=lo_all, pmf=pmf)


def unbiased(y: np.ndarray, scale: float) -> CellPosteriors:
    """The "linear" alternative: each cell is its noisy count (unbiased, may be negative); intervals are the
    exact noise distribution. Less accurate than ``posteriors`` but its intervals hold whatever the table."""
    y = np.asarray(y, dtype=np.int64)
    return CellPosteriors(
        scale=scale,
        measured=y,
        mean=y.astype(float),
        var=np.full(y.shape, dl_variance(scale), dtype=float),
        lo=y - window_half_width(scale),
        pmf={},
    )


def dl_variance(scale: float) -> float:
    a = math.exp(-1.0 / scale)
    return 2 * a / (1 - a) ** 2


def dl_pmf_window(scale: float) -> tuple[int, np.ndarray]:
    """The noise distribution on −W … W (offset −W)."""
    w = window_half_width(scale)
    z = np.arange(-w, w + 1)
    p = np.exp(dl_log_pmf(z, scale))
    return -w, p / p.sum()


@dataclass(frozen=True)
class SumPosterior:
    """Posterior of a sum of cells: exact (``offset``, ``pmf``) or normal (``mean``, ``var``)."""

    mean: float
    var: float
    offset: int | None = None
    pmf: np.ndarray | None = None

    def interval(self, level: float = 0.95) -> tuple[int, int]:
        if self.pmf is None or self.offset is None:
            z = _normal_quantile(0.5 + level / 2)
            sd = math.sqrt(max(self.var, 0.0))
            return max(0, round(self.mean - z * sd)), max(0, round(self.mean + z * sd))
        return discrete_interval(self.offset, self.pmf, level)


def _normal_quantile(p: float) -> float:
    return NormalDist().inv_cdf(p)


def discrete_interval(offset: int, pmf: np.ndarray, level: float = 0.95) -> tuple[int, int]:
    """Equal-tailed interval of a distribution on whole numbers, moved in by one step where that brings
    its mass closer to ``level``."""
    cdf = np.cumsum(pmf)
    tail = (1 - level) / 2
    lo = int(np.searchsorted(cdf, tail * (1 + 1e-12)))
    hi = min(int(np.searchsorted(cdf, 1 - tail * (1 + 1e-12))), len(pmf) - 1)

    def mass(a: int, b: int) -> float:
        return float(cdf[b] - (cdf[a - 1] if a > 0 else 0.0))

    candidates = [(lo, hi), (lo + 1, hi), (lo, hi - 1)]
    candidates = [(a, b) for a, b in candidates if a <= b]
    best = min(candidates, key=lambda ab: (abs(mass(*ab) - level), -(ab[1] - ab[0])))
    return offset + best[0], offset + best[1]


def sum_posterior(post: CellPosteriors, cells: np.ndarray, shift: float = 0.0) -> SumPosterior:
    """Posterior of the sum of ``cells`` (positions in the measured table), treating cells as independent."""
    cells = np.asarray(cells, dtype=np.int64)
    mean = float(post.mean[cells].sum()) + shift
    var = float(post.var[cells].sum())
    if cells.size > EXACT_TERMS:
        return SumPosterior(mean, var)
    offset = 0
    parts: list[np.ndarray] = []
    noise_offset, noise = dl_pmf_window(post.scale)
    far = 0
    for i in cells.tolist():
        explicit = post.pmf.get(i)
        if explicit is None:
            far += 1
            offset += int(post.measured[i]) + noise_offset
        else:
            parts.append(explicit)
            offset += int(post.lo[i])
    dist = _convolve_all(parts, noise, far)
    return SumPosterior(mean, var, offset + round(shift), dist)


def _convolve_all(parts: list[np.ndarray], noise: np.ndarray, noise_terms: int) -> np.ndarray:
    """The distribution of a sum of independent terms: ``parts`` and ``noise_terms`` copies of ``noise``
    (all on whole numbers, each from its own offset). Direct for a few short terms, by FFT otherwise."""
    length = sum(len(p) - 1 for p in parts) + noise_terms * (len(noise) - 1) + 1
    if len(parts) + noise_terms <= 2 or length <= 64:
        dist = np.ones(1)
        for p in [*parts, *([noise] * noise_terms)]:
            dist = np.convolve(dist, p)
    else:
        size = 1 << (length - 1).bit_length()
        spectrum = np.ones(size // 2 + 1, dtype=complex)
        for p in parts:
            spectrum *= np.fft.rfft(p, size)
        if noise_terms:
            spectrum *= np.fft.rfft(noise, size) ** noise_terms
        dist = np.fft.irfft(spectrum, size)[:length]
    dist = np.clip(dist, 0, None)
    return np.asarray(dist / dist.sum())


def largest_remainder_round(values: np.ndarray, total: int | None = None) -> np.ndarray:
    """Whole numbers close to ``values`` that add up to ``total`` (default: the rounded sum)."""
    flat = np.asarray(values, dtype=float).ravel()
    target = round(float(flat.sum())) if total is None else total
    floors = np.floor(flat)
    missing = int(target - floors.sum())
    order = np.argsort(-(flat - floors), kind="stable")
    out = floors.copy()
    if missing > 0:
        out[order[:missing]] += 1
    elif missing < 0:
        out[order[::-1][:-missing]] -= 1
    return np.asarray(out.astype(np.int64).reshape(np.shape(values)))
