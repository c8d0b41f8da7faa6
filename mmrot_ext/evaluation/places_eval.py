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
import math
import multiprocessing
import numbers
import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from mmrot_ext.fileio import load_json

PLACES_MAX_DETS = (1, 50, 255)
STAT_NAMES = ('AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR@1', 'AR@50',
              'AR@255', 'ARs@255', 'ARm@255', 'ARl@255')
MAX_DETS_RULES = ('image', 'category')
BACKENDS = ('faster', 'pycocotools')
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


def _backend(name):
    if name == 'faster':
        from faster_coco_eval import COCO, COCOeval_faster
        return COCO, COCOeval_faster
    if name == 'pycocotools':
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
        return COCO, COCOeval
    raise ValueError(f'backend must be one of {BACKENDS}, got {name!r}')


def _evaluate_categories(gt, preds, cat_ids, backend, max_dets):
    """COCO segm evaluation restricted to ``cat_ids``.

    Categories are independent in COCO evaluation (matching and
    accumulation are per category), so groups of them can run in separate
    processes and their arrays be concatenated along K.

    Returns:
        tuple: precision (T, R, K, A, M), recall (T, K, A, M), iou_thrs.
    """
    coco_cls, eval_cls = _backend(backend)
    wanted = set(cat_ids)
    anns = [a for a in gt.get('annotations', []) if a['category_id'] in
            wanted]
    dets = [p for p in preds if p['category_id'] in wanted]
    if backend == 'pycocotools':
        # stock path; pycocotools rewrites the fields of what it loads
        anns = [dict(a, segmentation=dict(a['segmentation']) if isinstance(
            a['segmentation'], dict) else a['segmentation']) for a in anns]
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='.*annotation id 0.*')
        coco_gt = coco_cls()
        coco_gt.dataset = dict(gt, annotations=anns)
        coco_gt.createIndex()
        if backend == 'pycocotools':
            coco_dt = coco_gt.loadRes(dets) if dets else None
        else:
            coco_dt = _faster_results(coco_cls, gt, dets)
    if coco_dt is None:
        precision, recall = _no_detections(gt, cat_ids, len(max_dets))
        return precision, recall, np.linspace(.5, 0.95, 10)
    coco_eval = eval_cls(coco_gt, coco_dt, 'segm', **(
        dict(rle_iou_max_workers=1) if backend == 'faster' else {}))
    coco_eval.params.catIds = list(cat_ids)
    coco_eval.params.maxDets = list(max_dets)
    coco_eval.evaluate()
    coco_eval.accumulate()
    return (np.asarray(coco_eval.eval['precision']),
            np.asarray(coco_eval.eval['recall']),
            np.asarray(coco_eval.params.iouThrs))


def _faster_results(coco_cls, gt, dets):
    """What ``loadRes`` builds for RLE results (id, area, iscrowd), with
    the areas computed in one call; ``dets`` are our own copies."""
    if not dets:
        return None
    from faster_coco_eval.core import mask as fast_mask
    areas = fast_mask.area([d['segmentation'] for d in dets])
    for k, (det, area) in enumerate(zip(dets, areas)):
        det.update(id=k + 1, iscrowd=0, area=float(area))
    coco_dt = coco_cls()
    coco_dt.dataset = dict(images=gt['images'],
                           categories=gt['categories'], annotations=dets)
    coco_dt.createIndex()
    return coco_dt


def _category_groups(gt, preds, workers):
    """Split category ids into ``workers`` groups of similar work."""
    load = {c['id']: 0 for c in gt['categories']}
    for item in (*gt.get('annotations', []), *preds):
        if item['category_id'] in load:
            load[item['category_id']] += 1
    groups = [[] for _ in range(max(1, min(workers, len(load))))]
    totals = [0] * len(groups)
    for cat_id in sorted(load, key=lambda c: -load[c]):
        k = totals.index(min(totals))
        groups[k].append(cat_id)
        totals[k] += load[cat_id]
    return [sorted(g) for g in groups if g]


_SHARED = {}


def _evaluate_group(cat_ids):
    """Worker entry: the inputs come through fork, not pickling."""
    return _evaluate_categories(_SHARED['gt'], _SHARED['preds'], cat_ids,
                                _SHARED['backend'], _SHARED['max_dets'])


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


def evaluate_places(gt, preds, max_dets_rule='image', backend='faster',
                    max_dets=PLACES_MAX_DETS, source='predictions',
                    workers=None):
    """Score instance masks with the Places challenge rules.

    Args:
        gt (str | dict): ground-truth COCO JSON (path or dict) with RLE or
            polygon ``segmentation``.
        preds (str | list): predictions (path or list), see
            :func:`check_predictions`.
        max_dets_rule (str): 'image' or 'category' (module docstring).
        backend (str): 'faster' (faster-coco-eval, same numbers, several
            times quicker) or 'pycocotools' (stock, one process).
        workers (int | None): 'faster' evaluates groups of categories in
            this many processes (None: all cores); categories are
            independent in COCO evaluation, so the numbers do not change.

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
    all_cats = sorted(c['id'] for c in gt['categories'])
    if workers is None:
        workers = os.cpu_count() or 1
    if multiprocessing.current_process().daemon:
        workers = 1  # a daemon process may not start children
    groups = _category_groups(gt, preds, workers) if backend == 'faster' \
        else [all_cats]
    if len(groups) == 1:
        parts = [_evaluate_categories(gt, preds, groups[0], backend,
                                      max_dets)]
    else:
        _SHARED.update(gt=gt, preds=preds, backend=backend,
                       max_dets=max_dets)
        try:
            with multiprocessing.get_context('fork').Pool(
                    len(groups)) as pool:
                parts = pool.map(_evaluate_group, groups)
        finally:
            _SHARED.clear()
    order = np.argsort([c for g in groups for c in g])
    cat_ids = sorted(c for g in groups for c in g)
    precision = np.concatenate([p[0] for p in parts], axis=2)[:, :, order]
    recall = np.concatenate([p[1] for p in parts], axis=1)[:, order]
    iou_thrs = parts[0][2]
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
