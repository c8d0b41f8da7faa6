"""Mask R-CNN mask head trained from boxes and BoxTeacher pseudo masks."""
from typing import List

import torch
from mmcv.ops import roi_align
from mmdet.models.roi_heads.mask_heads import FCNMaskHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.utils import InstanceList
from mmengine.config import ConfigDict
from torch import Tensor

from mmrot_ext.registry import DET_MODELS
from .mask_losses import (PseudoMaskTermsMixin, has_pseudo_masks,
                          projection_loss)


@DET_MODELS.register_module()
class BoxSupervisedFCNMaskHead(PseudoMaskTermsMixin, FCNMaskHead):
    """FCN mask head for Mask R-CNN with box-only labels.

    In the RoI frame (``mask_size`` grid): the projection loss against the
    GT box (``gt_instances.masks`` holds box masks, as made by
    ``BoxInstDataPreprocessor``) and, when the BoxTeacher wrapper provides
    ``pseudo_masks`` / ``pseudo_mask_scores``, the noise-aware pixel loss
    and the noise-reduced affinity loss with the same weights and warm-up
    as :class:`BoxTeacherMaskHead`. ``loss_mask`` must be a per-sample dice
    (``DiceLoss``).
    """

    def _pseudo_targets(self, sampling_results: List[SamplingResult],
                        batch_gt_instances: InstanceList,
                        size: int) -> tuple:
        """Pseudo masks cropped into the positive RoIs, (P, size, size)
        binary, and their trust weights (P,)."""
        targets, weights = [], []
        for res, gt in zip(sampling_results, batch_gt_instances):
            inds = res.pos_assigned_gt_inds
            rois = torch.cat([
                torch.arange(len(inds), device=inds.device)[:, None].float(),
                res.pos_priors
            ], 1)
            crops = roi_align(gt.pseudo_masks[inds][:, None].float(), rois,
                              (size, size), 1.0, 0, 'avg', True)
            targets.append(crops[:, 0].gt(0.5).float())
            weights.append(gt.pseudo_mask_scores[inds])
        return torch.cat(targets), torch.cat(weights)

    def loss_and_target(self, mask_preds: Tensor,
                        sampling_results: List[SamplingResult],
                        batch_gt_instances: InstanceList,
                        rcnn_train_cfg: ConfigDict) -> dict:
        """Losses for (P, C, S, S) mask logits of the positive RoIs."""
        box_targets = self.get_targets(sampling_results, batch_gt_instances,
                                       rcnn_train_cfg).float()
        labels = torch.cat([res.pos_gt_labels for res in sampling_results])
        pseudo = has_pseudo_masks(batch_gt_instances)
        if mask_preds.size(0) == 0:
            zero = mask_preds.sum()
            losses = dict(loss_mask_project=zero)
            if pseudo:
                losses.update(loss_mask=zero, loss_mask_affinity=zero)
            return dict(loss_mask=losses, mask_targets=box_targets)
        if not self.class_agnostic:
            mask_preds = mask_preds[torch.arange(len(labels)), labels]
        else:
            mask_preds = mask_preds[:, 0]
        project = projection_loss(self.loss_mask, mask_preds, box_targets)
        losses = dict(loss_mask_project=project.mean())
        if pseudo:
            targets, trust = self._pseudo_targets(
                sampling_results, batch_gt_instances,
                rcnn_train_cfg.mask_size)
            losses.update(
                self.pseudo_terms(mask_preds, targets, trust, box_targets))
        return dict(loss_mask=losses, mask_targets=box_targets)
