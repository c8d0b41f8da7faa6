"""Plausible instance-mask predictions made from a COCO ground truth."""
import numpy as np
import pycocotools.mask as mask_util

from mmrot_ext.structures import mask_to_rle


def jittered_mask_predictions(gt, per_image=100, seed=0, hit_rate=0.6,
                              num_categories=None):
    """Predictions mixing shifted GT masks and random rectangles.

    Args:
        gt (dict): COCO dict with RLE ``segmentation``.
        per_image (int): predictions per image.
        hit_rate (float): share made from a GT mask (shifted by up to 2 px,
            right category 80 % of the time); the rest are rectangles.
        num_categories (int, optional): labels drawn from 1..N (default: the
            number of categories in ``gt``).

    Returns:
        list[dict]: ``{image_id, category_id, segmentation, score}``.
    """
    rng = np.random.default_rng(seed)
    num_categories = num_categories or len(gt['categories'])
    by_image = {}
    for ann in gt['annotations']:
        by_image.setdefault(ann['image_id'], []).append(ann)
    preds = []
    for image in gt['images']:
        h, w = image['height'], image['width']
        anns = by_image.get(image['id'], [])
        decoded = {}
        for _ in range(per_image):
            if anns and rng.random() < hit_rate:
                k = int(rng.integers(len(anns)))
                if k not in decoded:
                    decoded[k] = mask_util.decode(anns[k]['segmentation'])
                mask = np.roll(decoded[k], rng.integers(-2, 3, 2),
                               axis=(0, 1))
                cat = anns[k]['category_id'] if rng.random() < 0.8 else \
                    int(rng.integers(1, num_categories + 1))
            else:
                mask = np.zeros((h, w), np.uint8)
                y, x = rng.integers(0, h - 4), rng.integers(0, w - 4)
                mask[y:y + rng.integers(2, 30), x:x + rng.integers(2, 40)] = 1
                cat = int(rng.integers(1, num_categories + 1))
            preds.append(dict(image_id=image['id'], category_id=cat,
                              segmentation=mask_to_rle(mask),
                              score=float(rng.random())))
    return preds
