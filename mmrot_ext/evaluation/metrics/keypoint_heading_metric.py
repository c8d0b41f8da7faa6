"""COCO keypoint AP (OKS) and heading accuracy of keypoint detectors.

Keypoint AP is pycocotools' ``COCOeval(iouType='keypoints')`` with
per-keypoint sigmas for sticks. COCO's OKS is ``exp(-d^2 / (2 s^2 k^2))``
with ``s^2`` the instance's (visible) area and ``k = 2 sigma``; a stick of
length L and width about L / 10 has ``s`` about 0.32 L, so OKS falls to 0.5
at ``d`` about ``0.75 sigma L``: the default sigma 0.05 for both ``tip`` and
``end`` puts that at ~3.8 % of the length (5 px on a 130 px pencil), about
as tight as COCO's eyes and ears (0.025-0.035) scaled to a person's size.

Heading accuracy: predictions are matched to ground truth greedily by score
at mask IoU >= ``match_iou`` (each GT once); among matched GTs whose two
heading keypoints are labelled (v > 0), the share whose predicted heading
is within ``heading_tolerance`` degrees of the GT's (end -> tip). Beside it,
``heading_le90`` is the share a le90 box angle gets when taken as the
heading: the GT's own min-area rectangle (an exact le90 box), which can
only say the axis, so it is right about half the time.
"""
import json
import math
import os.path as osp
from collections import OrderedDict

import numpy as np
import pycocotools.mask as mask_utils
import torch
from mmdet.datasets.api_wrappers import COCOeval
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmrot_ext.datasets.validating_coco_api import ValidatingCOCO
from mmrot_ext.registry import DET_METRICS
from mmrot_ext.structures import (angle_difference, keypoint_headings,
                                  masks_to_rboxes)


