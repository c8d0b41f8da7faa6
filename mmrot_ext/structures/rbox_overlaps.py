"""Exact rotated-box IoU that skips pairs which cannot reach a useful value.

Values are exact to float64 rounding (then stored as float32): identical
boxes give 1, boxes sharing an edge their true IoU (mmcv's float32
``box_iou_rotated`` can halve it, see docs/rotated-ops.md), every value lies
in [0, 1], and geometrically equal pairs give bitwise equal values, so
mmdet's ``==`` ties between a GT's best anchors stay ties.

Cheap, exact upper bounds decide which pairs are worth clipping: boxes whose
axis-aligned envelopes do not meet have IoU 0, and since a box lies inside
its envelope, ``IoU <= m / (a + b - m)`` where ``m`` bounds the
intersection: ``min(a, b, envelope overlap, s_b * d_a, s_a * d_b,
s_a * s_b / |sin(phi)|)``. A box lies in a strip as wide as its short side
``s`` along its long axis; any box crosses such a strip over at most its
diagonal ``d``, and two strips at an angle ``phi`` meet in a parallelogram of
area ``s_a * s_b / |sin(phi)|``.

Devices: CPU tensors go through the compiled kernel (``rbox_kernel``, one
call for the whole matrix); CUDA tensors through the vectorised torch
implementation below (float64, one host sync per call to select the pairs).
Both compute the same polygon, tested against shapely.
"""
import torch

from . import rbox_kernel

MIN_SIDE = 1e-3


def rbox_envelopes(rboxes):
    """Axis-aligned envelopes (N, 4) xyxy of rotated boxes (N, 5)."""
    cx, cy, w, h, t = rboxes.unbind(dim=-1)
    cos, sin = torch.cos(t).abs(), torch.sin(t).abs()
    ex = w / 2 * cos + h / 2 * sin
    ey = w / 2 * sin + h / 2 * cos
    return torch.stack([cx - ex, cy - ey, cx + ex, cy + ey], dim=-1)


def rbox_iou_upper_bound(rboxes1, rboxes2):
    """An upper bound (M, N) of the IoU of rotated boxes (M, 5), (N, 5).

    Exactly 0 where the envelopes do not meet.
    """
    e1, e2 = rbox_envelopes(rboxes1), rbox_envelopes(rboxes2)
    ix = (torch.minimum(e1[:, None, 2], e2[None, :, 2]) -
          torch.maximum(e1[:, None, 0], e2[None, :, 0])).clamp(min=0)
    iy = (torch.minimum(e1[:, None, 3], e2[None, :, 3]) -
          torch.maximum(e1[:, None, 1], e2[None, :, 1])).clamp(min=0)
    w1, h1 = rboxes1[:, 2, None], rboxes1[:, 3, None]
    w2, h2 = rboxes2[None, :, 2], rboxes2[None, :, 3]
    a1, a2 = w1 * h1, w2 * h2
    s1, s2 = torch.minimum(w1, h1), torch.minimum(w2, h2)
    # long-axis directions
    t1 = rboxes1[:, 4, None] + (w1 < h1) * (torch.pi / 2)
    t2 = rboxes2[None, :, 4] + (w2 < h2) * (torch.pi / 2)
    crossing = s1 * s2 / torch.sin(t1 - t2).abs().clamp(min=1e-6)
    strip = torch.minimum(s2 * torch.sqrt(w1**2 + h1**2),
                          s1 * torch.sqrt(w2**2 + h2**2))
    inter = torch.minimum(
        torch.minimum(torch.minimum(a1, a2), ix * iy),
        torch.minimum(strip, crossing))
    return inter / (a1 + a2 - inter).clamp(min=1e-12)


def prepared_rboxes(rboxes):
    """float64 contiguous copy (N, 5) with sides clamped to >= 1e-3."""
    boxes = rboxes.detach().to(torch.float64).clone().contiguous()
    boxes[:, 2:4].clamp_(min=MIN_SIDE)
    return boxes


def _corners(boxes):
    """Corners (K, 4, 2) of boxes (K, 5), in convex order."""
    cx, cy, w, h, t = boxes.unbind(dim=-1)
    cos, sin = torch.cos(t)[:, None], torch.sin(t)[:, None]
    u = torch.stack([-w, w, w, -w], dim=1) / 2
    v = torch.stack([-h, -h, h, h], dim=1) / 2
    return torch.stack([cx[:, None] + u * cos - v * sin,
                        cy[:, None] + u * sin + v * cos], dim=-1)


def _inside(points, boxes, margin):
    """(K, P) whether points (K, P, 2) lie in boxes (K, 5) (+ margin)."""
    d = points - boxes[:, None, :2]
    cos, sin = torch.cos(boxes[:, None, 4]), torch.sin(boxes[:, None, 4])
    u = d[..., 0] * cos + d[..., 1] * sin
    v = d[..., 1] * cos - d[..., 0] * sin
    return (u.abs() <= boxes[:, None, 2] / 2 + margin) & \
        (v.abs() <= boxes[:, None, 3] / 2 + margin)


