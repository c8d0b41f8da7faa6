"""IoP / IoG COCO evaluation, MR@HP and AR-IoG against hand-worked values
and against pycocotools with its IoU swapped by brute force."""
import numpy as np
import pycocotools.mask as mask_util
import pytest
from pycocotools.cocoeval import COCOeval

from mmrot_ext.evaluation.overlap_eval import (
    _coco,
    average_recall,
    max_recall_at_high_precision,
    mean_average_precision,
    run_overlap_eval,
)
from mmrot_ext.structures import mask_to_rle
from mmrot_ext.testing import jittered_mask_predictions

H, W = 20, 40


def rect(y0, y1, x0, x1):
    mask = np.zeros((H, W), bool)
    mask[y0:y1, x0:x1] = True
    return mask


def dataset(gt_masks):
    anns = [dict(id=k + 1, image_id=1, category_id=1,
                 segmentation=mask_to_rle(m),
                 area=int(m.sum()), iscrowd=0,
                 bbox=list(mask_util.toBbox(mask_to_rle(m))))
            for k, m in enumerate(gt_masks)]
    return dict(images=[dict(id=1, height=H, width=W, file_name='a.jpg')],
                categories=[dict(id=1, name='object')], annotations=anns)


def preds(masks_scores):
    return [dict(image_id=1, category_id=1, segmentation=mask_to_rle(m),
                 score=s) for m, s in masks_scores]


GT = [rect(0, 10, 0, 10), rect(0, 10, 10, 20)]  # side by side, touching
HIGH_IOP = (0.75, 0.8, 0.85, 0.9, 0.95)


def test_merged_mask_is_a_false_positive_under_iop():
    gt = dataset(GT)
    merged = GT[0] | GT[1]  # IoP 0.5 with either GT
    ev = run_overlap_eval(gt, preds([(GT[0], 0.9), (merged, 0.8),
                                     (GT[1], 0.7)]), 'iop', HIGH_IOP)
    # TP, FP, TP: precision 1 up to recall 0.5, 2/3 at recall 1
    assert max_recall_at_high_precision(ev) == pytest.approx(0.5)
    ev = run_overlap_eval(gt, preds([(GT[0], 0.9), (GT[1], 0.8),
                                     (merged, 0.7)]), 'iop', HIGH_IOP)
    assert max_recall_at_high_precision(ev) == pytest.approx(1.0)
    ev = run_overlap_eval(gt, preds([(merged, 0.9)]), 'iop', HIGH_IOP)
    assert max_recall_at_high_precision(ev) == 0


def test_a_fine_recall_grid_reads_recall_without_rounding_down():
    # three GT, one found at precision 1: recall 1/3; COCO's 101-point
    # grid reads 0.33, the public code's fine grid (here 10,001) 0.3333
    gt = dataset(GT + [rect(12, 20, 0, 10)])
    found = preds([(GT[0], 0.9)])
    coarse = run_overlap_eval(gt, found, 'iop', HIGH_IOP)
    fine = run_overlap_eval(gt, found, 'iop', HIGH_IOP,
                            rec_thrs=np.linspace(0, 1, 10001))
    assert max_recall_at_high_precision(coarse) == pytest.approx(0.33)
    assert max_recall_at_high_precision(fine) == pytest.approx(0.3333)


def test_thresholds_are_matched_with_a_tolerance():
    """0.9 is not exactly in linspace(.5, .95, 10); it must still count."""
    assert 0.9 not in np.linspace(.5, .95, 10)
    gt = dataset(GT)
    ev = run_overlap_eval(gt, preds([(GT[0], 0.9), (GT[1], 0.8)]), 'iop')
    assert max_recall_at_high_precision(ev) == pytest.approx(1.0)


