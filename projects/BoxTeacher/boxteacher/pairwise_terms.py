"""Pairwise (neighbour) terms shared by the box-supervised mask losses.

Neighbours are the 8 pixels of a 3x3 window with dilation 2 (BoxInst),
taken with mmdet's ``unfold_wo_center``.
"""
import torch
import torch.nn.functional as F
from mmdet.models.utils.misc import unfold_wo_center
from torch import Tensor


def pairwise_disagreement(mask_logits: Tensor, size: int = 3,
                          dilation: int = 2) -> Tensor:
    """-log P(pixel and neighbour get the same label), from logits.

    P = x_i x_j + (1 - x_i)(1 - x_j) with x = sigmoid(logit), computed in
    log space for stability.

    Args:
        mask_logits (Tensor): (K, H, W) mask logits.

    Returns:
        Tensor: (K, size**2 - 1, H, W).
    """
    log_fg = F.logsigmoid(mask_logits)[:, None]
    log_bg = F.logsigmoid(-mask_logits)[:, None]
    fg_nb = unfold_wo_center(log_fg, kernel_size=size, dilation=dilation)
    bg_nb = unfold_wo_center(log_bg, kernel_size=size, dilation=dilation)
    same = torch.logaddexp(log_fg[:, :, None] + fg_nb,
                           log_bg[:, :, None] + bg_nb)
    return -same[:, 0]


def pseudo_mask_affinity(pseudo_masks: Tensor, size: int = 3,
                         dilation: int = 2) -> Tensor:
    """Affinity of neighbouring pixels under a smoothed pseudo mask.

    m~ = (avgpool3x3(t) + t) / 2, A_ij = m~_i m~_j + (1 - m~_i)(1 - m~_j).

    Args:
        pseudo_masks (Tensor): (K, H, W) binary pseudo masks.

    Returns:
        Tensor: (K, size**2 - 1, H, W) affinities in [0, 1].
    """
    t = pseudo_masks[:, None].float()
    smooth = (F.avg_pool2d(t, 3, stride=1, padding=1) + t) / 2
    nb = unfold_wo_center(smooth, kernel_size=size, dilation=dilation)
    return (smooth[:, :, None] * nb +
            (1 - smooth[:, :, None]) * (1 - nb))[:, 0]
