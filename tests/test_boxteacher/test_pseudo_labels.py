"""Mask-aware confidence, greedy GT matching and pseudo-mask assignment on
hand-made cases."""
import pytest
import torch

from projects.BoxTeacher.boxteacher import (assign_pseudo_masks, box_masks,
                                            greedy_box_matching,
                                            mask_aware_confidence)


def test_mask_aware_confidence_equals_the_formula():
    masks = torch.tensor([[[0.9, 0.8], [0.3, 0.0]],
                          [[0.2, 0.1], [0.4, 0.3]]])
    p = torch.tensor([0.64, 0.81])
    rank, weight = mask_aware_confidence(masks, p)
    q0 = (0.9 + 0.8) / (2 + 1e-6)  # mean probability inside m > 0.5
    assert rank[0].item() == pytest.approx((0.64 * q0)**0.5, rel=1e-6)
    assert weight[0].item() == pytest.approx(0.64**0.25 * q0**0.5, rel=1e-6)
    # nothing above 0.5: q = 0, so neither ranking nor weight trusts it
    assert rank[1].item() == 0 and weight[1].item() == 0


def boxes(*rows):
    return torch.tensor(rows, dtype=torch.float)


def test_higher_scored_prediction_takes_the_box():
    gt = boxes([0, 0, 10, 10])
    preds = boxes([0, 0, 10, 9], [0, 0, 10, 10])
    matched = greedy_box_matching(preds, torch.tensor([0.9, 0.5]), gt)
    # prediction 1 overlaps more, but prediction 0 is visited first
    assert matched.tolist() == [0]


def test_a_taken_box_is_not_matched_again():
    """The original checked gtm[j] > 0, so a GT taken by prediction 0
    could be taken again; here prediction 1 falls back to its next box."""
    gt = boxes([0, 0, 10, 10], [0, 0, 10, 14])
    preds = boxes([0, 0, 10, 10], [0, 0, 10, 11])
    matched = greedy_box_matching(preds, torch.tensor([0.9, 0.8]), gt)
    assert matched.tolist() == [0, 1]


def test_low_iou_and_low_score_stay_unmatched():
    gt = boxes([0, 0, 10, 10], [50, 50, 60, 60])
    preds = boxes([0, 0, 10, 4], [50, 50, 60, 60])  # IoU 0.4, 1.0
    assert greedy_box_matching(preds, torch.tensor([0.9, 0.8]),
                               gt).tolist() == [-1, 1]
    assert greedy_box_matching(preds, torch.tensor([0.9, 0.1]), gt,
                               score_thr=0.2).tolist() == [-1, -1]


def test_matching_ignores_classes_and_handles_empty_inputs():
    # class-agnostic: the function never sees labels; empty sides give -1
    assert greedy_box_matching(boxes([0, 0, 4, 4]), torch.ones(1),
                               torch.zeros((0, 4))).tolist() == []
    assert greedy_box_matching(torch.zeros((0, 4)), torch.zeros(0),
                               boxes([0, 0, 4, 4])).tolist() == [-1]


def test_box_masks_follow_the_boxinst_pixel_convention():
    mask = box_masks(boxes([1.5, 2.0, 3.9, 4.0]), 6, 6)[0]
    expected = torch.zeros(6, 6)
    expected[2:5, 1:4] = 1  # rows floor(y1)..floor(y2), same for columns
    assert torch.equal(mask, expected)


def test_pseudo_masks_are_clipped_to_their_box_and_weighted():
    soft = torch.zeros((2, 8, 8))
    soft[0, 1:7, 1:7] = 0.9  # spills outside GT 0's box
    soft[1, 0:2, 6:8] = 0.3  # below the mask threshold everywhere
    preds = boxes([2, 2, 5, 6], [6, 0, 7, 1])  # IoU 0.75 and 1 with GT
    gt = boxes([2, 2, 5, 5], [6, 0, 7, 1], [0, 6, 1, 7])
    masks, weights = assign_pseudo_masks(preds, torch.tensor([0.81, 0.5]),
                                         soft, gt)
    expected = torch.zeros(8, 8)
    expected[2:6, 2:6] = 1  # predicted 1..6 clipped to the box 2..5
    assert torch.equal(masks[0], expected)
    assert weights[0].item() == pytest.approx(0.81**0.25 * 0.9**0.5,
                                              rel=1e-5)
    # GT 1: matched, but its mask is empty -> q = 0 -> weight 0
    assert weights[1].item() == 0 and masks[1].sum() == 0
    # GT 2: no prediction overlaps -> box supervision only
    assert weights[2].item() == 0 and masks[2].sum() == 0


@pytest.mark.parametrize('num_pred,num_gt', [(0, 3), (2, 0), (0, 0)])
def test_empty_predictions_or_ground_truth(num_pred, num_gt):
    masks, weights = assign_pseudo_masks(
        torch.rand(num_pred, 4) * 4 + boxes([0, 0, 5, 5]),
        torch.rand(num_pred), torch.rand(num_pred, 8, 8),
        torch.rand(num_gt, 4) * 4 + boxes([0, 0, 5, 5]))
    assert masks.shape == (num_gt, 8, 8) and weights.shape == (num_gt, )
    assert not weights.any()
