"""Rotated NMS that clips only the box pairs that could suppress.

Same result as mmcv's ``nms_rotated`` (tested), several times faster on CPU
for RPN proposals. Greedy in score order like mmcv's: each kept box is
compared with the boxes still alive after it, but polygons are clipped only
for pairs whose exact IoU upper bound (``rbox_iou_upper_bound``) exceeds the
threshold; with ``max_num`` the pass stops once that many boxes are kept.
"""
import torch
from mmcv.ops import box_iou_rotated

from mmrot_ext.structures.rbox_overlaps import _clamped, rbox_iou_upper_bound


def fast_nms_rotated(boxes, scores, iou_threshold, max_num=-1):
    """Greedy NMS of rotated boxes; drop-in for mmcv's ``nms_rotated``.

    Args:
        boxes (Tensor): (N, 5) rotated boxes.
        scores (Tensor): (N, ) scores.
        iou_threshold (float): suppress IoU above this.
        max_num (int): stop once this many are kept (-1: all).

    Returns:
        tuple: dets (K, 6) boxes and scores by descending score, keep (K, ).
    """
    order = scores.argsort(descending=True)
    ranked = _clamped(boxes[order])
    n = len(order)
    alive = torch.ones(n, dtype=torch.bool)
    keep = []
    for k in range(n):
        if not alive[k]:
            continue
        keep.append(k)
        if len(keep) == max_num:
            break
        rest = alive[k + 1:].nonzero(as_tuple=True)[0] + (k + 1)
        if rest.numel() == 0:
            break
        bound = rbox_iou_upper_bound(ranked[k:k + 1], ranked[rest])[0]
        rest = rest[bound > iou_threshold]
        if rest.numel():
            iou = box_iou_rotated(ranked[k].expand(len(rest), 5),
                                  ranked[rest], aligned=True)
            alive[rest[iou > iou_threshold]] = False
    keep = order[torch.tensor(keep, dtype=torch.long, device=order.device)]
    return torch.cat([boxes[keep], scores[keep, None]], dim=1), keep
