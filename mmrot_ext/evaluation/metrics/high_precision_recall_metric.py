"""High-precision / high-recall instance-mask metrics (Latent-MaskRCNN)."""
from collections import OrderedDict

import numpy as np
import pycocotools.mask as mask_util
from mmdet.evaluation.metrics import CocoMetric
from mmengine.logging import MMLogger

from mmrot_ext.registry import DET_METRICS

from ..overlap_eval import (
    HIGH_THRS,
    average_recall,
    max_recall_at_high_precision,
    mean_average_precision,
    run_overlap_eval,
)
from ..picking_metrics import double_pick_rate, score_quality_auc
from .mask_predictions import mask_predictions


@DET_METRICS.register_module()
class HighPrecisionRecallMetric(CocoMetric):
    """The columns of Latent-MaskRCNN's Table I and its picking metrics,
    for any detector that predicts masks.

    Reports (prefix ``hpr/``):

    * ``mAP``: COCO mask AP (IoU);
    * ``MR@HP``: max recall at precision >= p, averaged over p and IoP
      thresholds 0.75:0.05:0.95 and categories (IoP matching);
    * ``AR_IoG``: COCO AR@100 with IoG matching;
    * ``double_pick_rate`` and ``pickable_area``: a disc gripper of
      ``gripper_radius`` px at ``num_footprints`` random centres per image
      over every predicted mask (the paper has no score filter; the same
      rule for every method whatever its score scale);
    * ``score_auc``: ROC AUC of scores for "IoU with the best GT > 0.5";
    * ``iop_fraction``: share of the predicted masks whose IoP with some GT
      instance is >= ``iop_thr`` (0.95, the paper's Fig. 8: mostly inside
      one object).

    MR@HP reads the largest recall off a grid of ``recall_points`` recall
    thresholds (10,001, as the public code's 10,000; COCO's 101 quantise
    recall down to 0.01).

    Args:
        ann_file (str): COCO ground truth with masks.
        gripper_radius (int): disc radius in pixels.
        num_footprints (int | None): per image; None = every pixel.
        pick_score_thr (float | None): if set, only masks scoring at least
            this count for the picking metrics and the IoP fraction (0.5
            was the default before: it treated methods with different score
            scales differently).
        iop_thr (float): IoP threshold of ``iop_fraction`` (0.9 before).
        recall_points (int): recall grid of MR@HP (101 = COCO's).
    """
    default_prefix = 'hpr'

    def __init__(self, ann_file=None, gripper_radius=8, num_footprints=1000,
                 pick_score_thr=None, iop_thr=0.95, recall_points=10001,
                 seed=0, **kwargs):
        if ann_file is None:
            raise ValueError('HighPrecisionRecallMetric needs ann_file')
        super().__init__(ann_file=ann_file, metric='segm', **kwargs)
        self.gripper_radius = gripper_radius
        self.num_footprints = num_footprints
        self.pick_score_thr = pick_score_thr
        self.iop_thr = iop_thr
        self.recall_points = recall_points
        self.seed = seed

    def _picked(self, pred):
        return self.pick_score_thr is None or \
            pred['score'] >= self.pick_score_thr

    def _picking(self, gt, preds):
        """Double-pick rate / pickable area, score AUC and IoP fraction."""
        by_image = {}
        for pred in preds:
            by_image.setdefault(pred['image_id'], []).append(pred)
        best_ious, scores, pairs, high_iop = [], [], [], []
        for img in gt['images']:
            anns = [a for a in self._coco_api.imgToAnns[img['id']]
                    if not a.get('iscrowd', 0)]
            gt_rles = [self._coco_api.annToRLE(a) for a in anns]
            mine = by_image.get(img['id'], [])
            dt_rles = [p['segmentation'] for p in mine]
            if mine:
                iou = np.asarray(mask_util.iou(
                    dt_rles, gt_rles, [0] * len(gt_rles))) if gt_rles else \
                    np.zeros((len(mine), 0))
                iou = iou.reshape(len(mine), len(gt_rles))
                cats = np.array([p['category_id'] for p in mine])
                gt_cats = np.array([a['category_id'] for a in anns])
                same = cats[:, None] == gt_cats[None]
                best_ious.extend(np.where(same, iou, 0).max(1, initial=0))
                scores.extend(p['score'] for p in mine)
                area_d = mask_util.area(dt_rles)[:, None].astype(float)
                area_g = mask_util.area(gt_rles)[None].astype(float) \
                    if gt_rles else np.zeros((1, 0))
                iop = np.rint(iou * (area_d + area_g) / (1 + iou)) / \
                    np.maximum(area_d, 1)
                picked_rows = np.array([self._picked(p) for p in mine])
                high_iop.extend(iop.max(1, initial=0)[picked_rows] >=
                                self.iop_thr)
            shape = (img['height'], img['width'])
            picked = [r for r, p in zip(dt_rles, mine) if self._picked(p)]
            pred_masks = mask_util.decode(picked).transpose(2, 0, 1) \
                .astype(bool) if picked else np.zeros((0, ) + shape, bool)
            gt_masks = mask_util.decode(gt_rles).transpose(2, 0, 1) \
                .astype(bool) if gt_rles else np.zeros((0, ) + shape, bool)
            pairs.append((pred_masks, gt_masks))
        picking = double_pick_rate(pairs, self.gripper_radius,
                                   self.num_footprints, self.seed)
        picking['iop_fraction'] = float(np.mean(high_iop)) if high_iop \
            else float('nan')
        return picking, score_quality_auc(scores, best_ious)

    def compute_metrics(self, results):
        logger = MMLogger.get_current_instance()
        _, results = zip(*results)
        if self.cat_ids is None:
            self.cat_ids = self._coco_api.get_cat_ids(
                cat_names=self.dataset_meta['classes'])
        preds = mask_predictions(results, self.cat_ids, type(self).__name__)
        gt = self._coco_api.dataset
        ev_iou = run_overlap_eval(gt, preds, 'iou')
        ev_iop = run_overlap_eval(
            gt, preds, 'iop', iou_thrs=HIGH_THRS,
            rec_thrs=np.linspace(0, 1, self.recall_points))
        ev_iog = run_overlap_eval(gt, preds, 'iog')
        picking, auc = self._picking(gt, preds)
        out = OrderedDict(
            mAP=mean_average_precision(ev_iou),
            **{'MR@HP': max_recall_at_high_precision(ev_iop)},
            AR_IoG=average_recall(ev_iog),
            double_pick_rate=picking['double_pick_rate'],
            pickable_area=picking['pickable_area'],
            score_auc=auc,
            iop_fraction=picking['iop_fraction'])
        logger.info('high-precision / high-recall: ' + ', '.join(
            f'{k} {v:.4f}' for k, v in out.items()))
        return OrderedDict((k, round(float(v), 4)) for k, v in out.items())
