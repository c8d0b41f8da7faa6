"""Rotated NMS: exact on CPU, one kernel launch on CUDA.

CPU tensors go to the compiled kernel (``rbox_kernel.nms``): greedy in score
order like mmcv's ``nms_rotated``, with float64 exact IoUs, clipping only
the pairs whose IoU upper bound exceeds the threshold, and stopping once
``max_num`` boxes are kept. CUDA tensors go to mmcv's ``nms_rotated`` (one
batched kernel, float32 IoUs, no host sync), cut to ``max_num``. Both keep
the same boxes except where mmcv's float32 IoU is wrong (boxes sharing an
edge; tested on both).
"""
import torch
from mmcv.ops import nms_rotated

from mmrot_ext.structures import prepared_rboxes
from mmrot_ext.structures import rbox_kernel


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
    if boxes.is_cuda:
        dets, keep = nms_rotated(boxes, scores, iou_threshold)
        if max_num > 0:
            dets, keep = dets[:max_num], keep[:max_num]
        return dets, keep
    order = scores.argsort(descending=True, stable=True)
    kept = rbox_kernel.nms(prepared_rboxes(boxes[order]), iou_threshold,
                           max_num)
    keep = order[kept]
    return torch.cat([boxes[keep], scores[keep, None]], dim=1), keep
