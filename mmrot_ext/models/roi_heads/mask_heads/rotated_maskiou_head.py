"""MaskIoU head whose IoU target is computed in the rotated RoI frame."""
import torch
from mmdet.models.roi_heads.mask_heads import MaskIoUHead
from mmdet.structures.bbox import get_box_tensor
from mmrotate.registry import MODELS

from mmrot_ext.structures import crop_masks_to_rboxes


@MODELS.register_module()
class RotatedMaskIoUHead(MaskIoUHead):
    """mmdet's ``MaskIoUHead`` (Mask Scoring R-CNN) for rotated RoIs.

    The IoU target counts the whole GT instance, not only its part inside
    the RoI: mmdet divides the in-RoI GT area by the fraction of the GT that
    lies inside the RoI; here that fraction is measured inside the rotated
    box (vectorised, via the same rotated crop as the mask targets).
    """

    # resolution of the crop that measures the in-box GT area
    area_grid = 56

    def _get_area_ratio(self, pos_proposals, pos_assigned_gt_inds, gt_masks):
        """Fraction (num_pos, ) of each GT mask inside its rotated RoI."""
        rboxes = get_box_tensor(pos_proposals)
        if rboxes.numel() == 0:
            return rboxes.new_zeros((0, ))
        masks = torch.as_tensor(gt_masks.to_ndarray(), device=rboxes.device)
        crops = crop_masks_to_rboxes(masks, rboxes, pos_assigned_gt_inds,
                                     self.area_grid)
        cell = rboxes[:, 2] * rboxes[:, 3] / self.area_grid**2
        inside = crops.sum(dim=(1, 2)) * cell
        full = masks.flatten(1).sum(1).float()[pos_assigned_gt_inds]
        return (inside / (full + 1e-7)).clamp(max=1.0)
