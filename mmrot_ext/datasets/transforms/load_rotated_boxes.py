"""Ground-truth rotated boxes read from the annotations, no masks."""
import numpy as np
import torch
from mmdet.datasets.transforms import LoadAnnotations
from mmrotate.structures.bbox import RotatedBoxes

from mmrot_ext.registry import ROOT_TRANSFORMS


@ROOT_TRANSFORMS.register_module()
class LoadRotatedBoxAnnotations(LoadAnnotations):
    """mmdet's ``LoadAnnotations`` for rotated-box-only labels.

    ``gt_bboxes`` become :class:`RotatedBoxes` (N, 5) from each instance's
    ``rbox`` (le90 ``(cx, cy, w, h, theta)``, which
    :class:`CheckedCocoDataset` carries over from a COCO annotation's
    ``rbox`` field); labels and ignore flags as mmdet's. Masks are never
    loaded (``with_mask=True`` is an error): the geometric transforms after
    it (``Resize``, ``RandomFlip``, mmrotate's ``RandomRotate``) transform
    the rotated boxes through the box API. Registered in mmengine's root
    registry, so mmdet and mmrotate configs both find it.

    Required keys: instances (each with ``rbox``, ``bbox_label``,
    ``ignore_flag``), img_path.
    Added keys: gt_bboxes, gt_bboxes_labels, gt_ignore_flags.
    """

    def __init__(self, with_mask=False, **kwargs):
        if with_mask or kwargs.get('with_seg') or kwargs.get('poly2mask'):
            raise ValueError('LoadRotatedBoxAnnotations loads rotated boxes '
                             'and labels only (no masks or segmentation)')
        kwargs.setdefault('with_bbox', True)
        kwargs.setdefault('with_label', True)
        super().__init__(with_mask=False, box_type=None, **kwargs)

    def _load_bboxes(self, results: dict) -> None:
        instances = results.get('instances', [])
        missing = [i for i, inst in enumerate(instances) if 'rbox' not in inst]
        if missing:
            raise KeyError(
                f'{results.get("img_path")}: {len(missing)} of '
                f'{len(instances)} annotations have no "rbox" (first: '
                f'instance {missing[0]}); rotated-box-only training needs '
                'it in every annotation')
        boxes = torch.tensor([inst['rbox'] for inst in instances],
                             dtype=torch.float32).reshape(-1, 5)
        results['gt_bboxes'] = RotatedBoxes(boxes)
        results['gt_ignore_flags'] = np.array(
            [inst['ignore_flag'] for inst in instances], dtype=bool)
