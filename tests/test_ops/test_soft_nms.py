import math

import pytest
import torch
from mmcv.ops import soft_nms as mmcv_soft_nms

from mmrot_ext.ops import soft_nms, soft_nms_rotated
from mmrot_ext.testing import exact_rbox_overlaps


def naive_iou(a, b):
    """IoU of two boxes by polygon geometry (independent of mmcv)."""
    if len(a) == 4:
        a = [(a[0] + a[2]) / 2, (a[1] + a[3]) / 2, a[2] - a[0], a[3] - a[1], 0]
        b = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1], 0]
    return float(exact_rbox_overlaps([a], [b])[0, 0])


def naive_soft_nms(boxes, scores, iou_threshold, sigma, min_score, method):
    """Textbook Soft-NMS, one box at a time, in plain Python."""
    boxes, scores = boxes.tolist(), scores.tolist()
    live = [i for i in range(len(boxes)) if scores[i] >= min_score]
    keep, kept = [], []
    while live:
        best = max(live, key=lambda i: scores[i])
        keep.append(best)
        kept.append(scores[best])
        live.remove(best)
        for i in list(live):
            iou = naive_iou(boxes[best], boxes[i])
            if method == 'linear':
                scores[i] *= (1 - iou) if iou > iou_threshold else 1
            elif method == 'gaussian':
                scores[i] *= math.exp(-iou * iou / sigma)
            elif iou > iou_threshold:
                scores[i] = 0
            if scores[i] < min_score:
                live.remove(i)
    return keep, kept


def random_rboxes(n, generator):
    xy = torch.rand(n, 2, generator=generator) * 60
    wh = torch.rand(n, 2, generator=generator) * 30 + 4
    t = (torch.rand(n, 1, generator=generator) - 0.5) * math.pi
    return torch.cat([xy, wh, t], dim=1)


@pytest.mark.parametrize('method', ['linear', 'gaussian', 'naive'])
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_rotated_soft_nms_equals_naive_reference(method, seed):
    g = torch.Generator().manual_seed(seed)
    boxes = random_rboxes(60, g)
    scores = torch.rand(60, generator=g)
    dets, keep = soft_nms_rotated(boxes, scores, 0.3, 0.5, 0.05, method)
    ref_keep, ref_scores = naive_soft_nms(boxes, scores, 0.3, 0.5, 0.05,
                                          method)
    assert keep.tolist() == ref_keep
    assert dets[:, 5].tolist() == pytest.approx(ref_scores, abs=1e-4)
    assert torch.equal(dets[:, :5], boxes[keep])
    # decayed scores come out in descending order
    assert (dets[1:, 5] <= dets[:-1, 5] + 1e-6).all()


@pytest.mark.parametrize('method', ['linear', 'gaussian', 'naive'])
def test_axis_aligned_soft_nms_equals_mmcv_and_naive(method):
    g = torch.Generator().manual_seed(3)
    xy = torch.rand(80, 2, generator=g) * 60
    boxes = torch.cat([xy, xy + torch.rand(80, 2, generator=g) * 30 + 4], 1)
    scores = torch.rand(80, generator=g)
    dets, keep = soft_nms(boxes, scores, 0.3, 0.5, 0.05, method)
    ref_dets, ref_keep = mmcv_soft_nms(boxes, scores, 0.3, 0.5, 0.05, method)
    assert torch.equal(keep, ref_keep)
    assert torch.allclose(dets, ref_dets, atol=1e-6)
    naive_keep, naive_scores = naive_soft_nms(boxes, scores, 0.3, 0.5, 0.05,
                                              method)
    assert keep.tolist() == naive_keep
    assert dets[:, 4].tolist() == pytest.approx(naive_scores, abs=1e-4)


def test_linear_soft_nms_decays_overlapping_box():
    boxes = torch.tensor([[10., 10., 20., 4., 0.], [10., 10., 20., 4., 0.],
                          [40., 40., 20., 4., 0.3]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    dets, keep = soft_nms_rotated(boxes, scores, 0.5, min_score=0.0)
    # the duplicate (IoU 1) is decayed to 0 and ranked last
    assert keep.tolist() == [0, 2, 1]
    assert dets[:, 5].tolist() == pytest.approx([0.9, 0.7, 0.0], abs=1e-5)


def test_empty_and_bad_input():
    dets, keep = soft_nms_rotated(torch.zeros(0, 5), torch.zeros(0))
    assert dets.shape == (0, 6) and keep.numel() == 0
    with pytest.raises(ValueError, match='method'):
        soft_nms(torch.zeros(1, 4), torch.ones(1), method='cubic')
    with pytest.raises(ValueError, match=r'\(N, 5\)'):
        soft_nms_rotated(torch.zeros(2, 4), torch.ones(2))


def test_mmcv_batched_nms_finds_it_by_config_name():
    from mmcv.ops import batched_nms
    cfg = dict(type='soft_nms_rotated', method='linear', iou_threshold=0.5,
               min_score=0.05)
    boxes = torch.tensor([[10., 10., 20., 4., 0.], [10., 10., 20., 4., 0.],
                          [10., 10., 20., 4., 0.]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    labels = torch.tensor([0, 0, 1])
    dets, keep = batched_nms(boxes, scores, labels, cfg)
    assert cfg['type'] == 'soft_nms_rotated'  # the config is not changed
    # class 1 does not suppress class 0; the class-0 duplicate is decayed away
    assert sorted(keep.tolist()) == [0, 2]


@pytest.mark.parametrize('matrix_limit', [4096, 10])
def test_device_path_equals_the_kernel(monkeypatch, matrix_limit):
    """The row-update path (CUDA tensors, as a matrix or a row at a time)
    keeps what the CPU kernel keeps."""
    import importlib
    soft_nms_module = importlib.import_module('mmrot_ext.ops.soft_nms')
    monkeypatch.setattr(soft_nms_module, 'MATRIX_LIMIT', matrix_limit)
    g = torch.Generator().manual_seed(5)
    boxes = random_rboxes(50, g)
    scores = torch.rand(50, generator=g)
    for method in ('linear', 'gaussian', 'naive'):
        expected = soft_nms_rotated(boxes, scores, 0.3, 0.5, 0.05, method)
        got = soft_nms_module.soft_nms_by_rows(boxes, scores, 0.3, 0.5,
                                               0.05, method, 0)
        assert torch.equal(got[1], expected[1])
        assert torch.allclose(got[0], expected[0], atol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.parametrize('method', ['linear', 'gaussian', 'naive'])
def test_cuda_equals_cpu(method):
    g = torch.Generator().manual_seed(6)
    boxes = random_rboxes(200, g)
    scores = torch.rand(200, generator=g)
    dets, keep = soft_nms_rotated(boxes, scores, 0.3, 0.5, 0.05, method)
    cuda_dets, cuda_keep = soft_nms_rotated(boxes.cuda(), scores.cuda(), 0.3,
                                            0.5, 0.05, method)
    assert torch.equal(cuda_keep.cpu(), keep)
    assert torch.allclose(cuda_dets.cpu(), dets, atol=1e-5)
