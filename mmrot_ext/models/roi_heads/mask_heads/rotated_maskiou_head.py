"""MaskIoU head whose IoU target is computed in the rotated RoI frame."""
import numpy as np
import torch
from mmdet.models.roi_heads.mask_heads import MaskIoUHead
from mmdet.structures.bbox import get_box_tensor

from mmrot_ext.registry import ROTATED_MODELS
from mmrot_ext.structures import points_in_rboxes


@ROTATED_MODELS.register_module()
class RotatedMaskIoUHead(MaskIoUHead):
    """mmdet's ``MaskIoUHead`` (Mask Scoring R-CNN) for rotated RoIs.

    The IoU target counts the whole GT instance, not only its part inside
    the RoI: mmdet divides the in-RoI GT area by the fraction of the GT that
    lies inside the RoI; here that fraction is counted inside the rotated
    box.
    """

    def __init__(self,
                 *args,
                 loss_iou=dict(type='mmdet.MSELoss', loss_weight=0.5),
                 **kwargs):
        super().__init__(*args, loss_iou=loss_iou, **kwargs)

    def _get_area_ratio(self, pos_proposals, pos_assigned_gt_inds, gt_masks):
        """Fraction (num_pos, ) of each GT mask's pixels (their centres)
        inside its rotated RoI; exact, one vectorised test per GT."""
        rboxes = get_box_tensor(pos_proposals)
        ratios = rboxes.new_zeros(len(rboxes))
        masks = gt_masks.to_ndarray()
        for gt in pos_assigned_gt_inds.unique().tolist():
            ys, xs = np.nonzero(masks[gt])
            if len(xs) == 0:
                continue
            centres = torch.from_numpy(np.stack([xs, ys], 1) + 0.5).to(rboxes)
            rows = (pos_assigned_gt_inds == gt).nonzero(as_tuple=True)[0]
            inside = points_in_rboxes(centres, rboxes[rows]).sum(1)
            ratios[rows] = inside.float() / len(xs)
        return ratios
