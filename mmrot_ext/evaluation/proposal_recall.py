"""Proposal recall as the Faster R-CNN paper plots it (its Fig. 4, after
Hosang et al.): a GT object is recalled by the top N proposals of its image
at IoU t when one of them overlaps it by at least t (the best overlap per
GT, no one-to-one matching), for axis-aligned or rotated proposals."""
import numpy as np
import torch
from mmdet.structures.bbox import bbox_overlaps

from mmrot_ext.structures import sparse_rbox_overlaps

IOU_THRS = tuple(np.round(np.arange(0.5, 0.951, 0.05), 2))


def best_overlaps(gt_boxes, proposals, num_proposals, min_iou=0.5):
    """Per GT, its best IoU with the top ``n`` proposals, for each n.

    Args:
        gt_boxes (Tensor): (G, 4) xyxy or (G, 5) rotated boxes.
        proposals (Tensor): (P, 4) or (P, 5), best first.
        num_proposals (sequence[int]): the Ns.
        min_iou (float): rotated overlaps certainly below it are reported
            as 0 (exact bound pruning; the curves start at 0.5).

    Returns:
        ndarray: (len(num_proposals), G).
    """
    if len(gt_boxes) == 0:
        return np.zeros((len(num_proposals), 0))
    if len(proposals) == 0:
        return np.zeros((len(num_proposals), len(gt_boxes)))
    if gt_boxes.shape[1] != proposals.shape[1]:
        raise ValueError(f'GT boxes have {gt_boxes.shape[1]} values and '
                         f'proposals {proposals.shape[1]}: both must be '
                         'axis-aligned (4) or rotated (5)')
    gt, props = gt_boxes.float(), proposals.float()
    iou = sparse_rbox_overlaps(gt, props, prune_below=min_iou) \
        if gt.shape[1] == 5 else bbox_overlaps(gt, props)
    # best over the first n proposals, for every n: a running maximum
    running = torch.cummax(iou, dim=1).values.cpu().numpy()
    cols = [min(n, iou.shape[1]) - 1 for n in num_proposals]
    return running[:, cols].T


def recall_curves(best, iou_thrs=IOU_THRS):
    """Recall per (N, IoU threshold) from the stacked best overlaps.

    Args:
        best (ndarray): (len(Ns), total GT) from :func:`best_overlaps` of
            every image, concatenated along GT.

    Returns:
        ndarray: (len(Ns), len(iou_thrs)) recall in [0, 1] (0 without GT);
        an IoU within 1e-6 of a threshold (float32 rounding) reaches it.
    """
    if best.shape[1] == 0:
        return np.zeros((best.shape[0], len(iou_thrs)))
    return np.stack([(best >= t - 1e-6).mean(axis=1) for t in iou_thrs],
                    axis=1)
