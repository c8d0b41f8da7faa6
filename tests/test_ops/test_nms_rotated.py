import math

import pytest
import torch
from mmcv.ops import batched_nms, nms_rotated

from mmrot_ext.ops import fast_nms_rotated, resolve_nms_cfg


def clustered_rboxes(n, generator):
    """Proposal-like boxes: jittered copies around a few objects."""
    centres = torch.rand(8, 2, generator=generator) * 200
    k = torch.randint(0, 8, (n, ), generator=generator)
    xy = centres[k] + torch.randn(n, 2, generator=generator) * 4
    wh = torch.tensor([60.0, 10.0]) * (1 + 0.2 * torch.randn(
        n, 2, generator=generator)).clamp(0.5, 1.5)
    t = (k.float() / 8 * math.pi - math.pi / 2 +
         0.1 * torch.randn(n, generator=generator))[:, None]
    return torch.cat([xy, wh, t], dim=1)


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('threshold', [0.3, 0.7])
def test_equals_mmcv_nms_rotated(seed, threshold):
    g = torch.Generator().manual_seed(seed)
    boxes = clustered_rboxes(400, g)
    scores = torch.rand(400, generator=g)
    ref_dets, ref_keep = nms_rotated(boxes, scores, threshold)
    dets, keep = fast_nms_rotated(boxes, scores, threshold)
    assert torch.equal(keep, ref_keep)
    assert torch.allclose(dets, ref_dets)
    dets, keep = fast_nms_rotated(boxes, scores, threshold, max_num=20)
    assert torch.equal(keep, ref_keep[:20])


def test_in_batched_nms_by_config_name():
    g = torch.Generator().manual_seed(3)
    boxes = clustered_rboxes(300, g)
    scores = torch.rand(300, generator=g)
    levels = torch.randint(0, 3, (300, ), generator=g)
    ref = batched_nms(boxes, scores, levels,
                      dict(type='nms_rotated', iou_threshold=0.7))
    got = batched_nms(boxes, scores, levels, resolve_nms_cfg(
        dict(type='fast_nms_rotated', iou_threshold=0.7)))
    assert torch.equal(got[1], ref[1])


def test_empty():
    dets, keep = fast_nms_rotated(torch.zeros(0, 5), torch.zeros(0), 0.5)
    assert dets.shape == (0, 6) and keep.numel() == 0