@DET_METRICS.register_module()
class KeypointHeadingMetric(BaseMetric):
    """Keypoint AP / AP50 / AP75 and heading accuracy.

    Needs predictions with ``masks``, ``keypoints`` (N, K, 2) and
    ``headings`` (N,) (``KeypointRoIHead`` / ``RotatedKeypointRoIHead``) and
    a COCO file whose annotations carry ``keypoints``.

    Args:
        ann_file (str): COCO instance file with keypoints.
        sigmas (sequence[float]): OKS sigma per keypoint (module docstring).
        heading_keypoints (tuple[int, int]): (tail, head) keypoint indices
            of the GT heading, as the model's.
        heading_tolerance (float): degrees.
        match_iou (float): mask IoU that matches a prediction to a GT.
        max_dets (int): detections per image the keypoint AP ranks
            (COCO's keypoint setting is 20; dense scenes hold more).
        outfile_prefix (str, optional): write ``<prefix>.keypoints.json``:
            COCO keypoint results (x, y, keypoint score per keypoint), each
            with its ``heading`` in radians.
    """
    default_prefix = 'keypoints'

    def __init__(self, ann_file, sigmas=(0.05, 0.05),
                 heading_keypoints=(1, 0), heading_tolerance=15.0,
                 match_iou=0.5, max_dets=100, outfile_prefix=None,
                 collect_device='cpu', prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.coco = ValidatingCOCO(ann_file)
        self.ann_file = ann_file
        num = {len(c['keypoints']) for c in self.coco.dataset['categories']
               if c.get('keypoints')}
        if not num:
            raise ValueError(f'{ann_file}: no category names keypoints; '
                             'KeypointHeadingMetric needs keypoint '
                             'annotations')
        if num != {len(sigmas)}:
            raise ValueError(
                f'{ann_file}: its categories have '
                f'{" or ".join(map(str, sorted(num)))} keypoints but '
                f'{len(sigmas)} sigmas were given')
        for ann in self.coco.dataset['annotations']:
            if 'keypoints' in ann:
                ann['num_keypoints'] = sum(
                    v > 0 for v in ann['keypoints'][2::3])
        self.sigmas = np.asarray(sigmas, dtype=np.float64)
        self.heading_keypoints = tuple(heading_keypoints)
        self.heading_tolerance = heading_tolerance
        self.match_iou = match_iou
        self.max_dets = max_dets
        self.outfile_prefix = outfile_prefix

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            pred = sample['pred_instances']
            missing = [k for k in ('masks', 'keypoints', 'headings')
                       if k not in pred]
            if missing:
                raise KeyError(f'KeypointHeadingMetric needs predicted '
                               f'{missing}; the model gave '
                               f'{sorted(pred.keys())}')
            masks = pred['masks'].detach().cpu().numpy().astype(np.uint8)
            rles = mask_utils.encode(np.asfortranarray(
                masks.transpose(1, 2, 0))) if len(masks) else []
            self.results.append(dict(
                img_id=int(sample['img_id']),
                labels=pred['labels'].detach().cpu().numpy(),
                scores=pred['scores'].detach().cpu().numpy(),
                keypoints=pred['keypoints'].detach().cpu().numpy(),
                keypoint_scores=pred['keypoint_scores'].detach().cpu().numpy(),
                headings=pred['headings'].detach().cpu().numpy(),
                masks=rles))

    def keypoint_results(self, results):
        """COCO keypoint results (one per prediction), with ``heading``."""
        cat_ids = self.coco.get_cat_ids(
            cat_names=self.dataset_meta['classes'])
        out = []
        for res in results:
            for label, score, points, kp_scores, heading in zip(
                    res['labels'], res['scores'], res['keypoints'],
                    res['keypoint_scores'], res['headings']):
                flat = np.concatenate([points, kp_scores[:, None]], axis=1)
                out.append(dict(image_id=res['img_id'],
                                category_id=cat_ids[int(label)],
                                keypoints=[round(float(v), 3)
                                           for v in flat.reshape(-1)],
                                score=float(score), heading=float(heading)))
        return out

    def keypoint_ap(self, dets, img_ids):
        """(AP, AP50, AP75) of COCO's keypoint evaluation."""
        if not dets:
            return 0.0, 0.0, 0.0
        coco_dt = self.coco.loadRes(dets)
        coco_eval = COCOeval(self.coco, coco_dt, 'keypoints')
        coco_eval.params.kpt_oks_sigmas = self.sigmas
        coco_eval.params.maxDets = [self.max_dets]
        coco_eval.params.imgIds = img_ids
        coco_eval.evaluate()
        coco_eval.accumulate()
        # precision: (T IoU thresholds, R recalls, K classes, A areas, M)
        precision = coco_eval.eval['precision'][:, :, :, 0, -1]
        thrs = coco_eval.params.iouThrs

        def mean(p):
            p = p[p > -1]
            return float(p.mean()) if p.size else 0.0

        return (mean(precision), mean(precision[np.isclose(thrs, 0.5)]),
                mean(precision[np.isclose(thrs, 0.75)]))

    def heading_accuracy(self, results):
        """(matched GTs with a heading, share within tolerance, share of
        the le90 guess within tolerance)."""
        tail, head = self.heading_keypoints
        tol = math.radians(self.heading_tolerance)
        preds, gt_keypoints, le90 = [], [], []
        for res in results:
            gts = [a for a in self.coco.imgToAnns[res['img_id']]
                   if not a.get('iscrowd', 0)]
            if not gts or not len(res['scores']):
                continue
            gt_rles = [self.coco.annToRLE(a) for a in gts]
            ious = mask_utils.iou(list(res['masks']), gt_rles,
                                  [0] * len(gts))
            taken = np.zeros(len(gts), bool)
            for d in np.argsort(-res['scores'], kind='stable'):
                cand = np.where(taken, -1.0, ious[d])
                g = int(cand.argmax())
                if cand[g] < self.match_iou:
                    continue
                taken[g] = True
                kp = np.asarray(gts[g].get('keypoints', []),
                                np.float64).reshape(-1, 3)
                if len(kp) <= max(tail, head) or kp[tail, 2] <= 0 or \
                        kp[head, 2] <= 0:
                    continue
                rbox = gts[g].get('rbox')
                if rbox is None:
                    rbox = masks_to_rboxes(
                        self.coco.annToMask(gts[g])[None].astype(bool))[0]
                preds.append(float(res['headings'][d]))
                gt_keypoints.append(kp)
                le90.append(float(rbox[4]))
        if not preds:
            return 0, 0.0, 0.0
        gt = keypoint_headings(torch.from_numpy(np.stack(gt_keypoints)),
                               tail, head)

        def share(angles):
            a = torch.tensor(angles, dtype=torch.float64)
            return float((angle_difference(a, gt) < tol).double().mean())

        return len(preds), share(preds), share(le90)

    def compute_metrics(self, results):
        logger = MMLogger.get_current_instance()
        dets = self.keypoint_results(results)
        if self.outfile_prefix:
            path = f'{self.outfile_prefix}.keypoints.json'
            with open(path, 'w') as f:
                json.dump(dets, f)
            logger.info(f'keypoint results written to {osp.abspath(path)}')
        img_ids = [res['img_id'] for res in results]
        ap, ap50, ap75 = self.keypoint_ap(dets, img_ids)
        matched, acc, le90 = self.heading_accuracy(results)
        logger.info(
            f'keypoint AP {ap:.3f} AP50 {ap50:.3f} AP75 {ap75:.3f} '
            f'(sigmas {self.sigmas.tolist()}); heading within '
            f'{self.heading_tolerance:g} deg: {acc:.3f} of {matched} matched '
            f'instances with both keypoints labelled (a le90 box angle: '
            f'{le90:.3f})')
        return OrderedDict(AP=ap, AP50=ap50, AP75=ap75, heading_acc=acc,
                           heading_le90=le90,
                           heading_matched=float(matched))
