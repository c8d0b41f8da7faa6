import math

import pytest
import torch
from mmcv.ops import box_iou_rotated
from mmdet.models.task_modules import MaxIoUAssigner
from mmengine.structures import InstanceData
from mmrotate.models.task_modules.assigners import RBboxOverlaps2D
from mmrotate.structures.bbox import RotatedBoxes

from mmrot_ext.models.task_modules import SparseRBboxOverlaps2D
from mmrot_ext.structures import rbox_iou_upper_bound, sparse_rbox_overlaps


def random_rboxes(n, seed, thin=False):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g) * 120
    w = torch.rand(n, 1, generator=g) * 80 + 4
    h = (torch.rand(n, 1, generator=g) * (6 if thin else 60)) + 1
    t = (torch.rand(n, 1, generator=g) - 0.5) * 2 * math.pi
    return torch.cat([xy, w, h, t], dim=1)


@pytest.mark.parametrize('thin', [False, True])
def test_upper_bound_is_never_below_the_iou(thin):
    a, b = random_rboxes(300, 0, thin), random_rboxes(200, 1, thin)
    iou = box_iou_rotated(a, b)
    bound = rbox_iou_upper_bound(a, b)
    assert (bound >= iou - 1e-5).all()
    # and it is informative: most far or crossing pairs are bounded low
    assert (bound < 0.3).float().mean() > 0.5


@pytest.mark.parametrize('mode', ['iou', 'iof'])
def test_sparse_overlaps_equal_mmcv(mode):
    a, b = random_rboxes(400, 2), random_rboxes(30, 3, thin=True)
    assert torch.allclose(sparse_rbox_overlaps(a, b, mode),
                          box_iou_rotated(a, b, mode), atol=1e-4)


def test_pruning_keeps_every_value_above_the_threshold():
    a, b = random_rboxes(400, 4), random_rboxes(40, 5)
    exact = box_iou_rotated(a, b)
    pruned = sparse_rbox_overlaps(a, b, prune_below=0.3)
    high = exact >= 0.3
    assert torch.allclose(pruned[high], exact[high], atol=1e-4)
    assert ((pruned == 0) | torch.isclose(pruned, exact, atol=1e-4)).all()


def test_rpn_assignment_is_unchanged_by_pruning():
    anchors = RotatedBoxes(random_rboxes(3000, 6))
    gts = random_rboxes(12, 7, thin=True)
    gt = InstanceData(bboxes=RotatedBoxes(gts),
                      labels=torch.zeros(12, dtype=torch.long))
    results = []
    for calculator in (RBboxOverlaps2D(),
                       SparseRBboxOverlaps2D(prune_below=0.3)):
        assigner = MaxIoUAssigner(pos_iou_thr=0.7, neg_iou_thr=0.3,
                                  min_pos_iou=0.3, match_low_quality=True,
                                  ignore_iof_thr=-1)
        assigner.iou_calculator = calculator
        results.append(assigner.assign(InstanceData(priors=anchors), gt))
    assert torch.equal(results[0].gt_inds, results[1].gt_inds)
    assert (results[0].gt_inds > 0).sum() > 0
