"""Confusion counts and per-image AP with the family's overlap, against
hand-made rotated cases, mmdet's corner reading and pycocotools."""
import contextlib
import io

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmrot_ext.engine import upstream_tool
from mmrot_ext.evaluation.per_image_analysis import (add_to_confusion_matrix,
                                                     default_overlap,
                                                     image_ap,
                                                     instance_overlaps)

# two long thin rotated sticks (cx, cy, w, h, theta) of classes 0 and 1
GT_RBOXES = np.array([[60., 40., 90., 6., 0.5], [50., 80., 70., 8., -0.3]])
GT_LABELS = np.array([0, 1])


def confusion(pred_boxes, pred_labels, overlap, gt_boxes=GT_RBOXES):
    pred = dict(bboxes=np.asarray(pred_boxes, float))
    ious = instance_overlaps(pred, dict(bboxes=gt_boxes), overlap)
    matrix = np.zeros((3, 3), np.int64)
    return add_to_confusion_matrix(matrix, GT_LABELS, pred_labels,
                                   np.ones(len(pred_labels)), ious)


def test_rotated_boxes_that_corners_misread_are_scored_right():
    """Perfect rotated predictions: both true positives with rotated IoU;
    mmdet's tool (boxes read as x1, y1, x2, y2) counts them as misses
    and background false positives."""
    ours = confusion(GT_RBOXES, [0, 1], 'rbox')
    np.testing.assert_array_equal(ours, [[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    mmdet_tool = upstream_tool('mmdet', 'analysis_tools/confusion_matrix.py')
    import torch
    theirs = np.zeros((3, 3))
    mmdet_tool.analyze_per_img_dets(
        theirs, [dict(bbox=b.tolist(), bbox_label=int(k))
                 for b, k in zip(GT_RBOXES, GT_LABELS)],
        dict(bboxes=torch.tensor(GT_RBOXES), labels=torch.tensor([0, 1]),
             scores=torch.ones(2)))
    assert theirs[0, 0] == 0 and theirs[2, 0] == 1 and theirs[0, 2] == 1


def test_confusion_rules():
    """A box of the wrong class counts in (GT, predicted) and leaves its GT
    missed; a box on nothing is a background false positive; one below
    the score threshold does not count."""
    shifted = GT_RBOXES[1] + [0, 60, 0, 0, 0]
    matrix = confusion([GT_RBOXES[0], GT_RBOXES[1], shifted], [1, 1, 0],
                       'rbox')
    np.testing.assert_array_equal(matrix, [[0, 1, 1], [0, 1, 0], [1, 0, 0]])
    ious = instance_overlaps(dict(bboxes=GT_RBOXES[:1]),
                             dict(bboxes=GT_RBOXES), 'rbox')
    low = add_to_confusion_matrix(np.zeros((3, 3), np.int64), GT_LABELS,
                                  [0], [0.1], ious, score_thr=0.3)
    np.testing.assert_array_equal(low, [[0, 0, 1], [0, 0, 1], [0, 0, 0]])


def test_overlaps_of_each_family():
    rotated = dict(bboxes=GT_RBOXES)
    assert default_overlap(dict(bboxes=GT_RBOXES)) == 'rbox'
    assert default_overlap(dict(bboxes=np.zeros((0, 4)))) == 'box'
    np.testing.assert_allclose(
        np.diag(instance_overlaps(rotated, rotated, 'rbox')), 1.0)
    boxes = dict(bboxes=np.array([[0., 0., 10., 10.]]))
    half = dict(bboxes=np.array([[5., 0., 15., 10.]]))
    assert instance_overlaps(boxes, half, 'box')[0, 0] == pytest.approx(1 / 3)
    masks = np.zeros((2, 20, 20), np.uint8)
    masks[0, :10, :10] = 1
    masks[1, :10, 5:15] = 1
    iou = instance_overlaps(dict(bboxes=boxes['bboxes'], masks=masks[:1]),
                            dict(bboxes=half['bboxes'], masks=masks[1:]),
                            'mask')
    assert iou[0, 0] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match='5-column'):
        instance_overlaps(boxes, half, 'rbox')
    with pytest.raises(ValueError, match='needs predicted masks'):
        instance_overlaps(boxes, dict(half, masks=masks[1:]), 'mask')


def pycocotools_image_ap(gt_boxes, gt_labels, boxes, labels, scores):
    """Mean over classes with GT of COCO's AP (all areas, 100 dets)."""
    gt = dict(images=[dict(id=1, height=200, width=200)],
              categories=[dict(id=k + 1) for k in range(3)],
              annotations=[dict(id=i + 1, image_id=1, category_id=int(k) + 1,
                                bbox=b.tolist(), area=float(b[2] * b[3]),
                                iscrowd=0)
                           for i, (b, k) in enumerate(zip(gt_boxes,
                                                          gt_labels))])
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = gt
        coco.createIndex()
        dets = coco.loadRes([dict(image_id=1, category_id=int(k) + 1,
                                  bbox=b.tolist(), score=float(s))
                             for b, k, s in zip(boxes, labels, scores)])
        ev = COCOeval(coco, dets, 'bbox')
        ev.evaluate()
        ev.accumulate()
    precision = ev.eval['precision'][:, :, :, 0, -1]
    return precision[precision > -1].mean()


@pytest.mark.parametrize('seed', range(5))
def test_image_ap_equals_pycocotools(seed):
    rng = np.random.default_rng(seed)
    gt_xywh = np.c_[rng.uniform(0, 150, (8, 2)), rng.uniform(10, 40, (8, 2))]
    gt_labels = rng.integers(0, 2, 8)
    pick = rng.integers(0, 8, 14)
    xywh = gt_xywh[pick] + rng.normal(0, 3, (14, 4))
    xywh[:, 2:] = np.maximum(xywh[:, 2:], 2)
    labels = np.where(rng.uniform(size=14) < 0.8, gt_labels[pick],
                      rng.integers(0, 3, 14))
    scores = rng.uniform(size=14)
    xyxy = lambda b: np.c_[b[:, :2], b[:, :2] + b[:, 2:]]  # noqa: E731
    ious = instance_overlaps(dict(bboxes=xyxy(xywh)),
                             dict(bboxes=xyxy(gt_xywh)), 'box')
    ours = image_ap(gt_labels, labels, scores, ious)
    assert ours == pytest.approx(
        pycocotools_image_ap(gt_xywh, gt_labels, xywh, labels, scores),
        abs=1e-12)


def test_image_ap_edge_cases():
    assert image_ap([], [], [], np.zeros((0, 0))) == 1.0
    assert image_ap([], [0], [0.5], np.zeros((1, 0))) == 0.0
    assert image_ap([0], [], [], np.zeros((0, 1))) == 0.0
    assert image_ap([0], [0], [0.9], np.ones((1, 1))) == 1.0
