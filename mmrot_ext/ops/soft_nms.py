"""Soft-NMS for axis-aligned (N, 4) and rotated (N, 5) boxes.

Greedy as in Bodla et al. (and Rotated Mask R-CNN's CPU op): take the highest
score, decay the scores of the rest by their IoU with it, drop those below
``min_score``, repeat. Each step is one vectorised IoU row from mmcv
(``bbox_overlaps`` or ``box_iou_rotated``). mmcv's own ``soft_nms`` handles
only (N, 4); on those it gives the same result.

Configs select it by name, like mmdet's ``nms=dict(type=...)``:
``nms=dict(type='soft_nms_rotated', method='linear', iou_threshold=0.5,
sigma=0.5, min_score=0.05)``; heads pass their test_cfg through
:func:`resolve_nms_cfg`.
"""
import torch
from mmcv.ops import bbox_overlaps, box_iou_rotated

METHODS = ('naive', 'linear', 'gaussian')


def _iou_row(box, boxes, offset):
    """IoU (N, ) of one box (D, ) with boxes (N, D), D = 4 or 5."""
    if boxes.size(1) == 5:
        return box_iou_rotated(box[None], boxes)[0]
    return bbox_overlaps(box[None], boxes, offset=offset)[0]


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
    keep, kept_scores = [], []
    while bool(alive.any()):
        i = int(torch.where(alive, decayed, decayed.new_tensor(-1.0)).argmax())
        keep.append(i)
        kept_scores.append(decayed[i])
        alive[i] = False
        rest = alive.nonzero(as_tuple=True)[0]
        if rest.numel() == 0:
            break
        iou = _iou_row(boxes[i], boxes[rest], offset)
        if method == 'linear':
            weight = torch.where(iou > iou_threshold, 1 - iou,
                                 torch.ones_like(iou))
        elif method == 'gaussian':
            weight = torch.exp(-(iou * iou) / sigma)
        else:
            weight = (iou <= iou_threshold).float()
        decayed[rest] = decayed[rest] * weight
        alive[rest] = decayed[rest] >= min_score
    keep = torch.tensor(keep, dtype=torch.long, device=boxes.device)
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


NMS_OPS = dict(soft_nms_rotated=soft_nms_rotated)


def resolve_nms_cfg(nms_cfg):
    """Copy of an ``nms`` config with our op names turned into the ops.

    mmcv's ``batched_nms`` looks a string ``type`` up among its own ops and
    calls a callable one directly, so resolved configs work in every mmdet
    head. Other names are left for mmcv ('nms', 'soft_nms', 'nms_rotated').
    """
    if nms_cfg is None:
        return None
    nms_cfg = nms_cfg.copy()
    if nms_cfg.get('type') in NMS_OPS:
        nms_cfg['type'] = NMS_OPS[nms_cfg['type']]
    return nms_cfg
