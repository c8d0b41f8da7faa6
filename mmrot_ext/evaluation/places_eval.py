"""Places Challenge 2017 instance-segmentation scoring.

The challenge scores mask AP the COCO way (IoU 0.50:0.05:0.95, 101 recall
points, areas all/small/medium/large) with ``maxDets = (1, 50, 255)`` and
prints 12 numbers, all at 255 detections unless named: AP, AP50, AP75,
APs, APm, APl, AR@1, AR@50, AR@255, ARs, ARm, ARl.

Two readings of "255 detections per image" exist:

* ``'image'`` (default; the challenge README): the 255 top-scoring masks of
  an image across all categories are kept, the rest dropped, before scoring.
* ``'category'`` (the official ``evaluator.py``): pycocotools applies
  ``maxDets`` per image *and category*, so an image may keep 255 masks of
  every category.

In both, ``maxDets`` 1 and 50 stay per category, as in pycocotools.

Predictions are checked first: unknown image or category ids, missing
fields and masks of the wrong size are errors naming the source. A ``bbox``
field is dropped with a warning: pycocotools would otherwise take box areas
for the small/medium/large split (the official scripts require its absence).
"""
import contextlib
import io
import math
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np

from mmrot_ext.fileio import load_json

from .coco_backend import coco_api, coco_classes, load_results

PLACES_MAX_DETS = (1, 50, 255)
STAT_NAMES = ('AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR@1', 'AR@50',
              'AR@255', 'ARs@255', 'ARm@255', 'ARl@255')
MAX_DETS_RULES = ('image', 'category')
_REQUIRED = ('image_id', 'category_id', 'segmentation', 'score')


@dataclass
class PlacesEvalResult:
    """Scores of one evaluation.

    Attributes:
        stats (dict): the 12 challenge numbers, keyed by ``STAT_NAMES``
            (-1 where undefined, as in pycocotools).
        per_category (dict): category id -> AP at 255 detections (nan when
            the category has no ground truth).
        precision (ndarray): (T, R, K, A, M) COCO precision array.
        recall (ndarray): (T, K, A, M) COCO recall array.
        num_dropped (int): predictions removed by the per-image cap.
    """
    stats: dict
    per_category: dict
    precision: np.ndarray = field(repr=False)
    recall: np.ndarray = field(repr=False)
    num_dropped: int = 0


def score_problem(score):
    """Why ``score`` is not a usable prediction score (None if it is): it
    must be a finite real number (NaN would break the ranking by score)."""
    if isinstance(score, bool) or not isinstance(score, numbers.Real):
        return f'score must be a number, got {score!r}'
    if not math.isfinite(score):
        return f'score must be finite, got {score}'
    return None


def check_predictions(preds, gt, source='predictions'):
    """Validate challenge predictions against a ground-truth COCO dict.

    Args:
        preds (list[dict]): ``{image_id, category_id, segmentation (RLE),
            score}`` entries.
        gt (dict): COCO dict with ``images`` and ``categories``.
        source (str): name used in error messages (a file path).

    Returns:
        list[dict]: copies of the predictions, ``bbox`` fields removed.
    """
    if not isinstance(preds, list):
        raise ValueError(f'{source}: predictions must be a JSON list, got '
                         f'{type(preds).__name__}')
    required = set(_REQUIRED)
    sizes = {img['id']: (img['height'], img['width']) for img in gt['images']}
    cat_ids = {cat['id'] for cat in gt['categories']}
    problems, unknown_imgs, with_bbox, cleaned = [], set(), 0, []
    for i, pred in enumerate(preds):
        if not isinstance(pred, dict) or not required <= pred.keys():
            got = sorted(pred) if isinstance(pred, dict) else pred
            problems.append(f'entry {i}: needs fields {list(_REQUIRED)}, '
                            f'got {got}')
            continue
        if pred['image_id'] not in sizes:
            unknown_imgs.add(pred['image_id'])
            continue
        if pred['category_id'] not in cat_ids:
            problems.append(f'entry {i}: unknown category id '
                            f'{pred["category_id"]}')
            continue
        bad_score = score_problem(pred['score'])
        if bad_score:
            problems.append(f'entry {i}: {bad_score}')
            continue
        seg = pred['segmentation']
        if not isinstance(seg, dict) or 'counts' not in seg or \
                'size' not in seg:
            problems.append(f'entry {i}: segmentation must be an RLE dict '
                            f'with size and counts')
            continue
        if tuple(seg['size']) != sizes[pred['image_id']]:
            problems.append(f'entry {i}: mask size {list(seg["size"])} != '
                            f'image {pred["image_id"]} size '
                            f'{list(sizes[pred["image_id"]])}')
            continue
        # a copy: the COCO APIs add fields to the dicts they load
        pred = pred.copy()
        with_bbox += pred.pop('bbox', None) is not None
        cleaned.append(pred)
    if unknown_imgs:
        shown = sorted(unknown_imgs, key=str)[:10]
        problems.insert(0, f'{len(unknown_imgs)} image id(s) not in the '
                        f'ground truth, e.g. {shown}')
    if problems:
        raise ValueError(f'{source}: {len(problems)} problem(s):\n  ' +
                         '\n  '.join(problems[:20]))
    if with_bbox:
        warnings.warn(f'{source}: dropped the "bbox" field of {with_bbox} '
                      f'prediction(s); masks are scored by mask area')
    return cleaned


