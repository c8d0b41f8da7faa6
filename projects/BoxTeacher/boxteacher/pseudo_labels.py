"""Pseudo masks from teacher predictions (BoxTeacher, section 3.2).

The teacher's masks are scored by how confident they are inside their own
binarised region, matched to the ground-truth boxes and clipped to them.
Pure tensor functions: any teacher that returns soft masks can use them.
"""
import torch
from mmdet.structures.bbox import bbox_overlaps
from torch import Tensor

from mmrot_ext.structures import rbox_frame_grid, sparse_rbox_overlaps


def box_overlaps(pred_bboxes: Tensor, gt_bboxes: Tensor) -> Tensor:
    """IoU matrix (N, G) of xyxy boxes (4 columns) or of le90 rotated boxes
    (5 columns, exact rotated IoU)."""
    if pred_bboxes.size(-1) != gt_bboxes.size(-1):
        raise ValueError(f'predictions have {pred_bboxes.size(-1)} box '
                         f'columns, ground truth {gt_bboxes.size(-1)}')
    if gt_bboxes.size(-1) == 5:
        return sparse_rbox_overlaps(pred_bboxes, gt_bboxes)
    return bbox_overlaps(pred_bboxes, gt_bboxes)


def mask_aware_confidence(soft_masks: Tensor, det_scores: Tensor,
                          mask_thr: float = 0.5) -> tuple:
    """Mask-aware confidence of teacher predictions.

    q = sum(m * B) / (sum(B) + 1e-6), B = 1[m > mask_thr], the mean mask
    probability inside the binarised mask.

    Args:
        soft_masks (Tensor): (N, H, W) mask probabilities in [0, 1].
        det_scores (Tensor): (N,) detection confidence p in [0, 1].
        mask_thr (float): binarisation threshold.

    Returns:
        tuple[Tensor, Tensor]: ranking scores sqrt(p * q) (N,) and loss
        weights p^(1/4) * q^(1/2) (N,).
    """
    binary = (soft_masks > mask_thr).float()
    inside = (soft_masks * binary).flatten(1).sum(1)
    q = inside / (binary.flatten(1).sum(1) + 1e-6)
    return (det_scores * q).sqrt(), det_scores.sqrt().sqrt() * q.sqrt()


def greedy_box_matching(pred_bboxes: Tensor, rank_scores: Tensor,
                        gt_bboxes: Tensor, iou_thr: float = 0.5,
                        score_thr: float = 0.0) -> Tensor:
    """Class-agnostic greedy matching of predictions to ground-truth boxes.

    Predictions are visited by descending ``rank_scores``; each takes the
    best still-unmatched GT box with IoU >= ``iou_thr``. A GT box is matched
    at most once (the original code could re-match a GT taken by prediction
    0; not here).

    Args:
        pred_bboxes (Tensor): (N, 4) predicted boxes, xyxy, or (N, 5)
            rotated boxes (matched by rotated IoU).
        rank_scores (Tensor): (N,) scores that order the predictions.
        gt_bboxes (Tensor): (G, 4) or (G, 5) ground-truth boxes, the same
            kind.

    Returns:
        Tensor: (G,) index of the matched prediction per GT, -1 if none.
    """
    num_gt = gt_bboxes.size(0)
    gt_to_pred = gt_bboxes.new_full((num_gt, ), -1, dtype=torch.long)
    if num_gt == 0 or pred_bboxes.size(0) == 0:
        return gt_to_pred
    ious = box_overlaps(pred_bboxes, gt_bboxes)
    taken = torch.zeros(num_gt, dtype=torch.bool, device=gt_bboxes.device)
    for i in torch.argsort(rank_scores, descending=True).tolist():
        if rank_scores[i] < score_thr:
            break
        row = ious[i].masked_fill(taken, -1.0)
        best_iou, j = row.max(0)
        if best_iou >= iou_thr:
            gt_to_pred[j] = i
            taken[j] = True
    return gt_to_pred


def box_masks(bboxes: Tensor, height: int, width: int) -> Tensor:
    """(G, 4) xyxy boxes to (G, height, width) float masks of their area,
    with BoxInst's pixel convention (rows y1..y2, columns x1..x2); (G, 5)
    rotated boxes to the pixels whose centres they hold."""
    if bboxes.size(-1) == 5:
        grid = rbox_frame_grid(bboxes, height, width)
        return (grid.abs() <= 1).all(dim=-1).float()
    ys = torch.arange(height, device=bboxes.device).view(1, -1, 1)
    xs = torch.arange(width, device=bboxes.device).view(1, 1, -1)
    x1, y1, x2, y2 = bboxes.floor().long().unbind(-1)
    inside_y = (ys >= y1.view(-1, 1, 1)) & (ys <= y2.view(-1, 1, 1))
    inside_x = (xs >= x1.view(-1, 1, 1)) & (xs <= x2.view(-1, 1, 1))
    return (inside_y & inside_x).float()


def assign_pseudo_masks(pred_bboxes: Tensor, det_scores: Tensor,
                        soft_masks: Tensor, gt_bboxes: Tensor,
                        iou_thr: float = 0.5, score_thr: float = 0.0,
                        mask_thr: float = 0.5) -> tuple:
    """Pseudo mask and its trust weight for every ground-truth box.

    Args:
        pred_bboxes (Tensor): (N, 4) teacher boxes in the training image,
            or (N, 5) rotated boxes.
        det_scores (Tensor): (N,) teacher detection confidence p.
        soft_masks (Tensor): (N, H, W) teacher mask probabilities.
        gt_bboxes (Tensor): (G, 4) or (G, 5) ground-truth boxes, the same
            kind as the predictions.

    Returns:
        tuple[Tensor, Tensor]: binary pseudo masks (G, H, W), each clipped
        to its GT box (zeros if unmatched), and weights s (G,), 0 for GT
        boxes without a matched prediction (they keep box supervision only).
    """
    num_gt = gt_bboxes.size(0)
    height, width = soft_masks.shape[-2:]
    masks = soft_masks.new_zeros((num_gt, height, width))
    weights = soft_masks.new_zeros((num_gt, ))
    if num_gt == 0 or soft_masks.size(0) == 0:
        return masks, weights
    rank_scores, loss_weights = mask_aware_confidence(
        soft_masks, det_scores, mask_thr)
    gt_to_pred = greedy_box_matching(pred_bboxes, rank_scores, gt_bboxes,
                                     iou_thr, score_thr)
    matched = gt_to_pred >= 0
    if matched.any():
        binary = (soft_masks[gt_to_pred[matched]] > mask_thr).float()
        clip = box_masks(gt_bboxes[matched], height, width)
        masks[matched] = binary * clip
        weights[matched] = loss_weights[gt_to_pred[matched]]
    return masks, weights
