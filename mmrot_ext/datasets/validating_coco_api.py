"""A COCO API that checks an annotation file before indexing it.

pycocotools and mmdet either crash deep inside (KeyError on a JSON that is
not COCO) or silently drop what they cannot use (degenerate polygons, unknown
category ids, boxes outside the image, NaN coordinates, boxes under one
pixel, non-positive areas, empty masks, keypoint arrays of the wrong
length, NaN keypoints or visibility flags outside {0, 1, 2}). This wrapper
raises one ``ValueError`` naming the file and every problem found (the first 10
listed), or, with ``on_invalid='warn'``, drops the bad annotations with a
warning that lists them. With ``boxes_from_masks=True`` (rotated configs,
whose boxes are rebuilt from the masks anyway) an annotation whose only
problem is its box or area, and whose mask is valid, is kept with box and
area recomputed from the mask (listed in a warning).
"""
import json
import math
import warnings

import pycocotools.mask as mask_utils
from mmdet.datasets.api_wrappers import COCO

_MAX_LISTED = 10


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_finite(x):
    return _is_number(x) and math.isfinite(x)


def polygon_problem(polygon):
    """Why a COCO polygon ``[x0, y0, x1, y1, ...]`` is unusable, or None."""
    if not isinstance(polygon, list) or not all(map(_is_number, polygon)):
        return 'is not a list of numbers'
    if len(polygon) < 6 or len(polygon) % 2:
        return f'has {len(polygon)} coordinates (needs an even number >= 6)'
    xs, ys = polygon[0::2], polygon[1::2]
    twice_area = sum(xs[i] * ys[i - 1] - xs[i - 1] * ys[i]
                     for i in range(len(xs)))
    if abs(twice_area) < 1e-6:
        return 'has zero area (degenerate)'
    return None


def segmentation_problem(seg, height, width):
    """Why an annotation's ``segmentation`` is unusable, or None."""
    if isinstance(seg, list):
        if not seg:
            return 'segmentation is an empty polygon list'
        for k, polygon in enumerate(seg):
            problem = polygon_problem(polygon)
            if problem:
                return f'polygon {k} {problem}'
        return None
    if isinstance(seg, dict):
        if not isinstance(seg.get('counts'), (str, list)) or \
                not isinstance(seg.get('size'), list):
            return 'RLE segmentation needs "counts" (str or list) and "size"'
        if list(seg['size']) != [height, width]:
            return (f'RLE size {seg["size"]} does not match the image size '
                    f'[{height}, {width}]')
        try:
            area = mask_utils.area(_rle(seg, height, width))
        except Exception as e:  # noqa: BLE001  (pycocotools raises many)
            return f'RLE counts cannot be decoded ({e})'
        if area == 0:
            return 'RLE mask is empty (no foreground pixel)'
        return None
    return f'segmentation has unsupported type {type(seg).__name__}'


def _rle(seg, height, width):
    """Compressed RLE of a polygon list or an (un)compressed RLE dict."""
    if isinstance(seg, list):
        return mask_utils.merge(mask_utils.frPyObjects(seg, height, width))
    if isinstance(seg['counts'], list):
        return mask_utils.frPyObjects(seg, height, width)
    return seg


def box_problem(ann, height, width):
    """Why an annotation's ``bbox`` / ``area`` would make mmdet drop it
    silently, or None."""
    bbox = ann['bbox']
    if not (isinstance(bbox, list) and len(bbox) == 4 and
            all(map(_is_number, bbox))):
        return f'bbox {bbox} is not [x, y, w, h]'
    if not all(map(_is_finite, bbox)):
        return f'bbox {bbox} has NaN or infinite values'
    x, y, w, h = bbox
    if w < 1 or h < 1:
        return f'bbox {bbox} is under one pixel wide or high'
    if min(x + w, width) <= max(x, 0) or min(y + h, height) <= max(y, 0):
        return f'bbox {bbox} lies outside the {width}x{height} image'
    if not _is_finite(ann.get('area')):
        return f'area {ann.get("area")!r} is not a finite number'
    if ann['area'] <= 0:
        return f'area {ann["area"]} is not positive'
    return None


