"""Soft-NMS for axis-aligned (N, 4) and rotated (N, 5) boxes.

Greedy as in Bodla et al. (and Rotated Mask R-CNN's CPU op): take the highest
score, decay the scores of the rest by their IoU with it, drop those below
``min_score``, repeat. The IoUs come once, as a matrix, from mmcv's ops
(``bbox_overlaps``; ``box_iou_rotated`` on the pairs that
``sparse_rbox_overlaps`` cannot rule out); each step is then one vectorised
row update. mmcv's own ``soft_nms`` handles only (N, 4); on those it gives
the same result.

Configs select it by name, like mmdet's ``nms=dict(type=...)``:
``nms=dict(type='soft_nms_rotated', method='linear', iou_threshold=0.5,
sigma=0.5, min_score=0.05)``; heads pass their test_cfg through
:func:`resolve_nms_cfg`.
"""
import torch
from mmcv.ops import bbox_overlaps

from mmrot_ext.structures import sparse_rbox_overlaps

from .nms_rotated import fast_nms_rotated

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
    boxes = boxes.float()
    decayed = scores.float().clone()
    alive = decayed >= min_score
    # IoUs at or below the threshold do not decay 'linear' / 'naive' scores
    prune = iou_threshold if method != 'gaussian' else 0.0
    index = alive.nonzero(as_tuple=True)[0]
    live = boxes[index]
    if len(index) <= MATRIX_LIMIT:
        matrix = _ious(live, live, offset, prune)
        iou_row = matrix.__getitem__
    else:
        def iou_row(i):
            return _ious(live[i:i + 1], live, offset, prune)[0]

    decayed, alive = decayed[index], torch.ones(len(index), dtype=torch.bool)
    keep, kept_scores = [], []
    while bool(alive.any()):
        i = int(torch.where(alive, decayed, decayed.new_tensor(-1.0)).argmax())
        keep.append(i)
        kept_scores.append(decayed[i])
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
    keep = index[torch.tensor(keep, dtype=torch.long)]
    new_scores = torch.stack(kept_scores) if kept_scores else \
        decayed.new_zeros(0)
    dets = torch.cat([boxes[keep], new_scores[:, None]], dim=1)
    return dets, keep


def soft_nms_rotated(boxes, scores, iou_threshold=0.3, sigma=0.5,
                     min_score=1e-3, method='linear'):
    """:func:`soft_nms` for rotated boxes (N, 5), by its config name."""
    if boxes.size(-1) != 5:
        raise ValueError(f'soft_nms_rotated needs (N, 5) rotated boxes, got '
                         f'{tuple(boxes.shape)}')
    return soft_nms(boxes, scores, iou_threshold, sigma, min_score, method)


NMS_OPS = dict(
    soft_nms_rotated=soft_nms_rotated, fast_nms_rotated=fast_nms_rotated)


def resolve_nms_cfg(nms_cfg):
    """Copy of an ``nms`` config with our op names turned into the ops.

    mmcv's ``batched_nms`` looks a string ``type`` up among its own ops and
    calls a callable one directly, so resolved configs work in every mmdet
    head. Ours: 'soft_nms_rotated', 'fast_nms_rotated'; other names are left
    for mmcv ('nms', 'soft_nms', 'nms_rotated').
    """
    if nms_cfg is None:
        return None
    nms_cfg = nms_cfg.copy()
    if nms_cfg.get('type') in NMS_OPS:
        nms_cfg['type'] = NMS_OPS[nms_cfg['type']]
    return nms_cfg
