"""Each box / pseudo-mask loss against a direct computation on tiny
tensors; the BoxInst part equals mmdet's BoxInstMaskHead."""
import itertools

import pytest
import torch
from mmdet.models.dense_heads import BoxInstMaskHead, CondInstMaskHead
from mmdet.structures.mask import BitmapMasks
from mmengine import MessageHub
from mmengine.structures import InstanceData

from projects.BoxTeacher.boxteacher import (BoxTeacherMaskHead, box_masks,
                                            pairwise_disagreement,
                                            pseudo_mask_affinity)

# the 8 neighbours of a 3x3 window with dilation 2, in unfold's order
OFFSETS = [(dy, dx) for dy, dx in itertools.product((-2, 0, 2), repeat=2)
           if (dy, dx) != (0, 0)]


def naive_disagreement(logits):
    x = logits.sigmoid()
    k, h, w = x.shape
    out = torch.zeros(k, 8, h, w, dtype=torch.float64)
    for i, y, xx in itertools.product(range(k), range(h), range(w)):
        for n, (dy, dx) in enumerate(OFFSETS):
            yy, xn = y + dy, xx + dx
            if 0 <= yy < h and 0 <= xn < w:  # outside: no edge (P = 0)
                a, b = float(x[i, y, xx]), float(x[i, yy, xn])
                out[i, n, y, xx] = -torch.log(
                    torch.tensor(a * b + (1 - a) * (1 - b),
                                 dtype=torch.float64))
    return out


def naive_affinity(t):
    k, h, w = t.shape
    padded = torch.nn.functional.pad(t.double(), (1, 1, 1, 1))
    mean3 = sum(padded[:, dy:dy + h, dx:dx + w] for dy in range(3)
                for dx in range(3)) / 9
    m = (mean3 + t.double()) / 2
    out = torch.zeros(k, 8, h, w, dtype=torch.float64)
    for i, y, x in itertools.product(range(k), range(h), range(w)):
        for n, (dy, dx) in enumerate(OFFSETS):
            yy, xx = y + dy, x + dx
            mj = m[i, yy, xx] if 0 <= yy < h and 0 <= xx < w else 0.0
            out[i, n, y, x] = m[i, y, x] * mj + (1 - m[i, y, x]) * (1 - mj)
    return out


def dice(x, t):
    x, t = x.flatten(1).double(), t.flatten(1).double()
    return 1 - 2 * (x * t).sum(1) / ((x * x).sum(1) + (t * t).sum(1) + 1e-5)


def test_pairwise_disagreement_equals_direct_computation():
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 6) * 3
    assert torch.allclose(
        pairwise_disagreement(logits).double(), naive_disagreement(logits),
        atol=1e-5)


def test_pseudo_mask_affinity_equals_direct_computation():
    torch.manual_seed(0)
    t = (torch.rand(2, 6, 7) > 0.5).float()
    assert torch.allclose(
        pseudo_mask_affinity(t).double(), naive_affinity(t), atol=1e-6)


def head_kwargs(in_channels=8):
    return dict(
        mask_feature_head=dict(
            in_channels=8,
            feat_channels=8,
            start_level=0,
            end_level=0,
            out_channels=in_channels,
            mask_stride=8,
            num_stacked_convs=1),
        num_layers=3,
        feat_channels=8,
        mask_out_stride=4,
        topk_masks_per_img=-1,
        warmup_iters=100,
        loss_mask=dict(
            type='DiceLoss', use_sigmoid=True, activate=True, eps=5e-6))


@pytest.fixture
def tiny_batch():
    """One 32x32 image, 2 GT boxes, 3 positives (GT 0, 0, 1)."""
    torch.manual_seed(0)
    gt_boxes = torch.tensor([[2., 3., 20., 25.], [10., 6., 30., 17.]])
    full_box = box_masks(gt_boxes, 32, 32)
    pseudo = full_box * (torch.rand(2, 32, 32) > 0.3).float()
    gt = InstanceData(
        bboxes=gt_boxes,
        labels=torch.tensor([0, 1]),
        masks=BitmapMasks(full_box.numpy(), 32, 32),
        pairwise_masks=(torch.rand(2, 8, 8, 8) > 0.4).float(),
        pseudo_masks=pseudo,
        pseudo_mask_scores=torch.tensor([0.7, 0.0]))
    pos = InstanceData(
        pos_assigned_gt_inds=torch.tensor([0, 0, 1]),
        scores=torch.randn(3, 2),
        centernesses=torch.randn(3, 1))
    logits = torch.randn(3, 8, 8) * 2
    return logits, gt, pos


def set_iter(it):
    MessageHub.get_current_instance().update_info('iter', it)


