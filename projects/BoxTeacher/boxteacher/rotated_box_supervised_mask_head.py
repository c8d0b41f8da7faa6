"""Rotated Mask R-CNN mask head trained from rotated boxes only."""
from typing import List

import torch
from mmcv.ops import RoIAlignRotated
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.structures.bbox import get_box_tensor
from mmdet.utils import InstanceList
from mmengine.config import ConfigDict
from torch import Tensor
from torch.nn.modules.utils import _pair

from mmrot_ext.models.roi_heads.mask_heads import RotatedFCNMaskHead
from mmrot_ext.registry import ROTATED_MODELS
from mmrot_ext.structures import crop_masks_to_rboxes, rbox_masks_in_frames
from .mask_losses import (PseudoMaskTermsMixin, has_pseudo_masks,
                          projection_loss)
from .pairwise_terms import colour_similarity, pairwise_disagreement
from .warmup import linear_warmup


@ROTATED_MODELS.register_module()
class RotatedBoxSupervisedMaskHead(PseudoMaskTermsMixin,
                                   RotatedFCNMaskHead):
    """Rotated mask head with BoxInst's two losses in each RoI's frame.

    For every positive RoI (a rotated prior, ``mask_size`` grid, u along w):

    * projection loss: dice of the row and column max-projections of the
      predicted frame mask against those of the GT rotated box rasterised
      in the same frame (:func:`rbox_masks_in_frames`);
    * pairwise loss: -log P(same label) of neighbouring cells (3 x 3,
      dilation 2), over cells inside the GT box whose LAB colours, sampled
      into the same frame from ``gt_instances.metainfo['lab_image']``
      ((3, H, W), set by :class:`RotatedBoxSupervisedMaskRCNN`), are similar
      (``colour_similarity >= colour_thr``); averaged over those cells of
      the batch and warmed up linearly over ``pairwise_warmup_iters``.

    Under the ``BoxTeacher`` wrapper (``gt_instances.pseudo_masks``, image
    masks from the teacher matched by rotated IoU), the pseudo masks are
    resampled into each positive RoI's frame and add BoxTeacher's
    noise-aware pixel and noise-reduced affinity terms
    (``PseudoMaskTermsMixin.pseudo_terms``, weights and warm-up as
    :class:`BoxSupervisedFCNMaskHead`). No mask label is read. Test time is
    :class:`RotatedFCNMaskHead`'s. ``loss_mask`` must be a per-sample dice
    (``mmdet.DiceLoss``).
    """

    def __init__(self,
                 *args,
                 pairwise_weight: float = 1.0,
                 pairwise_warmup_iters: int = 10000,
                 colour_thr: float = 0.3,
                 loss_mask=dict(
                     type='mmdet.DiceLoss',
                     use_sigmoid=True,
                     activate=True,
                     eps=5e-6,
                     loss_weight=1.0),
                 **kwargs) -> None:
        super().__init__(*args, loss_mask=loss_mask, **kwargs)
        self.pairwise_weight = pairwise_weight
        self.pairwise_warmup_iters = pairwise_warmup_iters
        self.colour_thr = colour_thr

    def get_targets(self, sampling_results: List[SamplingResult],
                    batch_gt_instances: InstanceList,
                    rcnn_train_cfg: ConfigDict) -> Tensor:
        """GT rotated boxes in their positive RoIs' frames, (P, S, S)."""
        size = _pair(rcnn_train_cfg.mask_size)
        return torch.cat([
            rbox_masks_in_frames(
                get_box_tensor(gt.bboxes)[res.pos_assigned_gt_inds],
                self.train_frames(res, rcnn_train_cfg), size)
            for res, gt in zip(sampling_results, batch_gt_instances)
        ])

    def pseudo_targets(self, sampling_results: List[SamplingResult],
                       batch_gt_instances: InstanceList,
                       rcnn_train_cfg: ConfigDict) -> tuple:
        """The teacher's pseudo masks in the positive RoIs' frames,
        (P, S_h, S_w) binary, and their trust weights (P,)."""
        size = _pair(rcnn_train_cfg.mask_size)
        targets, weights = [], []
        for res, gt in zip(sampling_results, batch_gt_instances):
            inds = res.pos_assigned_gt_inds
            crops = crop_masks_to_rboxes(
                gt.pseudo_masks, self.train_frames(res, rcnn_train_cfg), inds,
                size)
            targets.append((crops >= 0.5).float())
            weights.append(gt.pseudo_mask_scores[inds])
        return torch.cat(targets), torch.cat(weights)

    def frame_colours(self, sampling_results: List[SamplingResult],
                      batch_gt_instances: InstanceList,
                      rcnn_train_cfg: ConfigDict) -> Tensor:
        """LAB colours of the positive RoIs' frames, (P, 3, S_h, S_w)."""
        labs = []
        for gt in batch_gt_instances:
            if 'lab_image' not in gt.metainfo:
                raise KeyError(
                    'RotatedBoxSupervisedMaskHead needs the LAB image in '
                    "gt_instances.metainfo['lab_image']: use it with "
                    'RotatedBoxSupervisedMaskRCNN')
            labs.append(gt.metainfo['lab_image'])
        frames = [self.train_frames(res, rcnn_train_cfg)
                  for res in sampling_results]
        rois = torch.cat([
            torch.cat([f.new_full((len(f), 1), float(i)), f], 1)
            for i, f in enumerate(frames)
        ])
        align = RoIAlignRotated(
            _pair(rcnn_train_cfg.mask_size), spatial_scale=1.0,
            sampling_ratio=2, aligned=True, clockwise=True)
        return align(torch.stack(labs).float(), rois.float())

    def loss_and_target(self, mask_preds: Tensor,
                        sampling_results: List[SamplingResult],
                        batch_gt_instances: InstanceList,
                        rcnn_train_cfg: ConfigDict) -> dict:
        """Losses for (P, C, S, S) mask logits of the positive RoIs."""
        box_targets = self.get_targets(sampling_results, batch_gt_instances,
                                       rcnn_train_cfg)
        pseudo = has_pseudo_masks(batch_gt_instances)
        if mask_preds.size(0) == 0:
            zero = mask_preds.sum()
            losses = dict(loss_mask_project=zero, loss_mask_pairwise=zero)
            if pseudo:
                losses.update(loss_mask=zero, loss_mask_affinity=zero)
            return dict(loss_mask=losses, mask_targets=box_targets)
        labels = torch.cat([res.pos_gt_labels for res in sampling_results])
        if self.class_agnostic:
            logits = mask_preds[:, 0]
        else:
            logits = mask_preds[torch.arange(len(labels)), labels]
        project = projection_loss(self.loss_mask, logits, box_targets)
        colours = self.frame_colours(sampling_results, batch_gt_instances,
                                     rcnn_train_cfg)
        weights = (colour_similarity(colours, self.pairwise_size,
                                     self.pairwise_dilation) >=
                   self.colour_thr).float() * box_targets[:, None]
        disagreement = pairwise_disagreement(logits, self.pairwise_size,
                                             self.pairwise_dilation)
        pairwise = (disagreement * weights).sum() / weights.sum().clamp(
            min=1.0)
        ramp = linear_warmup(self.pairwise_warmup_iters)
        losses = dict(
            loss_mask_project=project.mean(),
            loss_mask_pairwise=self.pairwise_weight * ramp * pairwise)
        if pseudo:
            targets, trust = self.pseudo_targets(
                sampling_results, batch_gt_instances, rcnn_train_cfg)
            losses.update(
                self.pseudo_terms(logits, targets, trust, box_targets))
        return dict(loss_mask=losses, mask_targets=box_targets)
