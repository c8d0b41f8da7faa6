"""Rotated IoU against an exact polygon reference (shapely): peers' test
cases (re-typed values), the edge-sharing cases where mmcv's float32 kernel
is wrong, and pairs from our generated dense scenes."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmcv.ops import box_iou_rotated

from mmrot_ext.datasets.synthetic.dense_objects import DenseSceneConfig
from mmrot_ext.structures import (prepared_rboxes, rbox_envelopes,
                                  rbox_intersection_areas,
                                  rbox_overlaps_aligned, sparse_rbox_overlaps)
from mmrot_ext.testing import (config_anchors, dense_scene_gt_rboxes,
                               exact_rbox_overlaps)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DENSE_CFG = osp.join(REPO, 'configs', 'rotated_ms_rcnn',
                     'rotated-ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py')


def d2(cx, cy, w, h, degrees):
    """detectron2's (counter-clockwise degrees) box in our convention."""
    return [cx, cy, w, h, -math.radians(degrees)]


# (name, boxes1, boxes2, expected matrix or None); expected values are the
# peers' own (mmcv: 4 decimals; detectron2: as written in its tests)
PEER_CASES = [
    ('mmcv 3x3', [[1.0, 1.0, 3.0, 4.0, 0.5], [2.0, 2.0, 3.0, 4.0, 0.6],
                  [7.0, 7.0, 8.0, 8.0, 0.4]],
     [[0.0, 2.0, 2.0, 5.0, 0.3], [2.0, 1.0, 3.0, 3.0, 0.5],
      [5.0, 5.0, 6.0, 7.0, 0.4]],
     [[0.3708, 0.4351, 0.0], [0.1104, 0.4487, 0.0424], [0.0, 0.0, 0.3622]]),
    ('d2 half overlap', [d2(0.5, 0.5, 1.0, 1.0, 0)],
     [d2(0.25, 0.5, 0.5, 1.0, 0)], [[0.5]]),
    ('d2 precision', [d2(565, 565, 10, 10.0, 0)], [d2(565, 565, 10, 8.3, 0)],
     [[0.83]]),
    ('d2 45 degrees', [d2(1, 1, math.sqrt(2), math.sqrt(2), 45),
                       d2(1, 1, 2 * math.sqrt(2), 2 * math.sqrt(2), -45)],
     [d2(1, 1, 2, 2, 0)], [[0.5], [0.5]]),
    ('d2 orthogonal', [d2(5, 5, 10, 6, 55)], [d2(5, 5, 10, 6, -35)],
     [[36 / 84]]),
    ('d2 large close boxes', [d2(299.5, 417.370422, 600.0, 364.259186,
                                 27.1828)],
     [d2(299.5, 417.370422, 600.0, 364.259155, 27.1833)], [[0.99999991]]),
    ('d2 issue 2154 (identical)',
     [d2(296.66, 458.74, 23.52, 47.68, 0.0880)] * 2,
     [d2(296.66, 458.74, 23.52, 47.68, 0.0880)], [[1.0], [1.0]]),
    ('d2 issue 2167 (nearly identical, large)',
     [d2(2563.74462890625, 1436.79016113281, 2174.70336914062,
         214.09500122070, 115.11834716797)],
     [d2(2563.74462890625, 1436.79028320312, 2174.70288085938,
         214.09495544434, 115.11835479736)], None),
    ('mmcv-bug: 24x10 in a 40x10 strip', [[50, 50, 40, 10, 0.2]],
     [[50, 50, 24, 10, 0.2]], [[0.6]]),
    ('mmcv-bug: shifted 8 px along the strip', [[50, 50, 40, 10, 0.3]],
     [[50 + 8 * math.cos(0.3), 50 + 8 * math.sin(0.3), 24, 10, 0.3]],
     [[0.6]]),
    ('mmcv-bug: smallest', [[0, 0, 4, 1, 0.2]], [[0, 0, 2, 1, 0.2]], [[0.5]]),
]


def overlaps_both_ways(boxes1, boxes2, mode='iou'):
    """The kernel's matrix and the torch twin's, (M, N) each."""
    kernel = sparse_rbox_overlaps(boxes1, boxes2, mode)
    i, j = torch.meshgrid(torch.arange(len(boxes1)),
                          torch.arange(len(boxes2)), indexing='ij')
    b1, b2 = boxes1[i.flatten()], boxes2[j.flatten()]
    twin = rbox_intersection_areas(prepared_rboxes(b1), prepared_rboxes(b2))
    a1 = b1[:, 2].double() * b1[:, 3].double()
    a2 = b2[:, 2].double() * b2[:, 3].double()
    twin = twin / a1 if mode == 'iof' else twin / (a1 + a2 - twin)
    return kernel, twin.float().view(len(boxes1), len(boxes2))


