"""Keypoints in the frame of a (rotated) box: heatmap targets, decoding,
headings.

A frame is a rotated box ``(cx, cy, w, h, theta)`` (le90 convention of
``rotated_mask_ops``; an axis-aligned box is the frame with theta 0). Its
``S_h x S_w`` grid is the one ``RoIAlignRotated(aligned=True,
clockwise=True)`` pools: cell ``(i, j)`` covers ``a = u / w + 1/2`` in
``[j, j + 1) / S_w`` and ``b = v / h + 1/2`` in ``[i, i + 1) / S_h``, where
``(u, v)`` are the point's coordinates along w and h from the centre.

Everything here is tensor arithmetic without a host sync: it runs on the
device of its inputs (CPU or CUDA) with the same results.
"""
import math

import torch
import torch.nn.functional as F


def image_to_frame(points, frames):
    """Image points to normalised frame coordinates.

    Args:
        points (Tensor): (M, K, 2) image (x, y), pixel (x, y) covering
            ``[x, x + 1)``.
        frames (Tensor): (M, 5) rotated boxes.

    Returns:
        Tensor: (M, K, 2) ``(a, b)``, in ``[0, 1)`` inside the frame.
    """
    cx, cy, w, h, theta = frames.float()[:, :, None].unbind(dim=1)
    dx = points[..., 0].float() - cx
    dy = points[..., 1].float() - cy
    cos, sin = torch.cos(theta), torch.sin(theta)
    a = (dx * cos + dy * sin) / w.clamp(min=1e-6) + 0.5
    b = (dy * cos - dx * sin) / h.clamp(min=1e-6) + 0.5
    return torch.stack([a, b], dim=-1)


def frame_to_image(coords, frames):
    """Inverse of :func:`image_to_frame`: (M, K, 2) ``(a, b)`` to image
    (x, y)."""
    cx, cy, w, h, theta = frames.float()[:, :, None].unbind(dim=1)
    u = (coords[..., 0] - 0.5) * w
    v = (coords[..., 1] - 0.5) * h
    cos, sin = torch.cos(theta), torch.sin(theta)
    return torch.stack([cx + u * cos - v * sin, cy + u * sin + v * cos],
                       dim=-1)


def keypoint_heatmap_targets(keypoints, frames, size):
    """Keypoint R-CNN's targets: the heatmap cell holding each keypoint.

    Args:
        keypoints (Tensor): (M, K, 3) image (x, y, visibility) of the GT
            instance of each RoI.
        frames (Tensor): (M, 5) the RoIs' frames.
        size (tuple[int, int]): heatmap (S_h, S_w).

    Returns:
        tuple[Tensor, Tensor]: (M, K) long flat cell index ``i * S_w + j``,
        and (M, K) bool validity: labelled (visibility > 0, both COCO's
        visible and occluded, as Detectron's Keypoint R-CNN) and inside the
        frame.
    """
    s_h, s_w = size
    coords = image_to_frame(keypoints[..., :2], frames)
    cols = torch.floor(coords[..., 0] * s_w)
    rows = torch.floor(coords[..., 1] * s_h)
    valid = (keypoints[..., 2] > 0) & (cols >= 0) & (cols < s_w) & \
        (rows >= 0) & (rows < s_h)
    index = (rows.clamp(0, s_h - 1) * s_w + cols.clamp(0, s_w - 1)).long()
    return index, valid


def decode_keypoint_heatmaps(logits, frames):
    """Heatmap peaks, refined to sub-cell precision, as image points.

    The peak cell's offset along each axis is the vertex of the parabola
    through the log-probabilities of the peak and its two neighbours
    (clamped to half a cell; none at the grid border).

    Args:
        logits (Tensor): (M, K, S_h, S_w) heatmap logits.
        frames (Tensor): (M, 5) frames the heatmaps cover.

    Returns:
        tuple[Tensor, Tensor]: (M, K, 2) image (x, y), and (M, K) scores:
        the softmax probability of the peak cell.
    """
    m, k, s_h, s_w = logits.shape
    log_probs = F.log_softmax(logits.float().flatten(2), dim=2)
    peak_log_prob, index = log_probs.max(dim=2)
    rows, cols = index // s_w, index % s_w
    maps = log_probs.view(m, k, s_h, s_w)

    def refine(centre, along_rows):
        size = s_h if along_rows else s_w
        offsets = []
        for step in (-1, 1):
            r = (rows + step).clamp(0, s_h - 1) if along_rows else rows
            c = cols if along_rows else (cols + step).clamp(0, s_w - 1)
            offsets.append(maps.flatten(2).gather(
                2, (r * s_w + c)[..., None])[..., 0])
        prev, nxt = offsets
        curvature = prev - 2 * peak_log_prob + nxt
        delta = 0.5 * (prev - nxt) / curvature.clamp(max=-1e-6)
        inner = (centre > 0) & (centre < size - 1)
        return torch.where(inner, delta.clamp(-0.5, 0.5),
                           torch.zeros_like(delta))

    a = (cols + 0.5 + refine(cols, False)) / s_w
    b = (rows + 0.5 + refine(rows, True)) / s_h
    points = frame_to_image(torch.stack([a, b], dim=-1), frames)
    return points, peak_log_prob.exp()


def keypoint_headings(keypoints, tail=1, head=0):
    """Heading over the full circle, from keypoint ``tail`` to ``head``.

    Args:
        keypoints (Tensor): (N, K, 2 or 3) image points.
        tail, head (int): keypoint indices (defaults: ``end`` -> ``tip`` of
            the dense-scene categories).

    Returns:
        Tensor: (N,) radians in ``(-pi, pi]``, image axes (x right, y
        down, so positive angles turn clockwise on screen).
    """
    d = keypoints[:, head, :2] - keypoints[:, tail, :2]
    return torch.atan2(d[:, 1], d[:, 0])


def axis_direction_log_odds(logits, tail=1, head=0):
    """How much more likely keypoint ``head`` lies at the frame's +u end
    (and ``tail`` at the -u end) than the other way round.

    Each heatmap's probability mass is split between the +u and -u halves
    of its frame; the log-odds compare the two assignments of the pair.
    For objects whose two keypoints sit at the two ends of the box (a
    stick's tip and end), this reads the direction from all the heatmaps'
    evidence, and holds when both peaks land on the same end.

    Args:
        logits (Tensor): (M, K, S_h, S_w) heatmap logits.

    Returns:
        Tensor: (M,) log-odds; > 0 means ``head`` is at +u.
    """
    s_w = logits.shape[-1]
    probs = F.softmax(logits.float().flatten(2), dim=2).view(logits.shape)
    plus = probs[..., (s_w + 1) // 2:].sum(dim=(2, 3))
    minus = probs[..., :s_w // 2].sum(dim=(2, 3))
    log_plus, log_minus = plus.clamp(min=1e-12).log(), \
        minus.clamp(min=1e-12).log()
    return (log_plus[:, head] + log_minus[:, tail]) - \
        (log_minus[:, head] + log_plus[:, tail])


def axis_headings(theta, log_odds):
    """Box axis angles (N,) pointed by ``log_odds`` (N,): theta where
    > 0, else theta + pi; radians in (-pi, pi]."""
    heading = torch.where(log_odds > 0, theta, theta + math.pi)
    return math.pi - torch.remainder(math.pi - heading, 2 * math.pi)


def angle_difference(a, b):
    """Absolute difference of angles (radians), wrapped to ``[0, pi]``."""
    d = torch.remainder(a - b + math.pi, 2 * math.pi) - math.pi
    return d.abs()