def cap_per_image(preds, max_dets=255):
    """Keep the ``max_dets`` top-scoring predictions of each image.

    Ties keep input order. Returns (kept list, number dropped). Raises
    ``ValueError`` naming the entry for a score that is not a finite number.
    """
    by_image = {}
    for i, pred in enumerate(preds):
        bad_score = score_problem(pred['score'])
        if bad_score:
            raise ValueError(f'prediction {i} (image {pred["image_id"]}): '
                             f'{bad_score}')
        by_image.setdefault(pred['image_id'], []).append(pred)
    kept = []
    for image_preds in by_image.values():
        image_preds.sort(key=lambda p: -p['score'])
        kept.extend(image_preds[:max_dets])
    return kept, len(preds) - len(kept)


def _evaluate(gt, preds, evaluator, max_dets):
    """COCO segm evaluation of ``preds``.

    Returns:
        tuple: precision (T, R, K, A, M), recall (T, K, A, M), iou_thrs.
    """
    cat_ids = sorted(c['id'] for c in gt['categories'])
    if not preds:
        precision, recall = _no_detections(gt, cat_ids, len(max_dets))
        return precision, recall, np.linspace(.5, 0.95, 10)
    if evaluator == 'hotcoco' and any(
            a['id'] == 0 for a in gt.get('annotations', [])):
        # pycocotools stores "matched to annotation 0" as "unmatched", so
        # that match scores as a false positive (the official numbers);
        # hotcoco matches it. pycocotools reproduces the official scores.
        warnings.warn('ground truth has an annotation with id 0; scoring '
                      'with pycocotools, whose quirk (its match counts as a '
                      'false positive) the official numbers carry')
        evaluator = 'pycocotools'
    coco_gt = coco_api(gt, evaluator)
    _, eval_cls = coco_classes(evaluator)
    coco_eval = eval_cls(coco_gt, load_results(coco_gt, preds, evaluator),
                         'segm')
    coco_eval.params.catIds = cat_ids
    coco_eval.params.maxDets = list(max_dets)
    with contextlib.redirect_stdout(io.StringIO()):
        coco_eval.evaluate()
        coco_eval.accumulate()
    return (np.asarray(coco_eval.eval['precision']),
            np.asarray(coco_eval.eval['recall']),
            np.asarray(coco_eval.params.iouThrs))


def _mean_valid(values):
    values = values[values > -1]
    return float(values.mean()) if values.size else -1.0


def summarize(precision, recall, iou_thrs, max_dets=PLACES_MAX_DETS):
    """The challenge's 12 numbers from COCO precision / recall arrays.

    Args:
        precision (ndarray): (T, R, K, A, M), A = (all, small, medium,
            large), M indexed like ``max_dets``.
        recall (ndarray): (T, K, A, M).
    """
    last = len(max_dets) - 1

    def at_iou(arr, thr):
        return arr[np.isclose(iou_thrs, thr)]

    p, r = precision, recall
    values = [
        _mean_valid(p[..., 0, last]),
        _mean_valid(at_iou(p, 0.5)[..., 0, last]),
        _mean_valid(at_iou(p, 0.75)[..., 0, last]),
        *[_mean_valid(p[..., a, last]) for a in (1, 2, 3)],
        *[_mean_valid(r[..., 0, m]) for m in range(len(max_dets))],
        *[_mean_valid(r[..., a, last]) for a in (1, 2, 3)],
    ]
    return dict(zip(STAT_NAMES, values))


