"""CondInst / BoxInst mask head trained with BoxTeacher's pseudo masks."""
from typing import List

import torch
from mmdet.models.dense_heads import BoxInstMaskHead
from mmdet.models.utils.misc import aligned_bilinear
from mmdet.utils import InstanceList
from mmengine.structures import InstanceData
from torch import Tensor

from mmrot_ext.registry import DET_MODELS
from .mask_losses import (has_pseudo_masks, projection_loss,
                          pseudo_affinity_loss, pseudo_pixel_loss)
from .pairwise_terms import pairwise_disagreement
from .pseudo_labels import mask_aware_confidence
from .warmup import linear_warmup


@DET_MODELS.register_module()
class BoxTeacherMaskHead(BoxInstMaskHead):
    """BoxInst mask head plus BoxTeacher's two pseudo-mask losses.

    Box supervision (always): projection dice and colour pairwise loss
    (BoxInst). With ``gt_instances.pseudo_masks`` (G, H, W) and
    ``gt_instances.pseudo_mask_scores`` (G,) from the teacher it adds

    - ``loss_mask``: noise-aware pixel loss,
      ``mask_weight * w(it) * sum_k s_k dice(x_k, t_k) / max(#{s_k > 0}, 1)``;
    - ``loss_mask_affinity``: noise-reduced affinity loss,
      ``affinity_weight * w(it) * sum_k s_k L_k / max(#{s_k > 0}, 1)`` with
      ``L_k = sum(P W) / max(sum W, 1)``, ``W = 1[A >= affinity_thr] * box``,

    where w(it) = min(it / pseudo_warmup_iters, 1). Instances with s = 0
    (GT boxes the teacher did not match) get box supervision only.

    At test time scores are mask-aware when ``test_cfg.mask_aware_score``:
    sqrt(p * q) with p = sqrt(cls * ctr) and q the mean mask probability
    inside the binarised mask.

    Unlike mmdet's CondInstMaskHead, the dynamic conv width
    (``feat_channels``) may differ from the mask-feature width, so the
    original's 8-channel head (233 params for 16 input channels) is built.
    """

    def __init__(self,
                 *args,
                 mask_weight: float = 0.5,
                 affinity_weight: float = 0.1,
                 affinity_thr: float = 0.5,
                 pseudo_warmup_iters: int = 10000,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mask_weight = mask_weight
        self.affinity_weight = affinity_weight
        self.affinity_thr = affinity_thr
        self.pseudo_warmup_iters = pseudo_warmup_iters

    def parse_dynamic_params(self, params: Tensor) -> tuple:
        """Split (K, num_params) into per-layer grouped-conv weights / biases
        with each layer's own output width."""
        num_insts = params.size(0)
        splits = list(
            torch.split_with_sizes(
                params, self.weight_nums + self.bias_nums, dim=1))
        weights, biases = splits[:self.num_layers], splits[self.num_layers:]
        for i in range(self.num_layers):
            out = self.feat_channels if i < self.num_layers - 1 else 1
            weights[i] = weights[i].reshape(num_insts * out, -1, 1, 1)
            biases[i] = biases[i].reshape(num_insts * out)
        return weights, biases

    def _select_positives(self, positive_info: InstanceData) -> Tensor:
        """Indices of the positives that train masks: at most
        ``topk_masks_per_img`` per image, spread evenly over the GT boxes and
        chosen by cls * ctr (CondInst's rule)."""
        gt_inds = positive_info.pos_assigned_gt_inds
        keep = torch.arange(gt_inds.numel(), device=gt_inds.device)
        if self.topk_masks_per_img == -1 or gt_inds.numel() == 0:
            return keep
        unique = gt_inds.unique()
        per_gt = max(int(self.topk_masks_per_img / len(unique)), 1)
        quality = (positive_info.scores.sigmoid().max(dim=1)[0] *
                   positive_info.centernesses.sigmoid().reshape(-1))
        kept = []
        for gt in unique:
            idx = keep[gt_inds == gt]
            if idx.numel() > per_gt:
                idx = idx[quality[idx].topk(per_gt)[1]]
            kept.append(idx)
        return torch.cat(kept)

    def _sample_at_mask_stride(self, masks: Tensor) -> Tensor:
        """(G, H, W) image-size masks to the mask output grid (stride s,
        offset s // 2, as the original), binarised at 0.5."""
        start = int(self.mask_out_stride // 2)
        return masks[:, start::self.mask_out_stride,
                     start::self.mask_out_stride].gt(0.5).float()

    def loss_by_feat(self, mask_preds: List[Tensor],
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict], positive_infos: InstanceList,
                     **kwargs) -> dict:
        """Box losses plus (when pseudo masks are given) the pseudo-mask
        losses; mask_preds are per-image (num_pos, h, w) logits."""
        assert positive_infos is not None
        zero = mask_preds[0].sum() * 0
        project, pairwise, pixel, affinity = zero, zero, zero, zero
        num_pos, pairwise_norm, num_trusted = 0, 0., 0
        pseudo = has_pseudo_masks(batch_gt_instances)
        for logits, gt, pos_info in zip(mask_preds, batch_gt_instances,
                                        positive_infos):
            if len(gt) == 0 or logits.size(0) == 0:
                continue
            keep = self._select_positives(pos_info)
            logits = logits[keep]
            gt_inds = pos_info.pos_assigned_gt_inds[keep]
            num_pos += keep.numel()

            boxes = gt.masks.to_tensor(torch.float, logits.device)
            boxes = self._sample_at_mask_stride(boxes)[gt_inds]
            project = project + projection_loss(self.loss_mask, logits,
                                                boxes).sum()

            disagreement = pairwise_disagreement(logits, self.pairwise_size,
                                                 self.pairwise_dilation)
            color_w = gt.pairwise_masks.to(logits.device)[gt_inds]
            color_w = color_w * boxes[:, None]
            pairwise = pairwise + (disagreement * color_w).sum()
            pairwise_norm += color_w.sum().clamp(min=1.0)

            if not pseudo:
                continue
            trust = gt.pseudo_mask_scores[gt_inds]
            targets = self._sample_at_mask_stride(gt.pseudo_masks)[gt_inds]
            num_trusted += int((trust > 0).sum())
            pixel = pixel + pseudo_pixel_loss(self.loss_mask, logits,
                                              targets, trust).sum()
            affinity = affinity + pseudo_affinity_loss(
                disagreement, targets, boxes, trust, self.pairwise_size,
                self.pairwise_dilation, self.affinity_thr).sum()

        losses = dict(
            loss_mask_project=project / max(num_pos, 1),
            loss_mask_pairwise=pairwise / max(pairwise_norm, 1.0) *
            linear_warmup(self.warmup_iters))
        if pseudo:
            ramp = linear_warmup(self.pseudo_warmup_iters)
            norm = max(num_trusted, 1)
            losses.update(
                loss_mask=self.mask_weight * ramp * pixel / norm,
                loss_mask_affinity=self.affinity_weight * ramp * affinity /
                norm)
        return losses

    def predict_soft_masks(self, mask_preds: List[Tensor],
                           batch_img_metas: List[dict]) -> List[Tensor]:
        """Per image (N, H, W) mask probabilities at the padded input size."""
        soft = []
        for logits, meta in zip(mask_preds, batch_img_metas):
            h, w = meta['batch_input_shape']
            if logits.size(0) == 0:
                soft.append(logits.new_zeros((0, h, w)))
                continue
            probs = aligned_bilinear(logits.sigmoid()[None],
                                     self.mask_out_stride)[0]
            soft.append(probs[:, :h, :w])
        return soft

    def predict_by_feat(self, mask_preds: List[Tensor],
                        results_list: InstanceList,
                        batch_img_metas: List[dict], rescale: bool = True,
                        **kwargs) -> InstanceList:
        """CondInst's masks; scores re-ranked by the mask-aware confidence
        when ``test_cfg.mask_aware_score`` is true."""
        if self.test_cfg.get('mask_aware_score', False):
            soft = self.predict_soft_masks(mask_preds, batch_img_metas)
            for probs, results, meta in zip(soft, results_list,
                                            batch_img_metas):
                if len(results) == 0:
                    continue
                h, w = meta['img_shape'][:2]
                rank, _ = mask_aware_confidence(
                    probs[:, :h, :w], results.scores.sqrt(),
                    self.test_cfg.mask_thr)
                results.scores = rank
        return super().predict_by_feat(mask_preds, results_list,
                                       batch_img_metas, rescale, **kwargs)