def test_ar_iog_rewards_covering_masks():
    gt = dataset([rect(0, 10, 0, 10)])
    grown = rect(0, 10, 0, 20)  # covers the GT twice over: IoU 0.5, IoG 1
    ev_iog = run_overlap_eval(gt, preds([(grown, 0.9)]), 'iog')
    ev_iou = run_overlap_eval(gt, preds([(grown, 0.9)]), 'iou')
    assert average_recall(ev_iog) == pytest.approx(1.0)
    assert average_recall(ev_iou) == pytest.approx(0.1)  # only at IoU .5
    shrunk = rect(0, 10, 0, 5)  # IoP 1, IoG 0.5
    ev = run_overlap_eval(gt, preds([(shrunk, 0.9)]), 'iop')
    assert mean_average_precision(ev) == pytest.approx(1.0)
    ev = run_overlap_eval(gt, preds([(shrunk, 0.9)]), 'iog')
    assert average_recall(ev) == pytest.approx(0.1)


class BruteForceOverlapEval(COCOeval):
    """pycocotools with computeIoU swapped for decoded-mask IoP / IoG."""

    def __init__(self, gt, dt, overlap):
        super().__init__(gt, dt, 'segm')
        self.overlap = overlap

    def computeIoU(self, img_id, cat_id):  # noqa: N802
        gt, dt = self._gts[img_id, cat_id], self._dts[img_id, cat_id]
        if not gt or not dt:
            return []
        order = np.argsort([-d['score'] for d in dt], kind='mergesort')
        dt = [dt[i] for i in order[:self.params.maxDets[-1]]]
        dm = mask_util.decode([d['segmentation'] for d in dt]).astype(float)
        gm = mask_util.decode([g['segmentation'] for g in gt]).astype(float)
        inter = np.einsum('hwd,hwg->dg', dm, gm)
        denom = dm.sum((0, 1))[:, None] if self.overlap == 'iop' else \
            gm.sum((0, 1))[None]
        return inter / np.maximum(denom, 1e-8)


@pytest.mark.parametrize('overlap', ['iop', 'iog'])
def test_equals_pycocotools_with_the_overlap_swapped(overlap, places_like):
    gt, predictions = places_like
    ours = run_overlap_eval(gt, predictions, overlap)
    coco_gt = _coco(gt)
    ref = BruteForceOverlapEval(
        coco_gt, coco_gt.loadRes([dict(p) for p in predictions]), overlap)
    ref.evaluate()
    ref.accumulate()
    np.testing.assert_allclose(ours.eval['precision'],
                               ref.eval['precision'], atol=1e-6)
    np.testing.assert_allclose(ours.eval['recall'], ref.eval['recall'],
                               atol=1e-6)
    assert 0.05 < mean_average_precision(ours) < 1


def test_iou_mode_is_stock_pycocotools(places_like):
    gt, predictions = places_like
    ours = run_overlap_eval(gt, predictions, 'iou')
    coco_gt = _coco(gt)
    ref = COCOeval(coco_gt, coco_gt.loadRes([dict(p) for p in predictions]),
                   'segm')
    ref.evaluate()
    ref.accumulate()
    np.testing.assert_array_equal(ours.eval['precision'],
                                  ref.eval['precision'])


@pytest.fixture(scope='module')
def places_like():
    """Random scenes' GT and jittered predictions (no crowd)."""
    rng = np.random.default_rng(0)
    images, anns = [], []
    for img_id in range(1, 5):
        images.append(dict(id=img_id, height=H, width=W,
                           file_name=f'{img_id}.jpg'))
        for _ in range(4):
            y, x = rng.integers(0, H - 6), rng.integers(0, W - 8)
            m = rect(y, y + rng.integers(4, 10), x, x + rng.integers(4, 12))
            anns.append(dict(id=len(anns) + 1, image_id=img_id,
                             category_id=int(rng.integers(1, 3)),
                             segmentation=mask_to_rle(m), area=int(m.sum()),
                             iscrowd=0))
    gt = dict(images=images, annotations=anns,
              categories=[dict(id=1, name='a'), dict(id=2, name='b')])
    return gt, jittered_mask_predictions(gt, per_image=30, seed=1)
