"""Mask head whose masks live in the frame of a rotated box."""
import torch
from mmdet.models.roi_heads.mask_heads import FCNMaskHead
from mmdet.structures.bbox import get_box_tensor
from mmrotate.structures.bbox import RotatedBoxes
from torch.nn.modules.utils import _pair

from mmrot_ext.registry import ROTATED_MODELS
from mmrot_ext.structures import (crop_masks_to_rboxes, enlarge_rboxes,
                                  paste_masks_from_rboxes)


@ROTATED_MODELS.register_module()
class RotatedFCNMaskHead(FCNMaskHead):
    """mmdet's ``FCNMaskHead`` for rotated RoIs (Rotated Mask R-CNN).

    Targets: each positive RoI's GT instance mask resampled into the RoI's
    rotated frame (``mask_size`` x ``mask_size``, u along w, v along h), so a
    thin diagonal pencil fills its grid instead of a sliver of an
    axis-aligned box. Test time: each predicted mask is pasted back through
    the inverse rotation, batched with one ``grid_sample`` per chunk, into
    its box enlarged by ``test_cfg.mask_rbox_scale`` in w and h (the frame
    :class:`RotatedStandardRoIHead` pooled its features from).

    ``test_cfg.fill_boxes=True`` is the "just fill the predicted rotated
    box" baseline: every mask is its detection's (unenlarged) box, the mask
    branch's output ignored.
    """

    def __init__(self,
                 *args,
                 loss_mask=dict(
                     type='mmdet.CrossEntropyLoss',
                     use_mask=True,
                     loss_weight=1.0),
                 **kwargs):
        super().__init__(*args, loss_mask=loss_mask, **kwargs)

    @staticmethod
    def train_frames(sampling_result, rcnn_train_cfg):
        """(P, 5) frames of an image's positive RoIs: the priors enlarged by
        ``rcnn_train_cfg.mask_rbox_scale`` (as the RoI head pools them)."""
        return enlarge_rboxes(get_box_tensor(sampling_result.pos_priors),
                              rcnn_train_cfg.get('mask_rbox_scale', 1.0))

    def get_targets(self, sampling_results, batch_gt_instances,
                    rcnn_train_cfg):
        """Mask targets (num_pos, S, S) of all positive RoIs of a batch."""
        size = _pair(rcnn_train_cfg.mask_size)
        binarize = not rcnn_train_cfg.get('soft_mask_target', False)
        targets = []
        for res, gt in zip(sampling_results, batch_gt_instances):
            rboxes = self.train_frames(res, rcnn_train_cfg)
            masks = torch.as_tensor(gt.masks.to_ndarray(),
                                    device=rboxes.device)
            crops = crop_masks_to_rboxes(masks, rboxes,
                                         res.pos_assigned_gt_inds, size)
            targets.append((crops >= 0.5).float() if binarize else crops)
        return torch.cat(targets)

    def _predict_by_feat_single(self, mask_preds, bboxes, labels, img_meta,
                                rcnn_test_cfg, rescale=False,
                                activate_map=False):
        """Paste (n, C, S, S) mask logits of rotated boxes (n, 5).

        With ``rescale`` the boxes are rescaled in place to the original
        image (as mmdet's head does for axis-aligned boxes) and masks come at
        ``ori_shape``; otherwise at the network input's ``img_shape``.
        """
        probs = mask_preds.sigmoid() if not activate_map else \
            bboxes.new_tensor(mask_preds)
        if not self.class_agnostic:
            probs = probs[torch.arange(len(probs)), labels]
        else:
            probs = probs[:, 0]
        if rescale:
            scale = [1 / s for s in img_meta['scale_factor']]
            rescaled = RotatedBoxes(bboxes.clone())
            rescaled.rescale_(scale)
            bboxes[:] = rescaled.tensor
            shape = img_meta['ori_shape'][:2]
        else:
            shape = img_meta['img_shape'][:2]
        if rcnn_test_cfg.get('fill_boxes', False):
            probs, frames = torch.ones_like(probs), bboxes
        else:
            frames = enlarge_rboxes(
                bboxes, rcnn_test_cfg.get('mask_rbox_scale', 1.0))
        threshold = rcnn_test_cfg.mask_thr_binary
        masks = paste_masks_from_rboxes(probs, frames, shape, threshold)
        if threshold < 0:
            masks = (masks * 255).to(torch.uint8)
        return masks