@pytest.mark.parametrize('case', PEER_CASES, ids=[c[0] for c in PEER_CASES])
def test_peer_cases(case):
    _, boxes1, boxes2, expected = case
    boxes1, boxes2 = torch.tensor(boxes1), torch.tensor(boxes2)
    exact = torch.from_numpy(exact_rbox_overlaps(boxes1, boxes2)).float()
    for got in overlaps_both_ways(boxes1, boxes2):
        assert torch.allclose(got, exact, atol=1e-5)
        if expected is not None:
            assert torch.allclose(got, torch.tensor(expected), atol=1e-4)


def test_mmcv_iof_case():
    boxes1 = torch.tensor(PEER_CASES[0][1])
    boxes2 = torch.tensor(PEER_CASES[0][2])
    expected = torch.tensor([[0.4959, 0.5306, 0.0], [0.1823, 0.5420, 0.1832],
                             [0.0, 0.0, 0.4404]])
    exact = exact_rbox_overlaps(boxes1, boxes2, mode='iof')
    for got in overlaps_both_ways(boxes1, boxes2, mode='iof'):
        assert torch.allclose(got, expected, atol=1e-4)
        assert np.allclose(got.numpy(), exact, atol=1e-5)
    aligned = rbox_overlaps_aligned(boxes1, boxes2, mode='iof')
    assert torch.allclose(aligned, expected.diag(), atol=1e-4)


def edge_sharing_pairs(family, n, seed):
    """Pairs (n, 5) x 2 where mmcv's float32 kernel is known to go wrong."""
    rng = np.random.default_rng(seed)
    cx, cy = rng.uniform(20, 200, (2, n))
    length = rng.uniform(10, 80, n)
    width = rng.uniform(4, 20, n)
    theta = rng.uniform(-math.pi / 2, math.pi / 2, n)
    if family == 'strip at -pi/2':
        theta[:] = np.float32(-math.pi / 2)
    short = length * rng.uniform(0.2, 0.9, n)
    shift = rng.uniform(-1, 1, n) * (length - short) / 2
    sx, sy = cx + shift * np.cos(theta), cy + shift * np.sin(theta)
    a = np.stack([cx, cy, length, width, theta], 1)
    if family in ('same strip', 'strip at -pi/2'):
        b = np.stack([sx, sy, short, width, theta], 1)
    elif family == 'one long edge shared':
        thin = width * rng.uniform(0.3, 0.9, n)
        off = (width - thin) / 2  # flush with one long side
        b = np.stack([sx - off * np.sin(theta), sy + off * np.cos(theta),
                      short, thin, theta], 1)
    else:  # end to end: short edges touching
        step = (length + short) / 2
        b = np.stack([cx + step * np.cos(theta), cy + step * np.sin(theta),
                      short, width, theta], 1)
    return (torch.from_numpy(a).float(), torch.from_numpy(b).float())


@pytest.mark.parametrize('family', ['same strip', 'strip at -pi/2',
                                    'one long edge shared', 'end to end'])
def test_edge_sharing_pairs_are_exact(family):
    a, b = edge_sharing_pairs(family, 2000, seed=0)
    exact = exact_rbox_overlaps(a, b, aligned=True)
    got = rbox_overlaps_aligned(a, b).numpy()
    twin = rbox_intersection_areas(prepared_rboxes(a), prepared_rboxes(b))
    a1 = (a[:, 2] * a[:, 3]).double()
    a2 = (b[:, 2] * b[:, 3]).double()
    twin = (twin / (a1 + a2 - twin)).numpy()
    assert np.abs(got - exact).max() < 1e-5
    assert np.abs(twin - exact).max() < 1e-5
    if family != 'end to end':
        # the reason for our own kernel: mmcv's float32 one misses here
        wrong = np.abs(box_iou_rotated(a, b, aligned=True).numpy() - exact)
        assert (wrong > 0.01).mean() > 0.05


@pytest.fixture(scope='module')
def dense_scene_pairs():
    """100k (anchor or GT, GT) pairs of generated dense scenes whose
    envelopes meet: GT neighbours (near-parallel sticks side by side) and
    the cpu-tiny dense config's anchors against each GT."""
    rng = np.random.default_rng(0)
    scene = DenseSceneConfig()
    anchors = config_anchors(DENSE_CFG, scene.height, scene.width)
    firsts, seconds = [], []
    for gts in dense_scene_gt_rboxes(20, seed=0, scene_cfg=scene):
        for boxes in (gts, anchors):
            i, j = torch.meshgrid(torch.arange(len(gts)),
                                  torch.arange(len(boxes)), indexing='ij')
            i, j = i.flatten(), j.flatten()
            # keep pairs whose envelopes meet (the rest are trivially 0)
            e1, e2 = rbox_envelopes(gts[i]), rbox_envelopes(boxes[j])
            meet = (torch.minimum(e1[:, 2:], e2[:, 2:]) >
                    torch.maximum(e1[:, :2], e2[:, :2])).all(1)
            if boxes is gts:
                meet &= i != j
            i, j = i[meet], j[meet]
            pick = torch.from_numpy(rng.permutation(len(i))[:5000])
            seconds.append(gts[i[pick]])
            firsts.append(boxes[j[pick]])
    return torch.cat(firsts)[:100_000], torch.cat(seconds)[:100_000]


