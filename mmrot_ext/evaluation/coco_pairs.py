"""What pycocotools' ``COCOeval.computeIoU`` compares, for evaluators that
compute their own overlap."""
import numpy as np


def gts_and_ranked_dets(coco_eval, img_id, cat_id):
    """GT annotations and detections of one image and category (all
    categories when ``useCats`` is off), the detections by descending score
    and at most ``maxDets[-1]`` of them: the rows and columns of the matrix
    ``computeIoU`` returns."""
    p = coco_eval.params
    if p.useCats:
        gt, dt = coco_eval._gts[img_id, cat_id], coco_eval._dts[img_id, cat_id]
    else:
        gt = [g for c in p.catIds for g in coco_eval._gts[img_id, c]]
        dt = [d for c in p.catIds for d in coco_eval._dts[img_id, c]]
    order = np.argsort([-d['score'] for d in dt], kind='mergesort')
    return gt, [dt[i] for i in order[:p.maxDets[-1]]]
