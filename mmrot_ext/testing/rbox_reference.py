"""Exact rotated-box references built on shapely (float64 polygon overlay),
independent of mmcv and of our kernel: for tests and benchmarks."""
import numpy as np
import shapely


def rbox_polygons(rboxes):
    """shapely polygons (N, ) of rotated boxes (N, 5) (mmcv's convention)."""
    b = np.asarray(rboxes, dtype=np.float64).reshape(-1, 5)
    cx, cy, w, h, t = b.T
    cos, sin = np.cos(t)[:, None], np.sin(t)[:, None]
    u = np.stack([-w, w, w, -w], axis=1) / 2
    v = np.stack([-h, -h, h, h], axis=1) / 2
    xy = np.stack([cx[:, None] + u * cos - v * sin,
                   cy[:, None] + u * sin + v * cos], axis=-1)
    return shapely.polygons(xy)


def exact_rbox_overlaps(rboxes1, rboxes2, mode='iou', aligned=False):
    """float64 IoU / IoF (over the area of ``rboxes1``): (M, N), or (N, )
    for aligned pairs."""
    p1, p2 = rbox_polygons(rboxes1), rbox_polygons(rboxes2)
    if not aligned:
        p1, p2 = np.repeat(p1, len(p2)), np.tile(p2, len(p1))
    inter = shapely.area(shapely.intersection(p1, p2))
    a1, a2 = shapely.area(p1), shapely.area(p2)
    out = inter / a1 if mode == 'iof' else inter / (a1 + a2 - inter)
    return out if aligned else out.reshape(len(rboxes1), len(rboxes2))


def exact_greedy_nms(rboxes, scores, iou_threshold):
    """Indices kept by textbook greedy NMS (IoU > threshold suppresses), in
    descending score order (stable on ties)."""
    scores = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-scores, kind='stable')
    ious = exact_rbox_overlaps(np.asarray(rboxes)[order],
                               np.asarray(rboxes)[order])
    alive = np.ones(len(order), bool)
    keep = []
    for k in range(len(order)):
        if alive[k]:
            keep.append(order[k])
            alive[k + 1:] &= ious[k, k + 1:] <= iou_threshold
    return np.array(keep, dtype=np.int64)