def test_every_loss_equals_direct_computation(tiny_batch):
    logits, gt, pos = tiny_batch
    head = BoxTeacherMaskHead(
        **head_kwargs(), mask_weight=0.5, affinity_weight=0.1,
        pseudo_warmup_iters=200)
    set_iter(50)  # colour pairwise warm-up 0.5, pseudo-mask warm-up 0.25
    losses = head.loss_by_feat([logits], [gt], [{}], [pos])

    inds = pos.pos_assigned_gt_inds
    box = box_masks(gt.bboxes, 32, 32)[:, 2::4, 2::4][inds]
    x = logits.sigmoid()
    project = (dice(x.max(1)[0], box.max(1)[0]) +
               dice(x.max(2)[0], box.max(2)[0])).sum() / 3
    disagree = naive_disagreement(logits)
    w = gt.pairwise_masks[inds].double() * box[:, None]
    pairwise = (disagree * w).sum() / w.sum() * 0.5
    t = gt.pseudo_masks[:, 2::4, 2::4][inds]
    s = gt.pseudo_mask_scores[inds].double()
    pixel = 0.5 * 0.25 * (s * dice(x, t)).sum() / 2  # 2 positives with s > 0
    edge_w = (naive_affinity(t) >= 0.5).double() * box[:, None]
    per_k = (disagree * edge_w).flatten(1).sum(1) / \
        edge_w.flatten(1).sum(1).clamp(min=1)
    affinity = 0.1 * 0.25 * (s * per_k).sum() / 2

    expected = dict(loss_mask_project=project, loss_mask_pairwise=pairwise,
                    loss_mask=pixel, loss_mask_affinity=affinity)
    assert set(losses) == set(expected)
    for name, value in expected.items():
        assert losses[name].item() == pytest.approx(value.item(), rel=1e-5), \
            name
    assert losses['loss_mask'].item() > 0
    set_iter(0)


def test_box_losses_equal_mmdet_boxinst(tiny_batch):
    logits, gt, pos = tiny_batch
    box_only = gt.clone()
    del box_only.pseudo_masks, box_only.pseudo_mask_scores
    set_iter(30)
    ours = BoxTeacherMaskHead(**head_kwargs()).loss_by_feat(
        [logits], [box_only], [{}], [pos])
    mmdet = BoxInstMaskHead(**head_kwargs()).loss_by_feat(
        [logits], [box_only.clone()], [{}], [pos])
    assert set(ours) == {'loss_mask_project', 'loss_mask_pairwise'}
    for name in ours:
        assert ours[name].item() == pytest.approx(mmdet[name].item(),
                                                  rel=1e-5)
    set_iter(0)


def test_no_ground_truth_or_no_trusted_mask_gives_finite_zeros(tiny_batch):
    logits, gt, pos = tiny_batch
    head = BoxTeacherMaskHead(**head_kwargs(), pseudo_warmup_iters=1)
    set_iter(10)
    untrusted = gt.clone()
    untrusted.pseudo_mask_scores = torch.zeros(2)
    losses = head.loss_by_feat([logits], [untrusted], [{}], [pos])
    assert losses['loss_mask'].item() == 0
    assert losses['loss_mask_affinity'].item() == 0
    assert torch.isfinite(losses['loss_mask_project'])
    empty = gt[torch.zeros(0, dtype=torch.long)]
    none = InstanceData(pos_assigned_gt_inds=torch.zeros(0,
                                                         dtype=torch.long),
                        scores=torch.zeros(0, 2),
                        centernesses=torch.zeros(0, 1))
    losses = head.loss_by_feat([logits[:0]], [empty], [{}], [none])
    assert all(torch.isfinite(v) and v.item() == 0 for v in losses.values())
    set_iter(0)


def test_dynamic_head_width_may_differ_from_mask_features():
    """The original's 8-channel dynamic head on 16-channel features (233
    parameters); mmdet's parse_dynamic_params assumes equal widths."""
    torch.manual_seed(0)
    ours = BoxTeacherMaskHead(**head_kwargs(in_channels=16))
    assert ours.num_params == 233
    pos = InstanceData(
        param_preds=torch.randn(3, 233) * 0.1,
        points=torch.tensor([[8., 8.], [16., 16.], [24., 8.]]),
        strides=torch.tensor([8., 8., 16.]))
    feat = torch.randn(16, 4, 4)
    (masks, ) = ours.forward_single(feat, pos)
    assert masks.shape == (3, 8, 8)
    kwargs = head_kwargs(in_channels=16)
    del kwargs['warmup_iters']
    with pytest.raises(RuntimeError):
        CondInstMaskHead(**kwargs).forward_single(feat, pos)