def check_coco_dict(data, require_annotations=True, boxes_from_masks=False):
    """Check the structure of a COCO instance dict.

    With ``boxes_from_masks``, an annotation with a valid mask whose box or
    area is unusable gets both recomputed from the mask, in ``data``.

    Returns:
        tuple: (file-level problems, {annotation index: problem},
        [descriptions of the repaired annotations]).
    """
    if not isinstance(data, dict):
        return [f'not a COCO annotation file: top level is a '
                f'{type(data).__name__}, expected an object with "images", '
                f'"annotations" and "categories"'], {}, []
    needed = ['images', 'categories'] + \
        (['annotations'] if require_annotations else [])
    missing = [k for k in needed if not isinstance(data.get(k), list)]
    if missing:
        return [f'not a COCO annotation file: missing list(s) {missing} '
                f'(top-level keys: {sorted(data)})'], {}, []
    problems = []
    images = {}
    for i, img in enumerate(data['images']):
        if not isinstance(img, dict) or 'id' not in img or \
                not isinstance(img.get('file_name'), str) or \
                not all(isinstance(img.get(k), int) and img[k] > 0
                        for k in ('height', 'width')):
            problems.append(f'images[{i}] needs "id", "file_name" and '
                            f'positive integer "height" and "width"')
        elif img['id'] in images:
            problems.append(f'images[{i}] repeats image id {img["id"]}')
        else:
            images[img['id']] = img
    cat_keypoints = {}  # category id -> number of keypoints (None: none)
    for i, cat in enumerate(data['categories']):
        if not isinstance(cat, dict) or 'id' not in cat or 'name' not in cat:
            problems.append(f'categories[{i}] needs "id" and "name"')
        elif 'keypoints' in cat and not (
                isinstance(cat['keypoints'], list)
                and all(isinstance(n, str) for n in cat['keypoints'])):
            problems.append(f'categories[{i}] "keypoints" must be a list of '
                            f'names, got {cat["keypoints"]!r}')
        else:
            names = cat.get('keypoints')
            cat_keypoints[cat['id']] = len(names) if names else None
    bad_anns, repaired = {}, []
    for i, ann in enumerate(data.get('annotations', [])):
        problem = _annotation_problem(ann, images, cat_keypoints)
        ann_id = ann.get('id', '?') if isinstance(ann, dict) else '?'
        if problem is None:
            img = images[ann['image_id']]
            problem = box_problem(ann, img['height'], img['width'])
            if problem and boxes_from_masks and ann.get('segmentation'):
                rle = _rle(ann['segmentation'], img['height'], img['width'])
                ann['bbox'] = [float(v) for v in mask_utils.toBbox(rle)]
                ann['area'] = float(mask_utils.area(rle))
                repaired.append(f'annotation id {ann_id}: {problem}')
                problem = box_problem(ann, img['height'], img['width'])
            if problem:
                problem += f' (image {ann["image_id"]} {img["file_name"]!r})'
        if problem:
            bad_anns[i] = f'annotation id {ann_id}: {problem}'
    return problems, bad_anns, repaired


def keypoints_problem(keypoints, num_keypoints):
    """Why an annotation's COCO ``keypoints`` (x, y, v per keypoint) are
    unusable, or None. ``num_keypoints``: the category's count (None when
    the category names no keypoints)."""
    if num_keypoints is None:
        return 'has keypoints but its category names none ("keypoints")'
    if not isinstance(keypoints, list) or not all(map(_is_number,
                                                      keypoints)):
        return 'keypoints is not a list of numbers'
    if len(keypoints) != 3 * num_keypoints:
        return (f'keypoints has {len(keypoints)} numbers; its category has '
                f'{num_keypoints} keypoints (expected {3 * num_keypoints})')
    if not all(map(_is_finite, keypoints)):
        return 'keypoints has NaN or infinite values'
    flags = sorted(set(keypoints[2::3]) - {0, 1, 2})
    if flags:
        return f'keypoint visibility flag(s) {flags} not in {{0, 1, 2}}'
    return None


