"""Write rendered synthetic scenes in the Places Challenge format.

Layout (as the challenge ships it)::

    out_dir/imgCatIds.json                       images + categories, no anns
    out_dir/images/{split}/SYN_{split}_{k:08d}.jpg
    out_dir/annotations_instance/{split}/SYN_{split}_{k:08d}.png

Annotation PNGs have R = category id, G = instance id (1..N in drawing
order), B = 0; 0 means none. Image ids run from 0 across the splits in the
order given, like the challenge's ``imgCatIds.json``.
"""
import functools
import json
import os
import os.path as osp

import cv2
import numpy as np

from .dense_objects import CATEGORIES, DenseSceneConfig, render_dense_scene
from .scene_jobs import check_splits, map_scenes

SPLIT_SEEDS = {'training': 0, 'validation': 1, 'testing': 2}


def _write_one(index, split, out_dir, seed, render, cfg):
    rng = np.random.default_rng([seed, SPLIT_SEEDS[split], index])
    img, owner, cats, *_ = render(rng, cfg)
    if len(cats) > 255:
        raise ValueError(f'{len(cats)} objects: the format holds <= 255')
    name = f'SYN_{split}_{index + 1:08d}'
    png = np.zeros(img.shape, np.uint8)  # BGR order for OpenCV
    visible = owner >= 0
    png[..., 1][visible] = owner[visible] + 1
    png[..., 2][visible] = np.asarray(cats)[owner[visible]]
    for path, data in ((f'images/{split}/{name}.jpg', img),
                       (f'annotations_instance/{split}/{name}.png', png)):
        if not cv2.imwrite(osp.join(out_dir, path), data):
            raise OSError(f'could not write {osp.join(out_dir, path)}')
    return dict(file_name=f'{name}.jpg', height=img.shape[0],
                width=img.shape[1])


def write_places_dataset(out_dir, splits, cfg=None, seed=0, workers=None,
                         render=render_dense_scene, categories=CATEGORIES):
    """Render scenes and write them as a Places-format dataset.

    Args:
        splits (dict): 'training' / 'validation' / 'testing' -> count.
        cfg: scene config for ``render`` (default DenseSceneConfig()).
        render (callable): ``render(rng, cfg)`` -> (img, owner, cats, ...),
            module-level (it is pickled to workers).

    Returns:
        dict: the ``imgCatIds.json`` content written.
    """
    check_splits(splits, SPLIT_SEEDS)
    cfg = cfg or DenseSceneConfig()
    images = []
    for split, count in splits.items():
        for sub in ('images', 'annotations_instance'):
            os.makedirs(osp.join(out_dir, sub, split), exist_ok=True)
        job = functools.partial(_write_one, split=split, out_dir=out_dir,
                                seed=seed, render=render, cfg=cfg)
        for image in map_scenes(job, count, workers):
            images.append(dict(image, id=len(images)))
    img_cat_ids = dict(images=images, categories=list(categories))
    with open(osp.join(out_dir, 'imgCatIds.json'), 'w') as f:
        json.dump(img_cat_ids, f)
    return img_cat_ids
