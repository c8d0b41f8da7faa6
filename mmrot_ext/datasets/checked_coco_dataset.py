"""COCO-format dataset that rejects bad input with a clear error."""
import os.path as osp

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .validating_coco_api import ValidatingCOCO


@DATASETS.register_module()
class CheckedCocoDataset(CocoDataset):
    """mmdet's ``CocoDataset`` with its input checked when it loads.

    Where mmdet crashes deep inside or silently drops data, this raises an
    error naming the annotation file and the problem: a JSON that is not
    COCO, an empty or degenerate polygon, an unknown category id, a class
    name the file does not define, a missing image file.

    Args:
        on_invalid (str): 'raise' (default) or 'warn' to drop invalid
            annotations with a warning that lists them.
        check_files (bool): check that every image file exists (local
            storage only). Defaults to True.
    """

    def __init__(self, *args, on_invalid='raise', check_files=True,
                 **kwargs):
        self.on_invalid = on_invalid
        self.check_files = check_files
        super().__init__(*args, **kwargs)

    def COCOAPI(self, annotation_file):  # noqa: N802 (mmdet's hook name)
        """Build the checked COCO API that ``load_data_list`` indexes."""
        return ValidatingCOCO(
            annotation_file,
            require_annotations=not self.test_mode,
            on_invalid=self.on_invalid,
            class_names=self.metainfo['classes'])

    def parse_data_info(self, raw_data_info):
        data_info = super().parse_data_info(raw_data_info)
        if self.check_files and self.backend_args is None and \
                not osp.isfile(data_info['img_path']):
            raise FileNotFoundError(
                f'{self.ann_file}: image file {data_info["img_path"]} '
                f'(image id {data_info["img_id"]}) does not exist')
        return data_info