def _annotation_problem(ann, images, cat_keypoints):
    if not isinstance(ann, dict):
        return 'is not an object'
    for key in ('id', 'image_id', 'category_id', 'bbox', 'area'):
        if key not in ann:
            return f'missing "{key}"'
    img = images.get(ann['image_id'])
    if img is None:
        return f'unknown image id {ann["image_id"]}'
    where = f'(image {ann["image_id"]} {img["file_name"]!r})'
    if ann['category_id'] not in cat_keypoints:
        return (f'unknown category id {ann["category_id"]} {where}; the '
                f'file defines {sorted(cat_keypoints)}')
    if ann.get('iscrowd', 0) not in (0, 1):
        return f'iscrowd must be 0 or 1, got {ann["iscrowd"]!r} {where}'
    if 'segmentation' in ann:
        problem = segmentation_problem(ann['segmentation'], img['height'],
                                       img['width'])
        if problem:
            return f'{problem} {where}'
    if 'keypoints' in ann:
        problem = keypoints_problem(ann['keypoints'],
                                    cat_keypoints[ann['category_id']])
        if problem:
            return f'{problem} {where}'
    return None


class ValidatingCOCO(COCO):
    """mmdet's COCO API that checks the file before indexing it.

    Args:
        annotation_file (str): path of a COCO instance JSON.
        require_annotations (bool): False accepts image-info files without
            "annotations" (test-dev style).
        on_invalid (str): 'raise' (default) or 'warn' (drop invalid
            annotations with a warning listing them).
        class_names (sequence[str] | None): names the dataset asks for; each
            must be a category of the file.
        boxes_from_masks (bool): rebuild an unusable box / area from a valid
            mask instead of rejecting the annotation.
    """

    def __init__(self, annotation_file, require_annotations=True,
                 on_invalid='raise', class_names=None,
                 boxes_from_masks=False):
        if on_invalid not in ('raise', 'warn'):
            raise ValueError(f"on_invalid must be 'raise' or 'warn', got "
                             f'{on_invalid!r}')
        super().__init__(None)
        try:
            with open(annotation_file) as f:
                data = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'{annotation_file}: not valid JSON ({err})') \
                from err
        problems, bad_anns, repaired = check_coco_dict(
            data, require_annotations, boxes_from_masks)
        if repaired:
            warnings.warn(self._describe(
                annotation_file, repaired, 'annotation(s) with box and area '
                'rebuilt from their masks'))
        if problems:
            raise ValueError(self._describe(annotation_file, problems))
        if bad_anns:
            listed = list(bad_anns.values())
            if on_invalid == 'raise':
                raise ValueError(
                    self._describe(annotation_file, listed, 'invalid '
                                   'annotation(s)'))
            warnings.warn(self._describe(annotation_file, listed,
                                         'invalid annotation(s) dropped'))
            data['annotations'] = [
                a for i, a in enumerate(data['annotations'])
                if i not in bad_anns
            ]
        if class_names is not None:
            known = [c['name'] for c in data['categories']]
            missing = [n for n in class_names if n not in known]
            if missing:
                raise ValueError(f'{annotation_file}: class(es) {missing} '
                                 f'are not categories of this file '
                                 f'(it has {known})')
        self.dataset = data
        self.createIndex()
        self.img_ann_map = self.imgToAnns
        self.cat_img_map = self.catToImgs

    @staticmethod
    def _describe(path, problems, what='problem(s)'):
        shown = '\n  '.join(problems[:_MAX_LISTED])
        more = len(problems) - _MAX_LISTED
        tail = f'\n  ... and {more} more' if more > 0 else ''
        return f'{path}: {len(problems)} {what}:\n  {shown}{tail}'
