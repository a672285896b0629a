"""Denoising and intervals (post-processing of noisy counts)."""

from __future__ import annotations

import numpy as np
import pytest

from opennrm.stats.estimation import (
    discrete_interval,
    dl_pmf_window,
    fit_prior,
    largest_remainder_round,
    posteriors,
    sum_posterior,
    unbiased,
)


def noisy(truth: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    p = 1 - np.exp(-1 / scale)
    return truth + rng.geometric(p, truth.shape) - rng.geometric(p, truth.shape)


def heavy_tailed_table(rng: np.random.Generator, cells: int = 72) -> np.ndarray:
    """Counts like a real cross-table: about a third empty, many small, a few very large."""
    counts = np.floor(np.exp(rng.normal(3.0, 2.5, cells))).astype(int)
    counts[rng.random(cells) < 0.3] = 0
    return counts


def types_apart_table(rng: np.random.Generator) -> np.ndarray:
    """An awkward table: 30 empty cells, 20 cells of 1–9, 22 large cells."""
    return np.concatenate([np.zeros(30, int), rng.integers(1, 10, 20), rng.integers(50, 20000, 22)])


def test_denoised_cells_are_closer_to_the_truth_than_the_raw_noisy_counts() -> None:
    rng = np.random.default_rng(3)
    raw_error = denoised_error = 0.0
    for _ in range(12):
        truth = heavy_tailed_table(rng)
        y = noisy(truth, 1.0, rng)
        raw_error += np.abs(y - truth).mean()
        denoised_error += np.abs(posteriors(y, 1.0).mean - truth).mean()
    assert denoised_error < 0.9 * raw_error


def test_estimates_are_non_negative_and_far_cells_keep_their_value() -> None:
    y = np.array([-5, -1, 0, 2, 500, 20000])
    post = posteriors(y, 1.0)
    assert (post.mean >= 0).all()
    assert post.mean[-1] == 20000 and post.mean[-2] == 500


def test_prior_finds_the_empty_cells() -> None:
    rng = np.random.default_rng(5)
    truth = heavy_tailed_table(rng, 400)
    prior = fit_prior(noisy(truth, 1.0, rng), 1.0)
    assert abs(prior.p_zero - np.mean(truth == 0)) < 0.1


def test_interval_of_the_noise_holds_about_95_percent() -> None:
    offset, pmf = dl_pmf_window(3.0)
    low, high = discrete_interval(offset, pmf)
    mass = pmf[low - offset : high - offset + 1].sum()
    assert 0.93 <= mass <= 0.97


def coverage(make, estimate, groups, runs: int, seed: int) -> float:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    inside = total = 0
    for _ in range(runs):
        truth = make(rng)
        post = estimate(noisy(truth, 1.0, rng), 1.0)
        for cells in groups(rng, truth.size):
            low, high = sum_posterior(post, cells).interval()
            inside += low <= truth[cells].sum() <= high
            total += 1
    return inside / total


def random_groups(rng: np.random.Generator, size: int) -> list[np.ndarray]:
    return [rng.choice(size, k, replace=False) for k in (2, 3, 4, 6, 12, 24, 36)]


def test_bayes_intervals_cover_about_95_percent_on_heavy_tailed_tables() -> None:
    assert 0.92 <= coverage(heavy_tailed_table, posteriors, random_groups, 40, 11) <= 0.98


def test_linear_intervals_cover_whatever_the_table() -> None:
    def by_type(rng: np.random.Generator, size: int) -> list[np.ndarray]:
        return [np.arange(0, 30), np.arange(30, 50), np.arange(0, 40), np.arange(40, 72)]

    assert 0.93 <= coverage(types_apart_table, unbiased, by_type, 150, 13) <= 0.99


@pytest.mark.parametrize("seed", range(5))
def test_rounding_keeps_the_total(seed: int) -> None:
    values = np.random.default_rng(seed).random(40) * 30
    rounded = largest_remainder_round(values)
    assert rounded.sum() == round(values.sum())
    assert np.abs(rounded - values).max() < 1
