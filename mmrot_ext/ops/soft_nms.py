"""Soft-NMS for axis-aligned (N, 4) and rotated (N, 5) boxes.

Greedy as in Bodla et al. (and Rotated Mask R-CNN's CPU op): take the highest
score, decay the scores of the rest by their IoU with it, drop those below
``min_score``, repeat. mmcv's own ``soft_nms`` handles only (N, 4) on the
CPU; on those it gives the same result.

Devices: rotated boxes on the CPU go to the compiled kernel (exact float64
IoUs, one call). Everything else (axis-aligned boxes, CUDA tensors) takes
the IoU matrix once (mmcv's ``bbox_overlaps`` or ``sparse_rbox_overlaps``)
and runs one vectorised row update per step: a fixed number of steps with
no host sync on CUDA, stopping early on the CPU.

Configs select it by name, like mmdet's ``nms=dict(type=...)``:
``nms=dict(type='soft_nms_rotated', method='linear', iou_threshold=0.5,
sigma=0.5, min_score=0.05)`` (the names: ``mmrot_ext.compat.NMS_OPS``).
"""
import torch
from mmcv.ops import bbox_overlaps

from mmrot_ext.structures import (prepared_rboxes, rbox_kernel,
                                  sparse_rbox_overlaps)


METHODS = ('naive', 'linear', 'gaussian')


# above this many boxes IoUs are computed a row at a time, not as a matrix
MATRIX_LIMIT = 4096


def _ious(boxes1, boxes2, offset, prune_below):
    """IoU (M, N) of boxes (M, 4) / (N, 4) or (M, 5) / (N, 5)."""
    if boxes1.size(1) == 5:
        return sparse_rbox_overlaps(boxes1, boxes2, prune_below=prune_below)
    return bbox_overlaps(boxes1, boxes2, offset=offset)


def soft_nms(boxes, scores, iou_threshold=0.3, sigma=0.5, min_score=1e-3,
             method='linear', offset=0):
    """Soft-NMS.

    Args:
        boxes (Tensor): (N, 4) xyxy or (N, 5) rotated boxes.
        scores (Tensor): (N, ) scores.
        iou_threshold (float): 'linear' decays by (1 - IoU) and 'naive'
            drops only boxes with IoU above this.
        sigma (float): 'gaussian' decays by exp(-IoU^2 / sigma).
        min_score (float): boxes whose decayed score falls below are dropped.
        method (str): 'naive' (hard NMS), 'linear' or 'gaussian'.
        offset (int): 0 or 1, added to (x2 - x1) for axis-aligned boxes.

    Returns:
        tuple: dets (K, D + 1) boxes with decayed scores, in the order kept
        (descending score), and keep (K, ) indices into ``boxes``.
    """
    if method not in METHODS:
        raise ValueError(f'soft_nms method must be one of {METHODS}, got '
                         f'{method!r}')
    if boxes.dim() != 2 or boxes.size(1) not in (4, 5) or \
            boxes.size(0) != scores.numel():
        raise ValueError(f'soft_nms needs boxes (N, 4) or (N, 5) and scores '
                         f'(N, ), got {tuple(boxes.shape)} and '
                         f'{tuple(scores.shape)}')
    if boxes.size(1) == 5 and boxes.device.type == 'cpu':
        keep, kept = rbox_kernel.soft_nms(
            prepared_rboxes(boxes), scores.double().contiguous(), method,
            iou_threshold, sigma, min_score)
        return torch.cat([boxes[keep].float(), kept.float()[:, None]],
                         dim=1), keep
    return soft_nms_by_rows(boxes.float(), scores.float(), iou_threshold,
                            sigma, min_score, method, offset)


def soft_nms_by_rows(boxes, scores, iou_threshold, sigma, min_score, method,
                     offset):
    """:func:`soft_nms` on the boxes' device, one row update per step (the
    path of CUDA tensors and axis-aligned boxes; benchmarks time it against
    the kernel on CPU rotated boxes)."""
    index = (scores >= min_score).nonzero(as_tuple=True)[0]
    live, decayed = boxes[index], scores[index]
    # IoUs at or below the threshold do not decay 'linear' / 'naive' scores
    prune = iou_threshold if method != 'gaussian' else 0.0
    if len(index) <= MATRIX_LIMIT:
        matrix = _ious(live, live, offset, prune)
        iou_row = matrix.__getitem__
    else:
        def iou_row(i):
            return _ious(live[i][None], live, offset, prune)[0]

    n = len(index)
    alive = torch.ones(n, dtype=torch.bool, device=boxes.device)
    picks = index.new_zeros(n)
    picked_scores = decayed.new_zeros(n)
    picked_alive = torch.zeros_like(alive)
    steps = 0
    for step in range(n):
        i = torch.where(alive, decayed, decayed.new_tensor(-1.0)).argmax()
        picks[step], picked_scores[step] = i, decayed[i]
        picked_alive[step] = alive[i]
        alive[i] = False
        iou = iou_row(i)
        if method == 'linear':
            weight = torch.where(iou > iou_threshold, 1 - iou,
                                 torch.ones_like(iou))
        elif method == 'gaussian':
            weight = torch.exp(-(iou * iou) / sigma)
        else:
            weight = (iou <= iou_threshold).float()
        decayed = torch.where(alive, decayed * weight, decayed)
        alive &= decayed >= min_score
        steps = step + 1
        if boxes.device.type == 'cpu' and not bool(alive.any()):
            break
    valid = picked_alive[:steps]
    keep = index[picks[:steps][valid]]
    dets = torch.cat([boxes[keep], picked_scores[:steps][valid, None]],
                     dim=1)
    return dets, keep


def soft_nms_rotated(boxes, scores, iou_threshold=0.3, sigma=0.5,
                     min_score=1e-3, method='linear'):
    """:func:`soft_nms` for rotated boxes (N, 5), by its config name."""
    if boxes.size(-1) != 5:
        raise ValueError(f'soft_nms_rotated needs (N, 5) rotated boxes, got '
                         f'{tuple(boxes.shape)}')
    return soft_nms(boxes, scores, iou_threshold, sigma, min_score, method)
