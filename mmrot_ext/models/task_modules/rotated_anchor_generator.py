"""Rotated anchors: scales x ratios x angles at every feature-map location."""
import math

import torch
from mmdet.models.task_modules import AnchorGenerator
from mmrotate.structures.bbox import RotatedBoxes

from mmrot_ext.registry import ROTATED_TASK_UTILS
from mmrot_ext.structures import regularize_le90


@ROTATED_TASK_UTILS.register_module()
class RotatedAnchorGenerator(AnchorGenerator):
    """mmdet's ``AnchorGenerator`` with an angle per anchor.

    mmrotate 1.x has no multi-angle generator. Each base anchor of mmdet
    (scales x ratios, ratio = h / w) is repeated at every angle, giving
    ``len(scales) * len(ratios) * len(angles)`` anchors per location as
    (cx, cy, w, h, theta) in le90 form.

    Args:
        angles (sequence[float]): anchor angles in degrees, clockwise in
            image coordinates. Rotated Mask R-CNN uses (-90, -60, -30).
        **kwargs: as for mmdet's ``AnchorGenerator`` (strides, ratios,
            scales or octave settings, center_offset, use_box_type).
    """

    def __init__(self, angles=(-90.0, -60.0, -30.0), **kwargs):
        if len(angles) == 0:
            raise ValueError('RotatedAnchorGenerator needs at least one angle')
        self.angles = torch.tensor([math.radians(a) for a in angles])
        super().__init__(**kwargs)

    def gen_single_level_base_anchors(self, base_size, scales, ratios,
                                      center=None):
        """Base anchors (A, 5) of one level, centred on its first cell."""
        hboxes = super().gen_single_level_base_anchors(
            base_size, scales, ratios, center=center)
        ctr = (hboxes[:, :2] + hboxes[:, 2:]) / 2
        wh = hboxes[:, 2:] - hboxes[:, :2]
        per_angle = [
            torch.cat([ctr, wh, ctr.new_full((len(ctr), 1), float(a))], 1)
            for a in self.angles
        ]
        return torch.from_numpy(regularize_le90(torch.cat(per_angle)))

    def single_level_grid_priors(self, featmap_size, level_idx,
                                 dtype=torch.float32, device='cuda'):
        """Anchors (H * W * A, 5) of one level, location-major."""
        base = self.base_anchors[level_idx].to(device=device, dtype=dtype)
        feat_h, feat_w = featmap_size
        stride_w, stride_h = self.strides[level_idx]
        shift_x = torch.arange(0, feat_w, device=device).to(dtype) * stride_w
        shift_y = torch.arange(0, feat_h, device=device).to(dtype) * stride_h
        shift_xx, shift_yy = self._meshgrid(shift_x, shift_y)
        zeros = torch.zeros_like(shift_xx)
        shifts = torch.stack([shift_xx, shift_yy, zeros, zeros, zeros], -1)
        anchors = (base[None] + shifts[:, None]).view(-1, 5)
        return RotatedBoxes(anchors) if self.use_box_type else anchors

    def sparse_priors(self, prior_idxs, featmap_size, level_idx,
                      dtype=torch.float32, device='cuda'):
        """Anchors (N, 5) at the given flat indices of one level."""
        height, width = featmap_size
        num_base = self.num_base_anchors[level_idx]
        base_id = prior_idxs % num_base
        x = (prior_idxs // num_base) % width * self.strides[level_idx][0]
        y = (prior_idxs // width // num_base) % height * \
            self.strides[level_idx][1]
        zeros = torch.zeros_like(x)
        shifts = torch.stack([x, y, zeros, zeros, zeros], 1)
        return shifts.to(dtype).to(device) + \
            self.base_anchors[level_idx][base_id].to(device)
