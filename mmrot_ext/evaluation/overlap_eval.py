"""COCO mask evaluation under other overlaps, and the metrics built on it.

Latent-MaskRCNN (``../shared/seeds/003_*``) scores high-precision output with
Intersection-over-Prediction and high-recall output with
Intersection-over-Ground-truth:

* ``IoP(m, g) = |m & g| / |m|``: high when a mask does not spill over other
  objects (under-segmentation is what makes a robot pick two items);
* ``IoG(m, g) = |m & g| / |g|``: high when a mask covers its object.

:class:`OverlapCOCOeval` is pycocotools' ``COCOeval`` with ``computeIoU``
returning one of IoU, IoP, IoG. The intersection comes from pycocotools' IoU
and the two areas: ``I = iou (Ad + Ag) / (1 + iou)``, rounded to the integer
pixel count it is. Crowd ground truth
keeps pycocotools' own crowd overlap (intersection over the detection).
Every other step (matching, accumulation) is stock pycocotools.
"""
import contextlib
import copy
import io

import numpy as np
import pycocotools.mask as mask_util
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from .coco_pairs import gts_and_ranked_dets

OVERLAPS = ('iou', 'iop', 'iog')
HIGH_THRS = (0.75, 0.8, 0.85, 0.9, 0.95)


class OverlapCOCOeval(COCOeval):
    """``COCOeval`` (segm) whose matching overlap is IoU, IoP or IoG."""

    def __init__(self, coco_gt, coco_dt, overlap='iou'):
        if overlap not in OVERLAPS:
            raise ValueError(f'overlap must be one of {OVERLAPS}, got '
                             f'{overlap!r}')
        super().__init__(coco_gt, coco_dt, 'segm')
        self.overlap = overlap

    def computeIoU(self, img_id, cat_id):  # noqa: N802 (pycocotools' name)
        ious = super().computeIoU(img_id, cat_id)
        if self.overlap == 'iou' or len(ious) == 0:
            return ious
        gt, dt = gts_and_ranked_dets(self, img_id, cat_id)
        area_d = mask_util.area([d['segmentation'] for d in dt])[:, None]
        area_g = mask_util.area([g['segmentation'] for g in gt])[None]
        # pixel counts are integers: rounding makes IoP / IoG exact, so
        # thresholds hit exactly (e.g. 3/4 at 0.75) behave as with masks
        inter = np.rint(ious * (area_d + area_g) / (1 + ious))
        overlap = inter / np.maximum(
            area_d if self.overlap == 'iop' else area_g, 1e-8)
        crowd = np.array([bool(g['iscrowd']) for g in gt])
        return np.where(crowd[None], ious, overlap)


def _coco(data):
    coco = COCO()
    coco.dataset = copy.deepcopy(data)
    coco.createIndex()
    return coco


def run_overlap_eval(gt, preds, overlap='iou', iou_thrs=None,
                     max_dets=(1, 10, 100), rec_thrs=None):
    """Evaluate masks with one overlap; returns the accumulated evaluator.

    Args:
        gt (dict): COCO ground truth with masks.
        preds (list[dict]): ``{image_id, category_id, segmentation (RLE),
            score}``; not modified.
        iou_thrs (sequence[float], optional): overlap thresholds (default
            0.50:0.05:0.95).
        rec_thrs (sequence[float], optional): recall grid (default COCO's
            101 points).
    """
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools' chatter
        coco_gt = _coco(gt)
        preds = [{k: v for k, v in p.items() if k != 'bbox'} for p in preds]
        coco_dt = coco_gt.loadRes(preds) if preds else COCO()
        if not preds:
            coco_dt.dataset = dict(images=gt['images'], annotations=[],
                                   categories=gt['categories'])
            coco_dt.createIndex()
        ev = OverlapCOCOeval(coco_gt, coco_dt, overlap)
        if iou_thrs is not None:
            ev.params.iouThrs = np.asarray(iou_thrs, dtype=float)
        if rec_thrs is not None:
            ev.params.recThrs = np.asarray(rec_thrs, dtype=float)
        ev.params.maxDets = list(max_dets)
        ev.evaluate()
        ev.accumulate()
    return ev


def _threshold_index(thrs, value, tol=1e-6):
    """Index of ``value`` in ``thrs`` within ``tol`` (never float ==)."""
    hits = np.flatnonzero(np.abs(np.asarray(thrs) - value) < tol)
    if not hits.size:
        raise ValueError(f'threshold {value} not among {list(thrs)}')
    return int(hits[0])


def max_recall_at_high_precision(ev, precision_thrs=HIGH_THRS,
                                 overlap_thrs=HIGH_THRS):
    """MR@HP: mean over precision thresholds p, overlap thresholds j and
    categories of the largest recall at which precision >= p (0 if never).

    Args:
        ev (OverlapCOCOeval): accumulated, normally with ``overlap='iop'``;
            area 'all' and the last maxDets are used.

    Returns:
        float
    """
    precision = ev.eval['precision'][..., 0, -1]  # (T, R, K)
    rec_thrs = np.asarray(ev.params.recThrs)
    values = []
    for j in overlap_thrs:
        t = _threshold_index(ev.params.iouThrs, j)
        for p in precision_thrs:
            for k in range(precision.shape[2]):
                ok = np.flatnonzero(precision[t, :, k] >= p - 1e-12)
                values.append(rec_thrs[ok[-1]] if ok.size else 0.0)
    return float(np.mean(values))


def average_recall(ev):
    """COCO AR (area all, last maxDets) over the evaluator's thresholds;
    with ``overlap='iog'`` this is the paper's AR-IoG."""
    recall = ev.eval['recall'][:, :, 0, -1]
    valid = recall[recall > -1]
    return float(valid.mean()) if valid.size else -1.0


def mean_average_precision(ev):
    """COCO AP (area all, last maxDets)."""
    precision = ev.eval['precision'][..., 0, -1]
    valid = precision[precision > -1]
    return float(valid.mean()) if valid.size else -1.0
