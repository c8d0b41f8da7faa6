"""COCO-format dataset that rejects bad input with a clear error."""
import math
import os.path as osp

from mmdet.datasets import CocoDataset
from mmengine.logging import print_log

from mmrot_ext.registry import DET_DATASETS
from .image_check import find_unreadable_images
from .validating_coco_api import ValidatingCOCO


@DET_DATASETS.register_module()
class CheckedCocoDataset(CocoDataset):
    """mmdet's ``CocoDataset`` with its input checked when it loads.

    Where mmdet crashes deep inside or silently drops data, this raises an
    error naming the annotation file and the problem: a JSON that is not
    COCO, an empty or degenerate polygon, an empty RLE mask, an unknown
    category id, a box outside the image, under one pixel or with NaN
    values, a non-positive or NaN area, an ``iscrowd`` other than 0 / 1, a
    class name the file does not define, a missing image file. Images left
    out of training (no annotation of the classes, smaller than
    ``filter_cfg.min_size``) are counted in the log.

    Args:
        on_invalid (str): 'raise' (default) or 'warn' to drop invalid
            annotations with a warning that lists them.
        check_files (bool): check that every image file exists (local
            storage only). Defaults to True.
        boxes_from_masks (bool): keep an annotation whose box or area is
            unusable but whose mask is valid, with both recomputed from the
            mask (rotated configs: their boxes come from the masks).
            Defaults to False.
        verify_images (bool | None): decode every image once when the
            dataset is built (in parallel, with a progress bar) and fail
            listing each unreadable, empty or corrupt one. None (default):
            for training datasets (``test_mode=False``) with local files.

    An annotation's ``rbox`` field, where present, is checked and carried
    into its instance for ``LoadRotatedBoxAnnotations``; so are COCO
    ``keypoints`` (for ``LoadKeypointAnnotations``): a keypoint list of the
    wrong length for its category, NaN values or a visibility flag not in
    {0, 1, 2} is an error naming the file.
    """

    def __init__(self, *args, on_invalid='raise', check_files=True,
                 boxes_from_masks=False, verify_images=None, **kwargs):
        self.on_invalid = on_invalid
        self.check_files = check_files
        self.boxes_from_masks = boxes_from_masks
        self.verify_images = verify_images
        super().__init__(*args, **kwargs)

    def COCOAPI(self, annotation_file):  # noqa: N802 (mmdet's hook name)
        """Build the checked COCO API that ``load_data_list`` indexes."""
        return ValidatingCOCO(
            annotation_file,
            require_annotations=not self.test_mode,
            on_invalid=self.on_invalid,
            class_names=self.metainfo['classes'],
            boxes_from_masks=self.boxes_from_masks)

    def _checked_rbox(self, ann):
        rbox = ann['rbox']
        ok = isinstance(rbox, (list, tuple)) and len(rbox) == 5 and all(
            isinstance(v, (int, float)) and math.isfinite(v) for v in rbox)
        if not ok or rbox[2] <= 0 or rbox[3] <= 0:
            raise ValueError(
                f'{self.ann_file}: annotation {ann.get("id")} (image '
                f'{ann.get("image_id")}) has rbox {rbox!r}; expected 5 finite '
                'numbers (cx, cy, w, h, theta) with w, h > 0')
        return [float(v) for v in rbox]

    def filter_data(self):
        """mmdet's filter, with the images it leaves out counted."""
        kept = super().filter_data()
        left_out = len(self.data_list) - len(kept)
        if left_out:
            empty = sum(not d['instances'] for d in self.data_list)
            print_log(
                f'{self.ann_file}: {left_out} of {len(self.data_list)} images '
                f'left out of training ({empty} without annotations of '
                f'{len(self.metainfo["classes"])} classes; filter_cfg='
                f'{self.filter_cfg})', logger='current')
        return kept

    def load_data_list(self):
        """mmdet's data list, its images decoded once if asked."""
        data_list = super().load_data_list()
        verify = self.verify_images
        if verify is None:
            verify = not self.test_mode and self.backend_args is None
        if verify:
            print_log(f'{self.ann_file}: decoding {len(data_list)} images '
                      f'once (verify_images=False skips this)',
                      logger='current')
            bad = find_unreadable_images([d['img_path'] for d in data_list])
            if bad:
                listed = '\n  '.join(f'{p}: {why}' for p, why in bad[:20])
                more = f'\n  ... and {len(bad) - 20} more' \
                    if len(bad) > 20 else ''
                raise ValueError(f'{self.ann_file}: {len(bad)} unreadable '
                                 f'image(s):\n  {listed}{more}')
        return data_list

    def parse_data_info(self, raw_data_info):
        """mmdet's parse, with each kept annotation's ``rbox`` (le90
        ``(cx, cy, w, h, theta)``, checked) and ``keypoints`` (COCO's
        x, y, v triplets as a (K, 3) list, checked by the COCO API) carried
        into its instance."""
        data_info = super().parse_data_info(raw_data_info)
        anns = raw_data_info['raw_ann_info']
        if any('rbox' in ann or 'keypoints' in ann for ann in anns):
            # one annotation at a time, so that mmdet's own filter decides
            # which are kept and each kept one is paired with its extras
            instances = []
            for ann in anns:
                kept = super().parse_data_info(
                    dict(raw_data_info, raw_ann_info=[ann]))['instances']
                if kept and 'rbox' in ann:
                    kept[0]['rbox'] = self._checked_rbox(ann)
                if kept and 'keypoints' in ann:
                    flat = ann['keypoints']
                    kept[0]['keypoints'] = [
                        [float(v) for v in flat[i:i + 3]]
                        for i in range(0, len(flat), 3)]
                instances += kept
            data_info['instances'] = instances
        if self.check_files and self.backend_args is None and \
                not osp.isfile(data_info['img_path']):
            raise FileNotFoundError(
                f'{self.ann_file}: image file {data_info["img_path"]} '
                f'(image id {data_info["img_id"]}) does not exist')
        return data_info
