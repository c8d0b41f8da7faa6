"""Predictions against ground truth, image by image, with the overlap of the
model family: what ``tools/analysis_tools/confusion_matrix.py`` and
``analyze_results.py`` count.

Overlaps (``OVERLAPS``): ``'box'`` (axis-aligned IoU of (x1, y1, x2, y2)),
``'rbox'`` (exact IoU of rotated (cx, cy, w, h, theta),
:func:`sparse_rbox_overlaps`) and ``'mask'`` (mask IoU, pycocotools' RLE
IoU). mmdet's tools read every box as (x1, y1, x2, y2), so they score a
rotated (cx, cy, w, h, theta) by its first four numbers as corners.

Everything here runs on the CPU, on the numpy / CPU tensors a ``--out``
results file holds.
"""
import numpy as np
import pycocotools.mask as mask_util
import torch
from mmdet.structures.bbox import bbox_overlaps

from mmrot_ext.structures import sparse_rbox_overlaps

OVERLAPS = ('box', 'rbox', 'mask')


def default_overlap(pred_instances):
    """'rbox' for (N, 5) predicted boxes, else 'box'."""
    boxes = pred_instances['bboxes']
    return 'rbox' if boxes.shape[-1] == 5 else 'box'


def _rle(masks):
    """pycocotools RLEs of (N, H, W) bool masks or a list of RLE dicts."""
    if isinstance(masks, (list, tuple)):
        return list(masks)
    masks = np.asarray(masks, dtype=np.uint8)
    return [mask_util.encode(np.asfortranarray(m)) for m in masks]


def instance_overlaps(pred, gt, overlap):
    """(N, M) float64 overlaps of N predictions and M ground truths.

    Args:
        pred (dict): ``bboxes`` (N, 4 or 5), and ``masks`` for 'mask'
            (RLE list, as ``tools/test.py --out`` writes, or (N, H, W)).
        gt (dict): ``bboxes`` (M, 4 or 5), ``masks`` (M, H, W) for 'mask'.
        overlap (str): one of :data:`OVERLAPS`.
    """
    if overlap not in OVERLAPS:
        raise ValueError(f'overlap must be one of {OVERLAPS}, got '
                         f'{overlap!r}')
    num_pred, num_gt = len(pred['bboxes']), len(gt['bboxes'])
    if num_pred == 0 or num_gt == 0:
        return np.zeros((num_pred, num_gt))
    if overlap == 'mask':
        if 'masks' not in pred:
            raise ValueError("overlap 'mask' needs predicted masks; these "
                             'predictions have none')
        return np.asarray(mask_util.iou(_rle(pred['masks']),
                                        _rle(gt['masks']), [0] * num_gt),
                          dtype=np.float64).reshape(num_pred, num_gt)
    width = 5 if overlap == 'rbox' else 4
    boxes = [torch.as_tensor(np.asarray(b), dtype=torch.float64)
             for b in (pred['bboxes'], gt['bboxes'])]
    for name, b in zip(('predicted', 'ground-truth'), boxes):
        if b.shape[-1] != width:
            raise ValueError(f"overlap {overlap!r} needs {width}-column "
                             f'boxes; the {name} boxes have {b.shape[-1]}')
    if overlap == 'rbox':
        return sparse_rbox_overlaps(*boxes).double().numpy()
    return bbox_overlaps(*boxes).numpy()


def add_to_confusion_matrix(matrix, gt_labels, pred_labels, pred_scores,
                            ious, score_thr=0.3, tp_iou_thr=0.5):
    """Count one image into a (C + 1, C + 1) confusion matrix, rows = GT
    class, columns = predicted class, index C = background.

    mmdet's rule: each prediction scoring >= ``score_thr`` adds one to
    (GT class, predicted class) for every GT it overlaps by >= ``tp_iou_thr``
    (to (background, predicted class) if none); a GT no prediction of its
    own class overlaps adds one to (GT class, background).
    """
    gt_labels = np.asarray(gt_labels, dtype=np.int64)
    true_positive = np.zeros(len(gt_labels), bool)
    for i in np.flatnonzero(np.asarray(pred_scores) >= score_thr):
        label = int(pred_labels[i])
        hits = np.flatnonzero(ious[i] >= tp_iou_thr)
        if hits.size == 0:
            matrix[-1, label] += 1
        for j in hits:
            matrix[gt_labels[j], label] += 1
            true_positive[j] |= gt_labels[j] == label
    np.add.at(matrix, (gt_labels[~true_positive], -1), 1)
    return matrix


