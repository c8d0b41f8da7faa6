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
import json
import warnings
from dataclasses import dataclass, field

import numpy as np

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


def load_json(path_or_obj, what):
    """A JSON object from a path, or the object itself."""
    if not isinstance(path_or_obj, (str, bytes)) and \
            not hasattr(path_or_obj, '__fspath__'):
        return path_or_obj
    try:
        with open(path_or_obj) as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f'{path_or_obj}: {what} is not valid JSON ({e})') \
            from None


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
    sizes = {img['id']: (img['height'], img['width']) for img in gt['images']}
    cat_ids = {cat['id'] for cat in gt['categories']}
    problems, unknown_imgs, with_bbox, cleaned = [], set(), 0, []
    for i, pred in enumerate(preds):
        if not isinstance(pred, dict) or \
                any(k not in pred for k in _REQUIRED):
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
        with_bbox += 'bbox' in pred
        # a copy: the COCO APIs add fields to the dicts they load
        cleaned.append({k: v for k, v in pred.items() if k != 'bbox'})
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

    Ties keep input order. Returns (kept list, number dropped).
    """
    by_image = {}
    for pred in preds:
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


def _coco_from_dict(coco_cls, data):
    """A COCO API over ``data``; the evaluators rewrite annotation fields
    in place, so they get copies (masks shared, not copied)."""
    def copy_ann(ann):
        seg = ann.get('segmentation')
        return dict(ann, segmentation=dict(seg) if isinstance(seg, dict) else
                    seg)

    coco = coco_cls()
    coco.dataset = dict(data, annotations=[
        copy_ann(a) for a in data.get('annotations', [])])
    coco.createIndex()
    return coco


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
                    max_dets=PLACES_MAX_DETS, source='predictions'):
    """Score instance masks with the Places challenge rules.

    Args:
        gt (str | dict): ground-truth COCO JSON (path or dict) with RLE or
            polygon ``segmentation``.
        preds (str | list): predictions (path or list), see
            :func:`check_predictions`.
        max_dets_rule (str): 'image' or 'category' (module docstring).
        backend (str): 'faster' (faster-coco-eval, same numbers, several
            times quicker) or 'pycocotools'.

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
    coco_cls, eval_cls = _backend(backend)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='.*annotation id 0.*')
        coco_gt = _coco_from_dict(coco_cls, gt)
        coco_dt = coco_gt.loadRes(preds) if preds else None
    if coco_dt is None:
        cat_ids = sorted(c['id'] for c in gt['categories'])
        precision, recall = _no_detections(gt, cat_ids, len(max_dets))
        iou_thrs = np.linspace(.5, 0.95, 10)
    else:
        coco_eval = eval_cls(coco_gt, coco_dt, 'segm')
        coco_eval.params.maxDets = list(max_dets)
        coco_eval.evaluate()
        coco_eval.accumulate()
        precision = np.asarray(coco_eval.eval['precision'])
        recall = np.asarray(coco_eval.eval['recall'])
        iou_thrs = np.asarray(coco_eval.params.iouThrs)
        cat_ids = list(coco_eval.params.catIds)
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
