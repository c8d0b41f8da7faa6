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


def rgb_to_lab(rgb: Tensor) -> Tensor:
    """CIE LAB (D65, 2-degree observer) of sRGB images, as scikit-image's
    ``rgb2lab`` (which BoxInst's data preprocessor uses on the CPU), in
    torch so that it runs where the images are.

    Args:
        rgb (Tensor): (B, 3, H, W) RGB values in [0, 255].

    Returns:
        Tensor: (B, 3, H, W) L in [0, 100], a and b roughly in [-128, 127].
    """
    c = (rgb.float() / 255.0).clamp(0.0, 1.0)
    linear = torch.where(c > 0.04045, ((c + 0.055) / 1.055)**2.4, c / 12.92)
    to_xyz = linear.new_tensor([[0.412453, 0.357580, 0.180423],
                                [0.212671, 0.715160, 0.072169],
                                [0.019334, 0.119193, 0.950227]])
    white = linear.new_tensor([0.95047, 1.0, 1.08883])
    xyz = torch.einsum('ij,bjhw->bihw', to_xyz, linear)
    xyz = xyz / white[:, None, None]
    f = torch.where(xyz > 0.008856, xyz.clamp(min=1e-12)**(1 / 3),
                    7.787 * xyz + 16 / 116)
    fx, fy, fz = f.unbind(1)
    return torch.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], 1)


def colour_similarity(lab: Tensor, size: int = 3,
                      dilation: int = 2) -> Tensor:
    """BoxInst's neighbour colour similarity exp(-||lab_i - lab_j|| / 2).

    Args:
        lab (Tensor): (K, 3, H, W) LAB colours on any grid (the image, or
            an RoI frame).

    Returns:
        Tensor: (K, size**2 - 1, H, W) similarities in (0, 1].
    """
    nb = unfold_wo_center(lab, kernel_size=size, dilation=dilation)
    return torch.exp(-torch.norm(lab[:, :, None] - nb, dim=1) * 0.5)
