import math

import pytest
import torch
from mmcv.ops import batched_nms, nms, nms_rotated

from mmrot_ext.ops import fast_nms_rotated
from mmrot_ext.testing import exact_greedy_nms


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
    got = batched_nms(boxes, scores, levels,
                      dict(type='fast_nms_rotated', iou_threshold=0.7))
    assert torch.equal(got[1], ref[1])


def test_empty():
    dets, keep = fast_nms_rotated(torch.zeros(0, 5), torch.zeros(0), 0.5)
    assert dets.shape == (0, 6) and keep.numel() == 0


def strip_neighbours(n, generator):
    """Boxes sharing long edges (shorter boxes inside a stick's strip and
    flush with it), where mmcv's float32 IoU can be wrong."""
    sticks = clustered_rboxes(n // 2, generator)
    inner = sticks.clone()
    inner[:, 2] *= 0.3 + 0.6 * torch.rand(n // 2, generator=generator)
    shift = (sticks[:, 2] - inner[:, 2]) / 2 * (
        2 * torch.rand(n // 2, generator=generator) - 1)
    inner[:, 0] += shift * torch.cos(sticks[:, 4])
    inner[:, 1] += shift * torch.sin(sticks[:, 4])
    return torch.cat([sticks, inner])


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('threshold', [0.3, 0.5, 0.7])
def test_equals_exact_greedy_nms_on_edge_sharing_boxes(seed, threshold):
    g = torch.Generator().manual_seed(seed)
    boxes = strip_neighbours(400, g)
    scores = torch.rand(400, generator=g)
    _, keep = fast_nms_rotated(boxes, scores, threshold)
    assert keep.tolist() == exact_greedy_nms(boxes, scores, threshold).tolist()


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                       prev + (x != y))
    return row[-1]


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('degrees', [0, 90, 180])
@pytest.mark.parametrize('threshold', [0.2, 0.5, 0.8])
def test_detectron2_axis_aligned_boxes_as_rotated(seed, degrees, threshold):
    """detectron2's test: random axis-aligned boxes (x1, y1 clamped to 1, so
    many share an edge) given as rotated boxes at 0 / 90 / 180 degrees keep
    what horizontal NMS keeps (d2 allows an edit distance of 1; mmcv's
    float32 kernel needs 2 at 90 degrees, seed 0, 0.5)."""
    g = torch.Generator().manual_seed(seed)
    xyxy = (torch.rand(1000, 4, generator=g) * 100).clamp(min=1.0)
    xyxy[:, 2:] += xyxy[:, :2]
    scores = torch.rand(1000, generator=g)
    _, ref = nms(xyxy, scores, threshold)
    centre = (xyxy[:, :2] + xyxy[:, 2:]) / 2
    wh = xyxy[:, 2:] - xyxy[:, :2]
    if degrees == 90:
        wh = wh.flip(1)
    # detectron2's counter-clockwise degrees are -theta in our convention
    theta = torch.full((1000, 1), -math.radians(degrees))
    _, keep = fast_nms_rotated(torch.cat([centre, wh, theta], 1), scores,
                               threshold)
    assert edit_distance(keep.tolist(), ref.tolist()) <= 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.parametrize('seed', [0, 1])
def test_cuda_keeps_what_cpu_keeps(seed):
    g = torch.Generator().manual_seed(seed)
    boxes = clustered_rboxes(2000, g)
    scores = torch.rand(2000, generator=g)
    cpu_dets, cpu_keep = fast_nms_rotated(boxes, scores, 0.7, max_num=300)
    dets, keep = fast_nms_rotated(boxes.cuda(), scores.cuda(), 0.7,
                                  max_num=300)
    assert torch.equal(keep.cpu(), cpu_keep)
    assert torch.allclose(dets.cpu(), cpu_dets)