def test_dense_scene_pairs_match_shapely(dense_scene_pairs):
    a, b = dense_scene_pairs
    assert len(a) == 100_000
    exact = exact_rbox_overlaps(a, b, aligned=True)
    assert (exact > 0).mean() > 0.5
    got = rbox_overlaps_aligned(a, b).numpy()
    assert np.abs(got - exact).max() < 1e-5
    twin = rbox_intersection_areas(prepared_rboxes(a), prepared_rboxes(b))
    a1, a2 = (a[:, 2] * a[:, 3]).double(), (b[:, 2] * b[:, 3]).double()
    assert np.abs((twin / (a1 + a2 - twin)).numpy() - exact).max() < 1e-5


def test_identical_degenerate_and_huge_boxes():
    boxes = torch.tensor([[10.0, 20.0, 30.0, 4.0, 0.3],
                          [8.3e8, 8.3e8, 40.0, 10.0, 1.0],
                          [-8.3e8, 8.3e8, 1e3, 1e-7, -1.0],
                          [5.0, 5.0, 1e-7, 1e-7, 0.0]])
    iou = sparse_rbox_overlaps(boxes, boxes)
    assert ((iou >= 0) & (iou <= 1)).all()
    assert torch.equal(iou.diag()[:2], torch.ones(2))
    # float64 input keeps huge coordinates exact: half the 40-long box
    # shifted along its axis overlaps it by 1/3
    big = boxes[1:2].double()
    shifted = big + torch.tensor([[20 * math.cos(1.0), 20 * math.sin(1.0), 0,
                                   0, 0]], dtype=torch.float64)
    assert torch.allclose(sparse_rbox_overlaps(big, shifted),
                          torch.tensor([[1 / 3]]), atol=1e-5)


def test_equal_configurations_tie_exactly():
    """A GT's best anchors at equal relative positions get bitwise equal
    IoUs (mmdet's assigner promotes only anchors equal to the maximum)."""
    ys, xs = torch.meshgrid(torch.arange(0, 160, 4.0),
                            torch.arange(0, 240, 4.0), indexing='ij')
    anchors = torch.stack([xs.flatten(), ys.flatten(),
                           torch.full_like(xs.flatten(), 32),
                           torch.full_like(xs.flatten(), 32),
                           torch.zeros_like(xs.flatten())], 1)
    gt = torch.tensor([[120.0, 80.0, 103.0, 17.0, 0.0]])
    iou = sparse_rbox_overlaps(gt, anchors)[0]
    exact = exact_rbox_overlaps(gt, anchors)[0]
    tied_exact = np.abs(exact - exact.max()) < 1e-9
    assert tied_exact.sum() > 1
    assert np.array_equal((iou == iou.max()).numpy(), tied_exact)


def test_pruning_contract_and_exact_row_max():
    g = torch.Generator().manual_seed(4)
    a = torch.cat([torch.rand(300, 2, generator=g) * 120,
                   torch.rand(300, 2, generator=g) * 40 + 2,
                   torch.rand(300, 1, generator=g) * 3 - 1.5], 1)
    b = a[:40] + torch.randn(40, 5, generator=g) * torch.tensor(
        [3.0, 3.0, 2.0, 1.0, 0.05])
    exact = torch.from_numpy(exact_rbox_overlaps(b, a)).float()
    pruned = sparse_rbox_overlaps(b, a, prune_below=0.5, exact_row_max=True)
    high = exact >= 0.5
    assert torch.allclose(pruned[high], exact[high], atol=1e-5)
    assert ((pruned == 0) | torch.isclose(pruned, exact, atol=1e-5)).all()
    assert torch.allclose(pruned.max(1).values, exact.max(1).values,
                          atol=1e-5)


def test_bad_mode_and_shapes():
    boxes = torch.zeros(2, 5)
    with pytest.raises(ValueError, match='mode'):
        sparse_rbox_overlaps(boxes, boxes, mode='giou')
    with pytest.raises(ValueError, match='equal shapes'):
        rbox_overlaps_aligned(boxes, boxes[:1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_equals_cpu(dense_scene_pairs):
    a, b = dense_scene_pairs
    cpu = rbox_overlaps_aligned(a, b)
    cuda = rbox_overlaps_aligned(a.cuda(), b.cuda()).cpu()
    assert (cpu - cuda).abs().max() < 1e-6
    m, n = a[:500], b[:300]
    assert (sparse_rbox_overlaps(m, n, prune_below=0.3, exact_row_max=True) -
            sparse_rbox_overlaps(m.cuda(), n.cuda(), prune_below=0.3,
                                 exact_row_max=True).cpu()).abs().max() < 1e-6