def _cross(a, b):
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def rbox_intersection_areas(boxes1, boxes2):
    """Intersection areas (K, ) of the pairs of prepared boxes (K, 5).

    The torch twin of the compiled kernel (same polygon: corners inside the
    other box with a 1e-10 margin, edge crossings, ordered by angle around
    their centroid), on any device; float64 in, float64 out.
    """
    origin = boxes1[:, :2].clone()
    b1, b2 = boxes1.clone(), boxes2.clone()
    b1[:, :2] = 0
    b2[:, :2] -= origin
    c1, c2 = _corners(b1), _corners(b2)
    scale = torch.stack([b1[:, 2], b1[:, 3], b2[:, 2], b2[:, 3],
                         b2[:, 0].abs(), b2[:, 1].abs()], 1).amax(dim=1)
    margin = (1e-10 * scale)[:, None]
    r = c1.roll(-1, dims=1) - c1  # (K, 4, 2) edges of box 1
    d = c2.roll(-1, dims=1) - c2
    denom = _cross(r[:, :, None], d[:, None, :])  # (K, 4, 4)
    qp = c2[:, None, :] - c1[:, :, None]
    t = _cross(qp, d[:, None, :]) / denom
    s = _cross(qp, r[:, :, None]) / denom
    length = r.norm(dim=-1)[:, :, None] * d.norm(dim=-1)[:, None, :]
    crossing = (denom.abs() > 1e-12 * length) & (t >= -1e-10) & \
        (t <= 1 + 1e-10) & (s >= -1e-10) & (s <= 1 + 1e-10)
    hits = c1[:, :, None] + t[..., None] * r[:, :, None]
    points = torch.cat([c1, c2, hits.flatten(1, 2)], dim=1)  # (K, 24, 2)
    valid = torch.cat([_inside(c1, b2, margin), _inside(c2, b1, margin),
                       crossing.flatten(1)], dim=1)
    points = torch.where(valid[..., None], points, points.new_zeros(()))
    count = valid.sum(dim=1)
    centre = points.sum(dim=1) / count.clamp(min=1)[:, None]
    angle = torch.atan2(points[..., 1] - centre[:, None, 1],
                        points[..., 0] - centre[:, None, 0])
    angle = torch.where(valid, angle, angle.new_tensor(float('inf')))
    order = angle.argsort(dim=1)
    points = points.gather(1, order[..., None].expand(-1, -1, 2))
    valid = valid.gather(1, order)
    # invalid points (sorted last) repeat the first: zero-length edges
    points = torch.where(valid[..., None], points, points[:, :1])
    area = _cross(points, points.roll(-1, dims=1)).sum(dim=1).abs() / 2
    return torch.where(count >= 3, area, area.new_zeros(()))


def _pair_overlaps(b1, b2, iof):
    """float32 IoU / IoF (K, ) of prepared pairs (K, 5) with the torch
    implementation."""
    a1, a2 = b1[:, 2] * b1[:, 3], b2[:, 2] * b2[:, 3]
    inter = torch.minimum(rbox_intersection_areas(b1, b2),
                          torch.minimum(a1, a2))
    if iof:
        value = inter / a1
    else:
        value = inter / (a1 + a2 - inter).clamp(min=1e-300)
    return value.clamp(0, 1).float()


def sparse_rbox_overlaps(rboxes1, rboxes2, mode='iou', prune_below=0.0,
                         exact_row_max=False):
    """Exact IoU (or IoF: over the area of ``rboxes1``) matrix (M, N) of
    rotated boxes (M, 5) and (N, 5), float32, on their device.

    With ``prune_below > 0`` (mode 'iou') pairs whose IoU is certainly below
    it are reported as 0. With ``exact_row_max`` every row's maximum, and
    every entry equal to it, stays exact: rows whose best computed IoU is
    below ``prune_below`` are computed in full (a pruned pair of any other
    row is below its maximum).
    """
    if mode not in ('iou', 'iof'):
        raise ValueError(f"mode must be 'iou' or 'iof', got {mode!r}")
    rows, cols = rboxes1.size(0), rboxes2.size(0)
    iof = mode == 'iof'
    if rows * cols == 0:
        return rboxes1.new_zeros((rows, cols), dtype=torch.float32)
    b1, b2 = prepared_rboxes(rboxes1), prepared_rboxes(rboxes2)
    if b1.device.type == 'cpu':
        return rbox_kernel.overlaps(b1, b2, iof, prune_below, exact_row_max)
    out = b1.new_zeros((rows, cols), dtype=torch.float32)
    bound = rbox_iou_upper_bound(b1, b2)
    pruning = not iof and prune_below > 0
    candidates = bound >= prune_below - 1e-12 if pruning else bound > 0
    _fill(out, b1, b2, candidates, iof)
    if pruning and exact_row_max:
        short = out.max(dim=1).values < prune_below
        _fill(out, b1, b2, (bound > 0) & ~candidates & short[:, None], iof)
    return out


def _fill(out, b1, b2, pairs, iof):
    """Write the exact values of the (M, N) bool ``pairs`` into ``out``."""
    i, j = pairs.nonzero(as_tuple=True)
    if i.numel():
        out[i, j] = _pair_overlaps(b1[i], b2[j], iof)


def rbox_overlaps_aligned(rboxes1, rboxes2, mode='iou'):
    """Exact IoU / IoF (N, ) float32 of the pairs ``rboxes1[k]``,
    ``rboxes2[k]`` (N, 5), on their device."""
    if mode not in ('iou', 'iof'):
        raise ValueError(f"mode must be 'iou' or 'iof', got {mode!r}")
    if rboxes1.shape != rboxes2.shape:
        raise ValueError(f'aligned overlaps need equal shapes, got '
                         f'{tuple(rboxes1.shape)} and {tuple(rboxes2.shape)}')
    b1, b2 = prepared_rboxes(rboxes1), prepared_rboxes(rboxes2)
    if len(b1) == 0:
        return b1.new_zeros(0, dtype=torch.float32)
    if b1.device.type == 'cpu':
        return rbox_kernel.overlaps_aligned(b1, b2, mode == 'iof')
    return _pair_overlaps(b1, b2, mode == 'iof')
