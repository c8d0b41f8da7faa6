"""Rotated boxes from instance masks (the house convention for GT rboxes).

A rotated box is ``(cx, cy, w, h, theta)``, theta in radians, ``le90``
(w is the long side, theta in [-pi/2, pi/2)), clockwise in image coordinates
as mmcv's ``box_iou_rotated`` / ``RoIAlignRotated(clockwise=True)`` read it.
Pixel (x, y) covers [x, x + 1) x [y, y + 1), as mmdet's mask-to-box does.
"""
import cv2
import numpy as np
import torch
from mmrotate.structures.bbox import RotatedBoxes


def regularize_le90(rboxes):
    """Bring (N, 5) rotated boxes into le90 form; returns float32 ndarray."""
    boxes = RotatedBoxes(torch.as_tensor(np.asarray(rboxes, np.float32)))
    return boxes.regularize_boxes('le90').numpy()


def mask_to_rbox(mask):
    """Minimum-area rotated box of a binary mask (H, W), before le90.

    Covers every foreground pixel square, so a one-pixel-wide line gets a
    box of height 1, not 0. Raises ``ValueError`` for an empty mask.
    """
    mask = np.ascontiguousarray(mask, dtype=np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        raise ValueError('cannot compute a rotated box of an empty mask')
    centres = np.concatenate(contours).reshape(-1, 2).astype(np.float32)
    offsets = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], np.float32)
    corners = (centres[:, None, :] + offsets[None]).reshape(-1, 2)
    (cx, cy), (w, h), angle = cv2.minAreaRect(corners)
    return np.array([cx, cy, w, h, np.deg2rad(angle)], np.float32)


def masks_to_rboxes(masks):
    """le90 rotated boxes (N, 5) of binary masks (N, H, W)."""
    if len(masks) == 0:
        return np.zeros((0, 5), np.float32)
    return regularize_le90(np.stack([mask_to_rbox(m) for m in masks]))
