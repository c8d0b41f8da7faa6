"""COCO-style evaluation of rotated instance segmentation.

Reports mask AP (``segm``), rotated-box AP (``rbox``: IoU of rotated boxes)
and rotated proposal recall (``proposal``) on a COCO annotation file whose
annotations carry ``rbox`` (cx, cy, w, h, theta); an annotation without one
gets the min-area rectangle of its mask. Each metric is one call of hotcoco's
evaluator (``mmrot_ext/evaluation/coco_backend.py``; rotated boxes with its
exact polygon IoU, equal to pycocotools run on our exact rotated IoU in
``tests/test_evaluation/test_rotated_coco_instance_metric.py``). Mask AP
ranks detections by
``mask_scores`` when a model provides them, else by ``scores``. With
``classwise=True`` each class's AP is reported as ``<metric>_<class>_precision``
(mmdet's ``CocoMetric`` names it ``<class>_precision``, for one metric).
"""
import copy
import json
import os.path as osp
import tempfile
from collections import OrderedDict

import numpy as np
import torch
from mmdet.evaluation.metrics import CocoMetric
from mmengine.fileio import dump
from mmengine.logging import MMLogger

from mmrot_ext.registry import ROTATED_METRICS
from mmrot_ext.structures import masks_to_rboxes, rbox_envelopes

from ..coco_backend import (coco_api, coco_classes, obb_results,
                            run_evaluation)
from .mask_predictions import mask_predictions

STAT_NAMES = ('mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l', 'AR@100',
              'AR@300', 'AR@1000', 'AR_s@1000', 'AR_m@1000', 'AR_l@1000')
METRICS_ALLOWED = ('segm', 'rbox', 'proposal')


def rbox_dataset(coco):
    """The dataset of ``coco`` (a pycocotools ``COCO``) with each
    annotation's rotated box as ``obb`` (hotcoco's rotated-box field)."""
    data = copy.deepcopy(coco.dataset)
    for ann in data['annotations']:
        rbox = ann.get('rbox')
        if rbox is None:
            rbox = masks_to_rboxes(coco.annToMask(ann)[None])[0].tolist()
        ann['obb'] = [float(v) for v in rbox]
    return data


