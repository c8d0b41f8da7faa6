"""HighPrecisionRecallMetric end to end on synthetic scenes."""
import itertools
import json

import cv2

import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch

from mmrot_ext.evaluation.metrics import HighPrecisionRecallMetric


@pytest.fixture(scope='module')
def gt_file(dense_scenes):
    root = dense_scenes(size=96, num_objects=(4, 6), val=3)
    return root / 'annotations' / 'instances_val.json'


def touching_pair(masks):
    grown = [cv2.dilate(m.astype(np.uint8), np.ones((3, 3), np.uint8))
             for m in masks]
    for i, j in itertools.combinations(range(len(masks)), 2):
        if (grown[i].astype(bool) & masks[j]).any():
            return i, j
    raise AssertionError('no touching instances in this scene')


def samples(gt, merge=False):
    """Predictions equal to the GT masks (non-crowd); with ``merge`` two
    touching instances of each image are predicted as one mask, scored
    lowest but for a 3x3 speck."""
    out = []
    for image in gt['images']:
        anns = [a for a in gt['annotations']
                if a['image_id'] == image['id'] and not a['iscrowd']]
        masks = [mask_util.decode(a['segmentation']).astype(bool)
                 for a in anns]
        labels = [a['category_id'] - 1 for a in anns]
        if merge:
            i, j = touching_pair(masks)
            merged = masks[i] | masks[j]
            keep = [k for k in range(len(masks)) if k not in (i, j)]
            speck = np.zeros_like(merged)
            speck[:3, :3] = True  # IoU < 0.5 with anything
            masks = [masks[k] for k in keep] + [merged, speck]
            labels = [labels[k] for k in keep] + [labels[i], 0]
        out.append(dict(
            img_id=image['id'], ori_shape=(image['height'], image['width']),
            pred_instances=dict(
                bboxes=torch.zeros(len(masks), 4),
                scores=torch.linspace(0.9, 0.6, len(masks)),
                labels=torch.tensor(labels),
                masks=torch.from_numpy(np.stack(masks)))))
    return out


def evaluate(gt_file, merge):
    gt = json.loads(gt_file.read_text())
    metric = HighPrecisionRecallMetric(ann_file=str(gt_file),
                                       gripper_radius=2, num_footprints=None)
    metric.dataset_meta = dict(classes=('pen', 'pencil', 'chopstick'))
    metric.process({}, samples(gt, merge))
    return metric.evaluate(size=len(gt['images']))


def test_perfect_masks(gt_file):
    scores = evaluate(gt_file, merge=False)
    assert scores['hpr/mAP'] == pytest.approx(1.0)
    assert scores['hpr/MR@HP'] == pytest.approx(1.0)
    assert scores['hpr/AR_IoG'] == pytest.approx(1.0)
    assert scores['hpr/double_pick_rate'] == 0
    assert scores['hpr/pickable_area'] == pytest.approx(1.0)
    assert np.isnan(scores['hpr/score_auc'])  # every mask is good
    assert scores['hpr/iop_fraction'] == 1.0


def test_merged_masks_double_pick_and_lose_precision(gt_file):
    perfect = evaluate(gt_file, merge=False)
    merged = evaluate(gt_file, merge=True)
    assert merged['hpr/MR@HP'] < perfect['hpr/MR@HP']
    assert merged['hpr/mAP'] < perfect['hpr/mAP']
    # the merged mask still covers both objects: IoG stays high for one
    assert merged['hpr/AR_IoG'] > merged['hpr/mAP']
    assert merged['hpr/double_pick_rate'] > 0
    assert merged['hpr/pickable_area'] > 1.0  # the specks
    assert merged['hpr/iop_fraction'] < 1.0
    assert merged['hpr/score_auc'] == 1.0  # bad masks are scored lowest


def test_defaults_follow_the_paper(gt_file):
    metric = HighPrecisionRecallMetric(ann_file=str(gt_file))
    assert metric.iop_thr == 0.95  # the paper's Fig. 8
    assert metric.pick_score_thr is None  # no score filter, every method
    assert metric.recall_points == 10001  # MR@HP off a fine recall grid


def test_a_pick_score_filter_leaves_low_scored_masks_out(gt_file):
    gt = json.loads(gt_file.read_text())
    scores = {}
    for thr in (None, 0.95):
        metric = HighPrecisionRecallMetric(
            ann_file=str(gt_file), gripper_radius=2, num_footprints=None,
            pick_score_thr=thr)
        metric.dataset_meta = dict(classes=('pen', 'pencil', 'chopstick'))
        metric.process({}, samples(gt, merge=False))
        scores[thr] = metric.evaluate(size=len(gt['images']))
    # every mask scores < 0.95: the filter leaves nothing to pick with
    assert scores[None]['hpr/pickable_area'] > 0.9
    assert scores[0.95]['hpr/pickable_area'] == 0
