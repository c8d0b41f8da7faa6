"""Double-pick simulation, pickable area and ROC AUC on hand-worked cases."""
import itertools

import numpy as np
import pytest

from mmrot_ext.evaluation.picking_metrics import (
    double_pick_counts,
    double_pick_rate,
    roc_auc,
)


def rect(y0, y1, x0, x1, shape=(40, 40)):
    mask = np.zeros(shape, bool)
    mask[y0:y1, x0:x1] = True
    return mask


GT = np.stack([rect(0, 20, 0, 10), rect(0, 20, 10, 20)])  # touching


def test_merged_prediction_double_picks_near_the_seam():
    merged = (GT[0] | GT[1])[None]
    d, n = double_pick_counts(merged, GT, radius=2, num_samples=None)
    # disc (5x5 ellipse) inside the 20x20 mask: centres rows/cols 2..17;
    # touching both GT: cols 8..11
    assert (d, n) == (16 * 4, 16 * 16)


def test_exact_predictions_never_double_pick():
    d, n = double_pick_counts(GT, GT, radius=2, num_samples=None)
    assert d == 0 and n == 16 * 6 * 2


def test_random_footprints_estimate_the_exact_rate():
    merged = (GT[0] | GT[1])[None]
    d, n = double_pick_counts(merged, GT, radius=2, num_samples=20000,
                              rng=np.random.default_rng(1))
    assert d / n == pytest.approx(0.25, abs=0.03)


def test_rate_and_pickable_area_over_images():
    merged = (GT[0] | GT[1])[None]
    half = GT[:1]
    out = double_pick_rate([(merged, GT), (half, GT)], radius=2,
                           num_samples=None)
    assert out['D'] == 64 and out['N'] == 256 + 96
    assert out['double_pick_rate'] == pytest.approx(64 / 352)
    assert out['pickable_area'] == pytest.approx((400 + 200) / 800)
    empty = double_pick_rate([(np.zeros((0, 40, 40), bool), GT)])
    assert np.isnan(empty['double_pick_rate'])
    assert empty['pickable_area'] == 0


def test_roc_auc_hand_values():
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    assert roc_auc([0.5, 0.5], [1, 0]) == 0.5
    assert roc_auc([0.9, 0.1], [1, 0]) == 1.0
    assert np.isnan(roc_auc([0.9, 0.1], [1, 1]))


def test_roc_auc_equals_pair_counting():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 10, 60) / 10  # many ties
    labels = rng.random(60) < 0.4
    pos, neg = scores[labels], scores[~labels]
    wins = sum(1.0 if p > q else 0.5 if p == q else 0.0
               for p, q in itertools.product(pos, neg))
    assert roc_auc(scores, labels) == pytest.approx(wins / (len(pos) *
                                                            len(neg)))