def image_ap(gt_labels, pred_labels, pred_scores, ious,
             iou_thrs=np.linspace(0.5, 0.95, 10)):
    """COCO AP of one image: per class with ground truth and IoU
    threshold, greedy matching by score (pycocotools' rule) and 101-point
    interpolated precision, averaged over those classes and thresholds.

    An image without ground truth scores 1.0 without predictions, else 0.0.
    """
    gt_labels = np.asarray(gt_labels, dtype=np.int64)
    pred_labels = np.asarray(pred_labels, dtype=np.int64)
    classes = np.unique(gt_labels)
    if classes.size == 0:
        return 0.0 if pred_labels.size else 1.0
    aps = []
    recall_points = np.linspace(0, 1, 101)
    for label in classes:
        gts = np.flatnonzero(gt_labels == label)
        preds = np.flatnonzero(pred_labels == label)
        preds = preds[np.argsort(-np.asarray(pred_scores)[preds],
                                 kind='stable')]
        for thr in iou_thrs:
            if preds.size == 0:
                aps.append(0.0)
                continue
            taken = np.zeros(gts.size, bool)
            hit = np.zeros(preds.size, bool)
            for k, i in enumerate(preds):
                row = np.where(taken, -1.0, ious[i, gts])
                best = row.size - 1 - int(np.argmax(row[::-1]))  # last max
                if row[best] >= thr:
                    taken[best] = hit[k] = True
            tp = np.cumsum(hit)
            recall = tp / gts.size
            precision = tp / np.arange(1, preds.size + 1)
            # precision envelope, then sampled at the recall points
            precision = np.maximum.accumulate(precision[::-1])[::-1]
            index = np.searchsorted(recall, recall_points, side='left')
            valid = index < precision.size
            aps.append(float(np.where(valid, precision[np.minimum(
                index, precision.size - 1)], 0.0).mean()))
    return float(np.mean(aps))


def ground_truth(dataset, index):
    """Ground truth of image ``index`` as the config's test pipeline loads
    it: dict of ``bboxes`` (M, 4 or 5) float64, ``labels`` (M,), ``masks``
    (M, H, W) uint8 or None, ``img_path``, ``img_id``.

    Raises ``ValueError`` when the pipeline loads no annotations (the
    tools then would count every prediction as a false positive).
    """
    sample = dataset[index]['data_samples']
    if 'gt_instances' not in sample or \
            'bboxes' not in sample.gt_instances:
        raise ValueError(
            f'{type(dataset).__name__}: the test pipeline loads no ground '
            f'truth (add LoadAnnotations after Resize, as our configs do)')
    gt = sample.gt_instances
    boxes = gt.bboxes.tensor if hasattr(gt.bboxes, 'tensor') else gt.bboxes
    masks = gt.masks.to_ndarray() if 'masks' in gt else None
    return dict(bboxes=boxes.double().numpy(), labels=gt.labels.numpy(),
                masks=masks, img_path=sample.img_path,
                img_id=sample.img_id)


def predictions(result):
    """``pred_instances`` of one ``tools/test.py --out`` entry as numpy:
    ``bboxes``, ``labels``, ``scores`` and ``masks`` (RLE list) if any."""
    pred = result['pred_instances']
    out = {key: np.asarray(pred[key])
           for key in ('bboxes', 'labels', 'scores')}
    if 'masks' in pred:
        out['masks'] = list(pred['masks'])
    return out


def check_results(results, dataset, source):
    """``results`` (a ``--out`` list) must hold one entry per image of
    ``dataset``, in its order; raises ``ValueError`` naming ``source``."""
    if not isinstance(results, list) or not results or \
            'pred_instances' not in results[0]:
        raise ValueError(f'{source}: not a tools/test.py --out results '
                         f'file (a list of dicts with pred_instances)')
    if len(results) != len(dataset):
        raise ValueError(f'{source}: {len(results)} results for a test set '
                         f'of {len(dataset)} images (same config and '
                         f'--cfg-options as tools/test.py?)')


def images_against_results(config, results_file, cfg_options=None,
                           overlap=None):
    """The test set of ``config`` against a ``tools/test.py --out`` file.

    Returns ``(dataset, results, overlap, images)``: the built test set,
    the loaded results list, ``overlap`` (the given one or
    :func:`default_overlap` of the predictions), and ``images`` yields
    ``(index, gt, pred, ious)`` per image (:func:`ground_truth`,
    :func:`predictions`, :func:`instance_overlaps`) under a progress bar.
    """
    from mmengine.fileio import load
    from mmengine.utils import ProgressBar

    from mmrot_ext.engine import test_dataset_of
    dataset = test_dataset_of(config, cfg_options)
    results = load(results_file)
    check_results(results, dataset, results_file)
    overlap = overlap or default_overlap(results[0]['pred_instances'])

    def images():
        progress = ProgressBar(len(results))
        for index, result in enumerate(results):
            gt, pred = ground_truth(dataset, index), predictions(result)
            yield index, gt, pred, instance_overlaps(pred, gt, overlap)
            progress.update()

    return dataset, results, overlap, images()