def _no_detections(gt, cat_ids, num_max_dets):
    """COCO (precision, recall) when nothing was predicted: 0 where a
    (category, area range) has ground truth, else -1."""
    ranges = ((0, 1e10), (0, 32**2), (32**2, 96**2), (96**2, 1e10))
    has_gt = np.zeros((len(cat_ids), len(ranges)), bool)
    index = {c: k for k, c in enumerate(cat_ids)}
    for ann in gt.get('annotations', []):
        if ann.get('iscrowd', 0) or ann['category_id'] not in index:
            continue
        for a, (lo, hi) in enumerate(ranges):
            has_gt[index[ann['category_id']], a] |= lo <= ann['area'] <= hi
    recall = np.where(has_gt, 0.0, -1.0)[None, :, :, None].repeat(
        10, 0).repeat(num_max_dets, 3)
    return recall[:, None].repeat(101, 1), recall


def evaluate_places(gt, preds, max_dets_rule='image', evaluator='hotcoco',
                    max_dets=PLACES_MAX_DETS, source='predictions'):
    """Score instance masks with the Places challenge rules.

    Args:
        gt (str | dict): ground-truth COCO JSON (path or dict) with RLE or
            polygon ``segmentation``.
        preds (str | list): predictions (path or list), see
            :func:`check_predictions`.
        max_dets_rule (str): 'image' or 'category' (module docstring).
        evaluator (str): 'hotcoco' (same numbers, 10-20 times quicker) or
            'pycocotools' (the stock reference), see
            :mod:`mmrot_ext.evaluation.coco_backend`.

    Returns:
        PlacesEvalResult
    """
    if max_dets_rule not in MAX_DETS_RULES:
        raise ValueError(f'max_dets_rule must be one of {MAX_DETS_RULES}, '
                         f'got {max_dets_rule!r}')
    if isinstance(preds, str):
        source = preds
    gt = load_json(gt, 'ground truth')
    preds = check_predictions(load_json(preds, 'predictions'), gt, source)
    num_dropped = 0
    if max_dets_rule == 'image':
        preds, num_dropped = cap_per_image(preds, max(max_dets))
    precision, recall, iou_thrs = _evaluate(gt, preds, evaluator, max_dets)
    cat_ids = sorted(c['id'] for c in gt['categories'])
    per_category = {}
    for k, cat_id in enumerate(cat_ids):
        ap = _mean_valid(precision[:, :, k, 0, -1])
        per_category[cat_id] = ap if ap > -1 else float('nan')
    return PlacesEvalResult(
        stats=summarize(precision, recall, iou_thrs, max_dets),
        per_category=per_category,
        precision=precision,
        recall=recall,
        num_dropped=num_dropped)


def format_report(result, gt):
    """The 12 numbers and a per-category AP table, as printable text."""
    names = {c['id']: c['name'] for c in gt['categories']}
    lines = [f'{name:>8s} = {value:.4f}'
             for name, value in result.stats.items()]
    lines.append(f'{"category":<24s} AP@255')
    for cat_id, ap in result.per_category.items():
        lines.append(f'{names.get(cat_id, cat_id)!s:<24s} {ap:.4f}')
    return '\n'.join(lines)


def to_submission(preds, id_map=None, max_dets=255):
    """Official submission entries: no ``bbox``, <= ``max_dets`` per image.

    Args:
        preds (list[dict]): entries with image_id, category_id,
            segmentation (RLE, counts str or bytes) and score.
        id_map (dict, optional): our image id -> challenge image id.
    """
    out = []
    for pred in cap_per_image(preds, max_dets)[0]:
        seg = dict(pred['segmentation'])
        if isinstance(seg['counts'], bytes):
            seg['counts'] = seg['counts'].decode()
        image_id = pred['image_id']
        if id_map is not None:
            image_id = id_map[image_id]
        out.append(dict(image_id=int(image_id),
                        category_id=int(pred['category_id']),
                        segmentation=dict(size=list(seg['size']),
                                          counts=seg['counts']),
                        score=float(pred['score'])))
    return out
