"""Paste axis-aligned box masks into the image, many masks per call."""
import torch
import torch.nn.functional as F

# pixels of one grid_sample call (its grid is 2 floats per pixel): ~200 MB
_CROP_PIXELS_PER_CALL = 1 << 24


def _crop_bounds(boxes, img_h, img_w):
    """Each box's paste window as mmdet's CPU paste takes it: the box
    widened to whole pixels plus one, clipped to the image. (N, 4) int64
    x0, y0, x1, y1."""
    x0y0 = (boxes[:, :2].floor() - 1).clamp(min=0)
    x1 = (boxes[:, 2].ceil() + 1).clamp(max=img_w)
    y1 = (boxes[:, 3].ceil() + 1).clamp(max=img_h)
    return torch.cat([x0y0, x1[:, None], y1[:, None]], 1).long()


def _grid_axis(start, size, lo, hi):
    """Normalised sample coordinates of pixel centres ``start + i + 0.5``
    for i < size, in boxes spanning [lo, hi]: (N, size); a degenerate box's
    infinities become 0, as in mmdet."""
    centres = (start[:, None] + torch.arange(
        size, device=start.device)[None]).float() + 0.5
    coords = (centres - lo[:, None]) / (hi - lo)[:, None] * 2 - 1
    return coords.masked_fill(torch.isinf(coords), 0)


def paste_masks_in_boxes(mask_probs, boxes, img_h, img_w, threshold=0.5):
    """Paste (N, S, S) box-frame mask probabilities into (N, H, W) images,
    bilinearly, each inside its box's window (box +- 1 pixel, as mmdet's
    CPU paste does one mask at a time with ``skip_empty``), many masks per
    ``grid_sample`` call: the windows of a call are padded to the largest
    and the padding is not written. Every pixel gets the value mmdet's
    per-mask paste gives it (the same coordinates, the same sampler);
    tests compare the two bit for bit.

    Runs on the masks' device; the window sizes are read on the host once
    (to group masks into calls of about 2^24 padded window pixels each).

    Args:
        mask_probs (Tensor): (N, S_h, S_w) probabilities.
        boxes (Tensor): (N, 4) x0, y0, x1, y1 in the output's pixels.
        img_h, img_w (int): the output's size.
        threshold (float): binarisation threshold (>= 0: bool output);
            negative: the probabilities, float.

    Returns:
        Tensor: (N, H, W) bool, or float for a negative ``threshold``.
    """
    num = len(mask_probs)
    binary = threshold >= 0
    out = mask_probs.new_zeros(
        (num, img_h, img_w), dtype=torch.bool if binary else torch.float32)
    if num == 0:
        return out
    bounds = _crop_bounds(boxes, img_h, img_w)
    sizes = (bounds[:, 2:] - bounds[:, :2]).clamp(min=0)  # (N, 2) w, h
    # calls of consecutive masks whose padded windows fit the budget
    pixels = sizes.prod(1).tolist()
    calls, start, widest = [], 0, 0
    for i, window in enumerate(pixels):
        widest = max(widest, window)
        if i > start and widest * (i + 1 - start) > _CROP_PIXELS_PER_CALL:
            calls.append(slice(start, i))
            start, widest = i, window
    calls.append(slice(start, num))
    for part in calls:
        b, lo = boxes[part], bounds[part, :2]
        w, h = (int(v) for v in sizes[part].max(0).values)
        gx = _grid_axis(lo[:, 0], w, b[:, 0], b[:, 2])
        gy = _grid_axis(lo[:, 1], h, b[:, 1], b[:, 3])
        n = len(gx)
        grid = torch.stack([gx[:, None, :].expand(n, h, w),
                            gy[:, :, None].expand(n, h, w)], dim=3)
        pasted = F.grid_sample(mask_probs[part, None].float(), grid,
                               align_corners=False)[:, 0]
        if binary:
            pasted = pasted >= threshold
        # write the windows only: (mask, row, col) of each window pixel
        rows = torch.arange(h, device=out.device)
        cols = torch.arange(w, device=out.device)
        inside = (rows[None, :, None] < sizes[part, 1, None, None]) & \
            (cols[None, None, :] < sizes[part, 0, None, None])
        m, r, c = torch.nonzero(inside, as_tuple=True)
        out[part.start + m, lo[m, 1] + r, lo[m, 0] + c] = pasted[m, r, c]
    return out
