"""The COCO evaluator behind our COCO-style scoring.

* ``'hotcoco'`` (default): hotcoco (Rust, MIT licence), a drop-in for
  pycocotools' ``COCO`` / ``COCOeval`` whose precision and recall arrays
  equal pycocotools' (``tests/test_places/test_places_eval.py``,
  ``tests/test_evaluation/test_rotated_coco_instance_metric.py``) at
  10-20 times its speed,
  and which matches rotated boxes natively (IoU type ``'obb'``: ``obb`` =
  [cx, cy, w, h, theta], theta in radians; the detections' area is w * h,
  as pycocotools gives boxes).
* ``'pycocotools'``: the stock evaluator, kept selectable as the
  reference (it has no rotated boxes).

Both run on the CPU; they take plain COCO dicts.
"""
import contextlib
import copy
import io
import warnings

EVALUATORS = ('hotcoco', 'pycocotools')


def coco_classes(evaluator='hotcoco'):
    """``(COCO, COCOeval)`` classes of ``evaluator`` (see module doc)."""
    if evaluator == 'hotcoco':
        from hotcoco import COCO, COCOeval
        return COCO, COCOeval
    if evaluator == 'pycocotools':
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
        return COCO, COCOeval
    raise ValueError(f'evaluator must be one of {EVALUATORS}, got '
                     f'{evaluator!r}')


def coco_api(dataset, evaluator='hotcoco'):
    """An indexed ``COCO`` of ``evaluator`` over the dict ``dataset``.

    pycocotools rewrites fields of what it indexes and loads, so it gets a
    copy of the annotations; hotcoco reads the dict without changing it.
    """
    coco_cls, _ = coco_classes(evaluator)
    if evaluator == 'pycocotools':
        dataset = dict(dataset, annotations=copy.deepcopy(
            dataset.get('annotations', [])))
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools' prints
        coco = coco_cls()
        coco.dataset = dataset
        coco.createIndex()
    return coco


def load_results(coco_gt, dets, evaluator='hotcoco'):
    """``coco_gt.loadRes(dets)`` that leaves ``dets`` unchanged."""
    if evaluator == 'pycocotools':
        dets = copy.deepcopy(dets)
    return coco_gt.loadRes(dets)


def obb_results(dets):
    """hotcoco ``'obb'`` results of our rotated result entries (``rbox``
    [cx, cy, w, h, theta]; their ``bbox`` envelope is left out, so the
    area of a detection is w * h)."""
    return [dict(image_id=d['image_id'], category_id=d['category_id'],
                 score=d['score'], obb=d['rbox']) for d in dets]


def run_evaluation(coco_eval):
    """``evaluate``, ``accumulate`` and ``summarize``; returns the printed
    summary. hotcoco's notes that rotated boxes and class-agnostic recall
    are not leaderboard protocols are silenced: both are checked against
    pycocotools on our exact rotated IoU in the tests."""
    summary = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(summary):
        warnings.filterwarnings('ignore',
                                message='hotcoco: (oriented|use_cats)')
        coco_eval.evaluate()
        coco_eval.accumulate()
        coco_eval.summarize()
    return summary.getvalue()
