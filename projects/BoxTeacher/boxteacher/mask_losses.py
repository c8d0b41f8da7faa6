"""The mask losses of box-supervised students, as functions of mask logits
on a grid (the RoI grid of Mask R-CNN, the mask-output grid of CondInst).

``dice`` is the student's ``loss_mask`` module: a per-sample dice that
applies the sigmoid (mmdet's ``DiceLoss(activate=True)``) and accepts
``reduction_override='none'``. Every function returns per-instance values
(N,) so each student normalises as its paper does.
"""
import torch
import torch.nn.functional as F
from torch import Tensor

from .pairwise_terms import pairwise_disagreement, pseudo_mask_affinity
from .warmup import linear_warmup


def has_pseudo_masks(batch_gt_instances) -> bool:
    """Whether the BoxTeacher wrapper gave this batch pseudo masks (every
    image or none; a mixed batch is an error)."""
    flags = {'pseudo_masks' in gt for gt in batch_gt_instances}
    if len(flags) > 1:
        raise ValueError('pseudo_masks are set for some images of the batch '
                         'and not for others')
    return flags == {True}


def projection_loss(dice, logits: Tensor, box_targets: Tensor) -> Tensor:
    """BoxInst's projection term (N,): dice of the max-projections of the
    mask onto rows and onto columns against those of the box mask.

    Args:
        logits (Tensor): (N, H, W) mask logits.
        box_targets (Tensor): (N, H, W) binary box masks, same grid.
    """
    return dice(
        logits.max(dim=1, keepdim=True)[0],
        box_targets.max(dim=1, keepdim=True)[0],
        reduction_override='none') + dice(
            logits.max(dim=2, keepdim=True)[0],
            box_targets.max(dim=2, keepdim=True)[0],
            reduction_override='none')


def box_side_loss(logits: Tensor, box_targets: Tensor,
                  inside: bool = False) -> Tensor:
    """Mean binary cross-entropy (N,) over the cells on one side of the
    box: towards background outside it (``inside=False``), or towards
    foreground inside it (``inside=True``, the box-as-mask prior); 0 where
    that side has no cell.

    Outside: the projection term's zero rows and columns as pixels.

    On a grid whose axes are the box's (a rotated RoI frame), the cells
    outside the box are exactly the rows and columns whose projection
    target is 0: the term adds no constraint to :func:`projection_loss`,
    only a gradient on every such cell instead of on each row's maximum.

    Args:
        logits (Tensor): (N, H, W) mask logits.
        box_targets (Tensor): (N, H, W) binary box masks, same grid.
    """
    side = box_targets if inside else 1.0 - box_targets
    bce = F.binary_cross_entropy_with_logits(
        logits, torch.full_like(logits, float(inside)), reduction='none')
    return (bce * side).flatten(1).sum(1) / side.flatten(1).sum(1).clamp(
        min=1.0)


def pseudo_pixel_loss(dice, logits: Tensor, pseudo_targets: Tensor,
                      trust: Tensor) -> Tensor:
    """BoxTeacher's noise-aware pixel term (N,): ``s_k dice(x_k, t_k)``.

    Args:
        logits, pseudo_targets (Tensor): (N, H, W) logits and binary pseudo
            masks on the same grid.
        trust (Tensor): (N,) mask-aware confidences s_k (0: unmatched).
    """
    return dice(logits, pseudo_targets, reduction_override='none') * trust


def pseudo_affinity_loss(disagreement: Tensor, pseudo_targets: Tensor,
                         box_targets: Tensor, trust: Tensor, size: int,
                         dilation: int, threshold: float) -> Tensor:
    """BoxTeacher's noise-reduced affinity term (N,): ``s_k L_k`` with
    ``L_k = sum(P W) / max(sum W, 1)``, ``W = 1[A >= threshold] * box``.

    Args:
        disagreement (Tensor): (N, size**2 - 1, H, W) from
            :func:`pairwise_disagreement` of the logits.
        pseudo_targets, box_targets (Tensor): (N, H, W) binary masks.
        trust (Tensor): (N,) mask-aware confidences.
    """
    edge_w = (pseudo_mask_affinity(pseudo_targets, size, dilation) >=
              threshold).float() * box_targets[:, None]
    per_inst = (disagreement * edge_w).flatten(1).sum(1) / \
        edge_w.flatten(1).sum(1).clamp(min=1.0)
    return per_inst * trust


class PseudoMaskTermsMixin:
    """BoxTeacher's pseudo-mask terms for RoI-grid mask heads (put it
    before the mmdet head among the bases): the weights as keyword
    arguments, the head's ``loss_mask`` as the dice.

    Args:
        mask_weight (float): noise-aware pixel term. Default 0.5.
        affinity_weight (float): noise-reduced affinity term. Default 0.1.
        affinity_thr (float): pseudo-mask affinity threshold. Default 0.5.
        pseudo_warmup_iters (int): linear warm-up of both. Default 10000.
        pairwise_size, pairwise_dilation (int): neighbourhood. Default 3, 2.
    """

    def __init__(self,
                 *args,
                 mask_weight: float = 0.5,
                 affinity_weight: float = 0.1,
                 affinity_thr: float = 0.5,
                 pseudo_warmup_iters: int = 10000,
                 pairwise_size: int = 3,
                 pairwise_dilation: int = 2,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mask_weight = mask_weight
        self.affinity_weight = affinity_weight
        self.affinity_thr = affinity_thr
        self.pseudo_warmup_iters = pseudo_warmup_iters
        self.pairwise_size = pairwise_size
        self.pairwise_dilation = pairwise_dilation

    def pseudo_terms(self, logits: Tensor, pseudo_targets: Tensor,
                     trust: Tensor, box_targets: Tensor) -> dict:
        """The two terms on one RoI grid, each summed over the RoIs and
        divided by the number of RoIs with a matched pseudo mask (a tensor:
        no host sync), warmed up linearly.

        Args:
            logits, pseudo_targets, box_targets (Tensor): (N, S, S), the
                targets binary.
            trust (Tensor): (N,) mask-aware confidences (0: unmatched).

        Returns:
            dict: ``loss_mask`` (pixel term) and ``loss_mask_affinity``.
        """
        ramp = linear_warmup(self.pseudo_warmup_iters)
        norm = (trust > 0).sum().clamp(min=1)
        pixel = pseudo_pixel_loss(self.loss_mask, logits, pseudo_targets,
                                  trust).sum()
        affinity = pseudo_affinity_loss(
            pairwise_disagreement(logits, self.pairwise_size,
                                  self.pairwise_dilation), pseudo_targets,
            box_targets, trust, self.pairwise_size, self.pairwise_dilation,
            self.affinity_thr).sum()
        return dict(
            loss_mask=self.mask_weight * ramp * pixel / norm,
            loss_mask_affinity=self.affinity_weight * ramp * affinity / norm)
