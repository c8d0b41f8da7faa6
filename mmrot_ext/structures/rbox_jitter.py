"""Randomly perturbed copies of rotated boxes (jittered GT proposals)."""
import math

import torch
from mmrotate.structures import RotatedBoxes


def jitter_rboxes(rboxes, num_copies=3, max_shift=7.0,
                  scale_range=(0.94, 1.06), max_angle=5.0):
    """``num_copies`` random perturbations of each rotated box.

    Each copy moves the centre by U(-max_shift, max_shift) pixels in x and y,
    scales w and h independently by U(*scale_range) and turns the box by
    U(-max_angle, max_angle) degrees, then is brought back to le90. The
    original Rotated Mask R-CNN adds three such copies of every GT to the
    RoI head's training proposals (+-7 px, x0.94-1.06, +-5 deg).

    Args:
        rboxes (Tensor): (n, 5) le90 boxes (cx, cy, w, h, theta in radians).

    Returns:
        Tensor: (n * num_copies, 5), copies of box 0 first; on ``rboxes``'
        device and drawn there (torch's global generator), no host sync.
    """
    if rboxes.dim() != 2 or rboxes.size(-1) != 5:
        raise ValueError(f'jitter_rboxes expects (n, 5) rotated boxes, got '
                         f'shape {tuple(rboxes.shape)}')
    copies = rboxes.repeat_interleave(num_copies, dim=0)

    def uniform(low, high, cols):
        u = torch.rand(copies.size(0), cols, device=copies.device,
                       dtype=copies.dtype)
        return low + (high - low) * u

    copies = torch.cat([
        copies[:, :2] + uniform(-max_shift, max_shift, 2),
        copies[:, 2:4] * uniform(*scale_range, 2),
        copies[:, 4:] + math.radians(max_angle) * uniform(-1.0, 1.0, 1)
    ], dim=1)
    return RotatedBoxes(copies).regularize_boxes('le90')
