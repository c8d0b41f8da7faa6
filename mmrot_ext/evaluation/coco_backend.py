"""The COCO evaluator behind our COCO-style scoring.

* ``'hotcoco'`` (default): hotcoco (Rust, MIT licence), a drop-in for
  pycocotools' ``COCO`` / ``COCOeval`` whose precision and recall arrays
  equal pycocotools' (``tests/test_evaluation/test_coco_backend.py``,
  ``tests/test_places/test_places_eval.py``) at 10-20 times its speed,
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
