"""Places instance annotations (PNG) to COCO JSON with RLE masks.

Each annotation PNG ``<name>.png`` belongs to image ``<name>.jpg`` listed in
``imgCatIds.json`` (``images`` with id / file_name / width / height, and the
``categories``). Its R channel holds the category id, its G channel the
instance id, 0 meaning none; B is unused.

Output matches the official ``convert_anns_to_json_dataset.py`` (only images
that have a PNG, instances in ascending G order, RLE of ``G == id``,
``iscrowd`` 0, ``area`` = pixel count) with two deliberate differences:

* annotation ids start at 1 (``first_ann_id``). The official ids start at 0,
  and pycocotools stores a match with annotation 0 as "unmatched", so a
  correct detection of that instance counts as a false positive.
* an instance whose pixels carry more than one category is reported. The
  official script labels it by its first pixel; here ``on_mixed`` picks
  ``'majority'`` (default, with a warning that lists them), ``'first'``
  (official) or ``'error'``.
"""
import multiprocessing
import os.path as osp
import warnings
from functools import partial
from glob import glob

import cv2
import numpy as np
import pycocotools.mask as mask_util
from mmengine.utils import ProgressBar

from mmrot_ext.fileio import load_json
from mmrot_ext.structures import mask_to_rle

ON_MIXED = ('majority', 'first', 'error')


def read_annotation_png(path):
    """(R, G) uint8 planes of an annotation PNG; errors name the file."""
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ValueError(f'{path}: not a readable PNG')
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        channels = 1 if img.ndim == 2 else img.shape[2]
        raise ValueError(f'{path}: annotation PNG must be 8-bit RGB (R = '
                         f'category, G = instance), got {channels} '
                         f'channel(s) of {img.dtype}')
    return img[..., 2], img[..., 1]  # OpenCV stores BGR


def png_annotations(path, image, cat_ids, on_mixed='majority'):
    """COCO annotations (without ``id``) of one annotation PNG.

    Args:
        path (str): the PNG.
        image (dict): its ``imgCatIds.json`` image entry.
        cat_ids (set[int]): valid category ids.
        on_mixed (str): see the module docstring.

    Returns:
        tuple[list[dict], list[str]]: annotations and notes on instances
        with mixed categories.
    """
    cats, insts = read_annotation_png(path)
    if cats.shape != (image['height'], image['width']):
        raise ValueError(f'{path}: PNG is {cats.shape[1]}x{cats.shape[0]} '
                         f'but {image["file_name"]} is {image["width"]}x'
                         f'{image["height"]} in imgCatIds.json')
    anns, mixed = [], []
    for inst_id in np.unique(insts):
        if inst_id == 0:
            continue
        mask = insts == inst_id
        values, counts = np.unique(cats[mask], return_counts=True)
        if len(values) == 1:
            cat_id = int(values[0])
        else:
            share = ', '.join(f'{int(v)}: {int(c)} px'
                              for v, c in zip(values, counts))
            note = f'{path}: instance {int(inst_id)} has categories {share}'
            if on_mixed == 'error':
                raise ValueError(note)
            mixed.append(note)
            first = cats[mask][0]
            cat_id = int(first if on_mixed == 'first' else
                         values[np.argmax(counts)])
        if cat_id not in cat_ids:
            raise ValueError(f'{path}: instance {int(inst_id)} has category '
                             f'id {cat_id}, not one of the '
                             f'{len(cat_ids)} categories of imgCatIds.json '
                             f'({min(cat_ids)}..{max(cat_ids)})')
        rle = mask_to_rle(mask)
        x, y, w, h = mask_util.toBbox(rle).tolist()
        anns.append(dict(image_id=image['id'], category_id=cat_id,
                         segmentation=rle,
                         area=int(mask.sum()), bbox=[x, y, w, h],
                         iscrowd=0))
    return anns, mixed


def _convert_one(path, images, cat_ids, on_mixed):
    name = osp.splitext(osp.basename(path))[0] + '.jpg'
    if name not in images:
        raise ValueError(f'{path}: no image {name} in imgCatIds.json')
    image = images[name]
    return image, *png_annotations(path, image, cat_ids, on_mixed)


def convert_places_pngs(ann_dir, img_cat_ids, workers=None, first_ann_id=1,
                        on_mixed='majority', show_progress=True):
    """Convert a directory of annotation PNGs to a COCO dict.

    Args:
        ann_dir (str): directory of ``*.png`` annotations.
        img_cat_ids (str | dict): ``imgCatIds.json`` (path or loaded).
        workers (int | None): processes (None: all cores, 0: in-process).
        first_ann_id (int): id of the first annotation (0 = official).
        on_mixed (str): 'majority', 'first' or 'error'.

    Returns:
        dict: ``{categories, images, annotations}``.
    """
    if on_mixed not in ON_MIXED:
        raise ValueError(f'on_mixed must be one of {ON_MIXED}, got '
                         f'{on_mixed!r}')
    if isinstance(img_cat_ids, str):
        source, img_cat_ids = img_cat_ids, load_json(img_cat_ids,
                                                     'imgCatIds')
    else:
        source = 'imgCatIds'
    if not isinstance(img_cat_ids, dict) or \
            not {'images', 'categories'} <= set(img_cat_ids):
        raise ValueError(f'{source}: needs "images" and "categories"')
    images = {osp.basename(img['file_name']): img
              for img in img_cat_ids['images']}
    cat_ids = {cat['id'] for cat in img_cat_ids['categories']}
    paths = sorted(glob(osp.join(ann_dir, '*.png')))
    if not paths:
        raise FileNotFoundError(f'{ann_dir}: no annotation PNGs')
    job = partial(_convert_one, images=images, cat_ids=cat_ids,
                  on_mixed=on_mixed)
    bar = ProgressBar(len(paths)) if show_progress else None
    results = []
    if workers == 0:
        stream = map(job, paths)
        pool = None
    else:
        pool = multiprocessing.get_context('fork').Pool(workers)
        stream = pool.imap(job, paths, chunksize=16)
    try:
        for result in stream:
            results.append(result)
            if bar is not None:
                bar.update()
    finally:
        if pool is not None:
            pool.terminate()
    out_images, annotations, mixed = [], [], []
    for image, anns, notes in results:
        out_images.append(image)
        mixed.extend(notes)
        for ann in anns:
            annotations.append(dict(id=first_ann_id + len(annotations),
                                    **ann))
    if mixed:
        warnings.warn(f'{ann_dir}: {len(mixed)} instance(s) carry more than '
                      f'one category, labelled by {on_mixed}:\n  ' +
                      '\n  '.join(mixed[:20]))
    return dict(categories=img_cat_ids['categories'], images=out_images,
                annotations=annotations)