@ROTATED_METRICS.register_module()
class RotatedCocoInstanceMetric(CocoMetric):
    """Mask AP, rotated-box AP and rotated proposal recall.

    Args:
        ann_file (str): COCO instance file (required: ground truth comes from
            it, masks and rboxes included).
        metric (str | sequence[str]): any of 'segm', 'rbox', 'proposal'.
        outfile_prefix (str, optional): write ``<prefix>.segm.json`` (RLE
            masks) and ``<prefix>.rbox.json`` (entries with ``rbox``
            [cx, cy, w, h, theta] and its enclosing ``bbox`` [x, y, w, h]).
        **kwargs: as for mmdet's ``CocoMetric`` (classwise, format_only,
            proposal_nums, iou_thrs, ...).
    """

    def __init__(self, ann_file=None, metric=('segm', 'rbox'), **kwargs):
        metrics = [metric] if isinstance(metric, str) else list(metric)
        unknown = [m for m in metrics if m not in METRICS_ALLOWED]
        if unknown:
            raise KeyError(f'RotatedCocoInstanceMetric computes '
                           f'{METRICS_ALLOWED}, not {unknown}')
        if ann_file is None:
            raise ValueError('RotatedCocoInstanceMetric needs ann_file (the '
                             'ground truth with masks and rboxes)')
        super().__init__(ann_file=ann_file, metric='segm', **kwargs)
        self.metrics = metrics
        self._segm_api = coco_api(self._coco_api.dataset)
        self._rbox_api = coco_api(rbox_dataset(self._coco_api))

    def results2json(self, results, outfile_prefix):
        """Write segm and rbox result files; return their paths."""
        rbox = []
        for result in results:
            boxes = torch.as_tensor(np.asarray(result['bboxes']),
                                    dtype=torch.float64).reshape(-1, 5)
            envelopes = rbox_envelopes(boxes)
            envelopes[:, 2:] -= envelopes[:, :2]  # xyxy -> xywh
            for i, label in enumerate(result['labels']):
                rbox.append(dict(image_id=int(result['img_id']),
                                 category_id=self.cat_ids[label],
                                 rbox=boxes[i].tolist(),
                                 bbox=envelopes[i].tolist(),
                                 score=float(result['scores'][i])))
        with_masks = [r for r in results if 'masks' in r]
        files = dict(rbox=f'{outfile_prefix}.rbox.json')
        dump(rbox, files['rbox'])
        if with_masks:  # a mask model, even if it detected nothing
            files['segm'] = f'{outfile_prefix}.segm.json'
            dump(mask_predictions(with_masks, self.cat_ids,
                                  type(self).__name__), files['segm'])
        return files

    def _evaluate(self, metric, dets):
        """Run COCO evaluation of one metric; return the evaluator."""
        if metric == 'segm':
            gt_api, iou_type = self._segm_api, 'segm'
        else:
            gt_api, iou_type = self._rbox_api, 'obb'
            dets = obb_results(dets)
        coco_eval = coco_classes()[1](gt_api, gt_api.loadRes(dets), iou_type)
        coco_eval.params.catIds = self.cat_ids
        coco_eval.params.imgIds = self.img_ids
        coco_eval.params.maxDets = list(self.proposal_nums)
        coco_eval.params.iouThrs = self.iou_thrs
        coco_eval.params.useCats = int(metric != 'proposal')
        MMLogger.get_current_instance().info(
            '\n' + run_evaluation(coco_eval))
        return coco_eval

    def _class_aps(self, coco_eval):
        """AP over IoU .5:.95 (all areas, most detections) of each class."""
        precisions = coco_eval.eval['precision']  # (T, R, K, A, M)
        aps = {}
        for k, cat_id in enumerate(self.cat_ids):
            name = self._coco_api.loadCats(cat_id)[0]['name']
            values = precisions[:, :, k, 0, -1]
            values = values[values > -1]
            aps[name] = float(np.mean(values)) if values.size else float('nan')
        return aps

    def _zero_results(self, metric):
        """The keys ``compute_metrics`` reports for ``metric``, all 0.0: the
        scores of a model that detected nothing."""
        if metric == 'proposal':
            return {STAT_NAMES[i]: 0.0 for i in range(6, 12)}
        zeros = {f'{metric}_{STAT_NAMES[i]}': 0.0 for i in range(6)}
        zeros[f'{metric}_AR@100'] = 0.0
        if self.classwise:  # NaN for a class without GT, as _class_aps
            for cat_id in self.cat_ids:
                name = self._coco_api.loadCats(cat_id)[0]['name']
                has_gt = bool(self._coco_api.get_ann_ids(cat_ids=[cat_id]))
                zeros[f'{metric}_{name}_precision'] = \
                    0.0 if has_gt else float('nan')
        return zeros

    def compute_metrics(self, results):
        logger = MMLogger.get_current_instance()
        _, preds = zip(*results)
        tmp_dir = None
        if self.outfile_prefix is None:
            tmp_dir = tempfile.TemporaryDirectory()
            outfile_prefix = osp.join(tmp_dir.name, 'results')
        else:
            outfile_prefix = self.outfile_prefix
        if self.cat_ids is None:
            self.cat_ids = self._coco_api.get_cat_ids(
                cat_names=self.dataset_meta['classes'])
        if self.img_ids is None:
            self.img_ids = self._coco_api.get_img_ids()
        files = self.results2json(preds, outfile_prefix)
        eval_results = OrderedDict()
        if self.format_only:
            logger.info(f'results are saved in {osp.dirname(outfile_prefix)}')
            return eval_results
        for metric in self.metrics:
            logger.info(f'Evaluating {metric}...')
            key = 'segm' if metric == 'segm' else 'rbox'
            if key not in files:
                raise KeyError(f'{metric} needs predicted masks; the model '
                               f'gave none')
            with open(files[key]) as f:
                dets = json.load(f)
            if not dets:
                # nothing detected in the whole dataset: AP and AR are 0
                # (mmdet's CocoMetric reports nothing, which breaks callers)
                logger.error(f'no {metric} results on the whole dataset: '
                             f'{metric} AP and AR are 0')
                eval_results.update(self._zero_results(metric))
                continue
            coco_eval = self._evaluate(metric, dets)
            stats = coco_eval.stats
            if metric == 'proposal':
                for i in range(6, 12):
                    eval_results[STAT_NAMES[i]] = float(f'{stats[i]:.3f}')
            else:
                for i in range(6):
                    eval_results[f'{metric}_{STAT_NAMES[i]}'] = \
                        float(f'{stats[i]:.3f}')
                eval_results[f'{metric}_AR@100'] = float(f'{stats[6]:.3f}')
                copypaste = ' '.join(f'{stats[i]:.3f}' for i in range(6))
                logger.info(f'{metric}_mAP_copypaste: {copypaste}')
                if self.classwise:
                    for name, ap in self._class_aps(coco_eval).items():
                        eval_results[f'{metric}_{name}_precision'] = \
                            round(ap, 3)
                        logger.info(f'{metric} AP of {name}: {ap:.3f}')
        if tmp_dir is not None:
            tmp_dir.cleanup()
        return eval_results
