"""Write rendered synthetic scenes as a COCO-format dataset.

Any scene renderer that returns ``(image, owner, cats, full_areas)`` (see
``dense_objects.render_dense_scene``) can be written with
:func:`write_coco_dataset`. Layout::

    out_dir/annotations/instances_{split}.json
    out_dir/{split}/{index:06d}.jpg

Every annotation carries ``segmentation`` (compressed RLE of the visible
part), ``bbox`` (xywh), ``area`` (visible pixels), ``rbox`` (le90 min-area
rectangle of the visible mask) and ``iscrowd`` (1 for slivers too occluded to
learn from, which COCO evaluation and mmdet training then ignore). Scenes
whose renderer returns keypoints also get COCO's ``keypoints`` (x, y, v per
keypoint: v = 2 visible, 1 hidden under another object, 0 outside the image
with x = y = 0) and ``num_keypoints`` (count of v > 0).
"""
import functools
import json
import os
import os.path as osp
import time

import cv2
import numpy as np
import torch
from mmdet.structures.bbox import bbox_overlaps

from mmrot_ext.structures import (mask_to_rle, masks_to_rboxes,
                                  sparse_rbox_overlaps)

from .scene_jobs import check_splits, map_scenes

SPLIT_IDS = {'train': 0, 'val': 1, 'test': 2}


def keypoint_visibility(owner, index, points):
    """COCO (x, y, v) triplets of one object's keypoints.

    v = 0 (x = y = 0) outside the image, 2 where the object owns a pixel
    within one pixel of the point (a tip's own pixel is often only partly
    covered), else 1 (hidden under another object).

    Args:
        owner (ndarray): (H, W) topmost object index per pixel.
        index (int): the object's index in ``owner``.
        points (ndarray): (K, 2) image (x, y).

    Returns:
        list[float]: 3K numbers.
    """
    h, w = owner.shape
    out = []
    for x, y in points:
        if not (0 <= x < w and 0 <= y < h):
            out += [0.0, 0.0, 0]
            continue
        col, row = int(x), int(y)
        near = owner[max(row - 1, 0):row + 2, max(col - 1, 0):col + 2]
        out += [round(float(x), 3), round(float(y), 3),
                2 if (near == index).any() else 1]
    return out


def scene_annotations(owner, cats, full_areas, image_id, min_visible_area,
                      min_visible_fraction, keypoints=None):
    """COCO annotations (without ``id``) of one scene's visible instances.

    Args:
        owner (ndarray): (H, W) int, topmost object index per pixel, -1 none.
        cats (ndarray): (N,) category id per object.
        full_areas (ndarray): (N,) unoccluded pixel area per object.
        keypoints (ndarray | None): (N, K, 2) image (x, y) per object.
    """
    objects = [k for k in range(len(cats)) if (owner == k).any()]
    masks = np.stack([owner == k for k in objects]) if objects else \
        np.zeros((0, ) + owner.shape, bool)
    rboxes = masks_to_rboxes(masks)
    anns = []
    for k, mask, rbox in zip(objects, masks, rboxes):
        area = int(mask.sum())
        ys, xs = np.nonzero(mask)
        x0, y0 = int(xs.min()), int(ys.min())
        crowd = area < min_visible_area or \
            area < min_visible_fraction * full_areas[k]
        anns.append(
            dict(
                image_id=image_id,
                category_id=int(cats[k]),
                segmentation=mask_to_rle(mask),
                area=area,
                bbox=[x0, y0, int(xs.max()) + 1 - x0,
                      int(ys.max()) + 1 - y0],
                rbox=[round(float(v), 6) for v in rbox],
                iscrowd=int(crowd)))
        if keypoints is not None:
            triplets = keypoint_visibility(owner, k, keypoints[k])
            anns[-1].update(keypoints=triplets,
                            num_keypoints=sum(v > 0 for v in triplets[2::3]))
    return anns


def neighbour_ious(anns):
    """Per instance, its largest IoU with another instance of the scene.

    Returns (hbox_ious, rbox_ious), each (M,) for the M non-crowd
    annotations (empty when M < 2).
    """
    anns = [a for a in anns if not a['iscrowd']]
    if len(anns) < 2:
        return np.zeros(0), np.zeros(0)
    xywh = torch.tensor([a['bbox'] for a in anns], dtype=torch.float32)
    hbox = torch.cat([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], dim=1)
    rbox = torch.tensor([a['rbox'] for a in anns], dtype=torch.float32)
    result = []
    for iou in (bbox_overlaps(hbox, hbox), sparse_rbox_overlaps(rbox, rbox)):
        iou.fill_diagonal_(0)
        result.append(iou.max(dim=1).values.numpy())
    return tuple(result)


def _render_one(index, split, out_dir, seed, render, cfg, jpeg_quality):
    """Render, write and annotate image ``index`` of ``split``."""
    rng = np.random.default_rng([seed, SPLIT_IDS[split], index])
    img, owner, cats, full_areas, keypoints = render(rng, cfg)
    file_name = f'{split}/{index:06d}.jpg'
    if not cv2.imwrite(
            osp.join(out_dir, file_name), img,
        [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality]):
        raise OSError(f'could not write {osp.join(out_dir, file_name)}')
    image = dict(id=index + 1, file_name=file_name, height=img.shape[0],
                 width=img.shape[1])
    anns = scene_annotations(owner, cats, full_areas, index + 1,
                             cfg.min_visible_area, cfg.min_visible_fraction,
                             keypoints)
    return image, anns


def write_coco_dataset(out_dir, splits, render, cfg, categories, seed=0,
                       workers=None, jpeg_quality=92):
    """Render every split and write images plus COCO JSON.

    Args:
        splits (dict): split name ('train', 'val', 'test') -> image count.
        render (callable): ``render(rng, cfg)`` -> (img, owner, cats,
            full_areas, keypoints (N, K, 2) or None); must be a
            module-level function (it is pickled to worker processes).
        categories (list[dict]): COCO categories (with ``keypoints`` names
            and ``skeleton`` when the renderer returns keypoints).
        workers (int | None): processes; None = all cores.

    Returns:
        dict: per split, image / instance counts, mean neighbour IoU of
        axis-aligned and rotated boxes, and seconds taken.
    """
    check_splits(splits, SPLIT_IDS)
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    stats = {}
    for split, count in splits.items():
        start = time.time()
        os.makedirs(osp.join(out_dir, split), exist_ok=True)
        job = functools.partial(_render_one, split=split, out_dir=out_dir,
                                seed=seed, render=render, cfg=cfg,
                                jpeg_quality=jpeg_quality)
        results = map_scenes(job, count, workers)
        images, annotations, hious, rious = [], [], [], []
        for image, anns in results:
            images.append(image)
            for ann in anns:
                ann['id'] = len(annotations) + 1
                annotations.append(ann)
            h, r = neighbour_ious(anns)
            if len(h):
                hious.append(h.mean())
                rious.append(r.mean())
        with open(osp.join(out_dir, 'annotations',
                           f'instances_{split}.json'), 'w') as f:
            json.dump(dict(images=images, annotations=annotations,
                           categories=categories), f)
        stats[split] = dict(
            images=len(images),
            instances=sum(1 for a in annotations if not a['iscrowd']),
            crowd=sum(1 for a in annotations if a['iscrowd']),
            mean_neighbour_hbox_iou=float(np.mean(hious)) if hious else 0.0,
            mean_neighbour_rbox_iou=float(np.mean(rious)) if rious else 0.0,
            seconds=round(time.time() - start, 2))
    return stats
