"""A COCO API that checks an annotation file before indexing it.

pycocotools and mmdet either crash deep inside (KeyError on a JSON that is
not COCO) or silently drop what they cannot use (degenerate polygons, unknown
category ids). This wrapper raises one ``ValueError`` naming the file and
every problem found (the first 10 listed), or, with ``on_invalid='warn'``,
drops the bad annotations with a warning that lists them.
"""
import json
import warnings

from mmdet.datasets.api_wrappers import COCO

_MAX_LISTED = 10


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


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
        return None
    return f'segmentation has unsupported type {type(seg).__name__}'


def check_coco_dict(data, require_annotations=True):
    """Check the structure of a COCO instance dict.

    Returns:
        tuple: (file-level problems, {annotation index: problem}).
    """
    if not isinstance(data, dict):
        return [f'not a COCO annotation file: top level is a '
                f'{type(data).__name__}, expected an object with "images", '
                f'"annotations" and "categories"'], {}
    needed = ['images', 'categories'] + \
        (['annotations'] if require_annotations else [])
    missing = [k for k in needed if not isinstance(data.get(k), list)]
    if missing:
        return [f'not a COCO annotation file: missing list(s) {missing} '
                f'(top-level keys: {sorted(data)})'], {}
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
    cat_ids = set()
    for i, cat in enumerate(data['categories']):
        if not isinstance(cat, dict) or 'id' not in cat or 'name' not in cat:
            problems.append(f'categories[{i}] needs "id" and "name"')
        else:
            cat_ids.add(cat['id'])
    bad_anns = {}
    for i, ann in enumerate(data.get('annotations', [])):
        problem = _annotation_problem(ann, images, cat_ids)
        if problem:
            ann_id = ann.get('id', '?') if isinstance(ann, dict) else '?'
            bad_anns[i] = f'annotation id {ann_id}: {problem}'
    return problems, bad_anns


def _annotation_problem(ann, images, cat_ids):
    if not isinstance(ann, dict):
        return 'is not an object'
    for key in ('id', 'image_id', 'category_id', 'bbox'):
        if key not in ann:
            return f'missing "{key}"'
    img = images.get(ann['image_id'])
    if img is None:
        return f'unknown image id {ann["image_id"]}'
    where = f'(image {ann["image_id"]} {img["file_name"]!r})'
    if ann['category_id'] not in cat_ids:
        return (f'unknown category id {ann["category_id"]} {where}; the '
                f'file defines {sorted(cat_ids)}')
    bbox = ann['bbox']
    if not (isinstance(bbox, list) and len(bbox) == 4 and
            all(map(_is_number, bbox)) and bbox[2] >= 0 and bbox[3] >= 0):
        return f'bbox {bbox} is not [x, y, w, h] with w, h >= 0 {where}'
    if 'segmentation' in ann:
        if not _is_number(ann.get('area')):
            return f'has a segmentation but no numeric "area" {where}'
        problem = segmentation_problem(ann['segmentation'], img['height'],
                                       img['width'])
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
    """

    def __init__(self, annotation_file, require_annotations=True,
                 on_invalid='raise', class_names=None):
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
        problems, bad_anns = check_coco_dict(data, require_annotations)
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
