"""Masks in the frame of a rotated box: crop into it and paste back.

A rotated box ``(cx, cy, w, h, theta)`` (le90, clockwise in image
coordinates, pixel (x, y) covering [x, x + 1)) defines a frame whose u axis
runs along w and v axis along h. ``crop_masks_to_rboxes`` resamples image
masks into an S x S grid over that frame (Rotated Mask R-CNN's mask targets);
``paste_masks_from_rboxes`` maps S x S predictions back onto the image
through the inverse rotation (its test-time output).
"""
import torch
import torch.nn.functional as F
from mmcv.ops import RoIAlignRotated

# paste at most this many mask-pixels per chunk (~128 MB of float32)
_PASTE_CHUNK_ELEMENTS = 1 << 25


def crop_masks_to_rboxes(masks, rboxes, mask_inds, out_size,
                         sampling_ratio=2):
    """Resample masks into the frames of rotated boxes.

    Args:
        masks (Tensor): (G, H, W) binary or soft masks.
        rboxes (Tensor): (M, 5) rotated boxes.
        mask_inds (Tensor): (M, ) index into ``masks`` for every box.
        out_size (int | tuple[int, int]): S or (S_h, S_w).
        sampling_ratio (int): samples per output cell and axis.

    Returns:
        Tensor: (M, S_h, S_w) mask values in [0, 1] (soft at edges).
    """
    if isinstance(out_size, int):
        out_size = (out_size, out_size)
    if rboxes.numel() == 0:
        return masks.new_zeros((0, ) + tuple(out_size), dtype=torch.float32)
    rois = torch.cat([mask_inds[:, None].to(rboxes), rboxes], dim=1)
    align = RoIAlignRotated(
        out_size, spatial_scale=1.0, sampling_ratio=sampling_ratio,
        aligned=True, clockwise=True)
    return align(masks[:, None].float(), rois.float()).squeeze(1)


def rbox_frame_grid(rboxes, height, width):
    """Coordinates of every image pixel centre in each box's frame.

    Returns:
        Tensor: (M, H, W, 2) with (u, v) scaled so the box spans [-1, 1],
        as ``grid_sample(align_corners=False)`` reads a grid.
    """
    cx, cy, w, h, theta = rboxes.float().unbind(dim=1)
    ys = torch.arange(height, device=rboxes.device, dtype=torch.float32)
    xs = torch.arange(width, device=rboxes.device, dtype=torch.float32)
    dy = (ys + 0.5)[None, :, None] - cy[:, None, None]
    dx = (xs + 0.5)[None, None, :] - cx[:, None, None]
    cos, sin = torch.cos(theta)[:, None, None], torch.sin(theta)[:, None, None]
    u = (dx * cos + dy * sin) / (w[:, None, None] / 2).clamp(min=1e-6)
    v = (dy * cos - dx * sin) / (h[:, None, None] / 2).clamp(min=1e-6)
    return torch.stack([u, v], dim=-1)


def enlarge_rboxes(rboxes, scale):
    """Rotated boxes (M, 5) with w and h multiplied by ``scale`` (a number,
    or ``(s_w, s_h)``), centre and angle kept: the frames masks are
    predicted in when a head looks past its box. Returns a new tensor."""
    s_w, s_h = (scale, scale) if isinstance(scale, (int, float)) else scale
    out = rboxes.clone()
    if (s_w, s_h) != (1, 1):
        out[:, 2] *= s_w
        out[:, 3] *= s_h
    return out


def rbox_masks_in_frames(rboxes, frames, out_size):
    """Rotated boxes rasterised in the frames of other rotated boxes.

    Cell (i, j) of frame k is 1 where its centre (the point
    ``RoIAlignRotated(aligned=True, clockwise=True)`` samples at the middle
    of that bin) lies inside ``rboxes[k]``: the box-supervised analogue of
    :func:`crop_masks_to_rboxes`, exact and without an image-sized mask.
    Pure tensor arithmetic, no host sync: runs where the boxes are.

    Args:
        rboxes (Tensor): (M, 5) boxes to rasterise.
        frames (Tensor): (M, 5) boxes whose frames hold the grids.
        out_size (int | tuple[int, int]): S or (S_h, S_w).

    Returns:
        Tensor: (M, S_h, S_w) float masks of 0 and 1.
    """
    if isinstance(out_size, int):
        out_size = (out_size, out_size)
    s_h, s_w = out_size
    cx, cy, w, h, theta = frames.float()[:, :, None, None].unbind(dim=1)
    steps_v = (torch.arange(s_h, device=frames.device) + 0.5) / s_h - 0.5
    steps_u = (torch.arange(s_w, device=frames.device) + 0.5) / s_w - 0.5
    v = steps_v[None, :, None] * h
    u = steps_u[None, None, :] * w
    cos, sin = torch.cos(theta), torch.sin(theta)
    xs = cx + u * cos - v * sin
    ys = cy + u * sin + v * cos
    gx, gy, gw, gh, gt = rboxes.float()[:, :, None, None].unbind(dim=1)
    dx, dy = xs - gx, ys - gy
    g_cos, g_sin = torch.cos(gt), torch.sin(gt)
    inside = ((dx * g_cos + dy * g_sin).abs() <= gw / 2) & (
        (dy * g_cos - dx * g_sin).abs() <= gh / 2)
    return inside.float()


def points_in_rboxes(points, rboxes):
    """Which points (P, 2) lie inside which rotated boxes (K, 5): (K, P)."""
    cx, cy, w, h, theta = rboxes.float()[:, :, None].unbind(dim=1)
    dx = points[None, :, 0].float() - cx
    dy = points[None, :, 1].float() - cy
    cos, sin = torch.cos(theta), torch.sin(theta)
    u = dx * cos + dy * sin
    v = dy * cos - dx * sin
    return (u.abs() <= w / 2) & (v.abs() <= h / 2)


def paste_masks_from_rboxes(mask_probs, rboxes, img_shape, threshold=0.5):
    """Map box-frame masks back onto the image.

    Args:
        mask_probs (Tensor): (M, S_h, S_w) probabilities in the box frames.
        rboxes (Tensor): (M, 5) rotated boxes in image coordinates.
        img_shape (tuple[int, int]): (H, W) of the output.
        threshold (float): binarisation threshold; a negative value returns
            the soft probabilities.

    Returns:
        Tensor: (M, H, W) bool masks (float if ``threshold`` < 0).
    """
    height, width = int(img_shape[0]), int(img_shape[1])
    num = mask_probs.size(0)
    binary = threshold >= 0
    out = mask_probs.new_zeros(
        (num, height, width), dtype=torch.bool if binary else torch.float32)
    chunk = max(1, _PASTE_CHUNK_ELEMENTS // max(height * width, 1))
    for start in range(0, num, chunk):
        sl = slice(start, start + chunk)
        grid = rbox_frame_grid(rboxes[sl], height, width)
        pasted = F.grid_sample(
            mask_probs[sl, None].float(), grid, mode='bilinear',
            padding_mode='zeros', align_corners=False)[:, 0]
        out[sl] = pasted >= threshold if binary else pasted
    return out
