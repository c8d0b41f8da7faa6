"""Ground-truth boxes recomputed from the (augmented) instance masks."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmrotate.structures.bbox import RotatedBoxes

from mmrot_ext.registry import ROOT_TRANSFORMS
from mmrot_ext.structures import masks_to_rboxes

BOX_TYPES = ('rbox', 'hbox')


@ROOT_TRANSFORMS.register_module()
class BoxesFromMasks(BaseTransform):
    """Set ``gt_bboxes`` to the tight boxes of ``gt_masks``.

    Put it after every geometric transform (resize, flip, rotate): boxes then
    always match the masks they come from, for rotated boxes (le90 min-area
    rectangles; mmrotate 1.0.0rc1's ``ConvertMask2BoxType`` transposes bitmap
    masks) and for axis-aligned ones (a rotated image's box would otherwise
    be the loose envelope of the old box). Instances whose mask is empty
    (zero area, or moved out of the image) are dropped with their labels and
    flags: an instance without a mask cannot be a mask target. Registered in
    mmengine's root registry, so mmdet and mmrotate configs both see it.

    Args:
        box_type (str): 'rbox' (RotatedBoxes) or 'hbox' (HorizontalBoxes).

    Required keys: gt_masks, gt_bboxes_labels, gt_ignore_flags.
    Modified keys: gt_bboxes and the above (and gt_keypoints if present).
    """

    def __init__(self, box_type='rbox'):
        if box_type not in BOX_TYPES:
            raise ValueError(f'box_type must be one of {BOX_TYPES}, got '
                             f'{box_type!r}')
        self.box_type = box_type

    def transform(self, results):
        masks = results['gt_masks']
        array = masks.to_ndarray().astype(bool)
        keep = array.any(axis=(1, 2))
        if not keep.all():
            masks = masks[np.flatnonzero(keep)]
            results['gt_masks'] = masks
            array = array[keep]
            for key in ('gt_bboxes_labels', 'gt_ignore_flags',
                        'gt_keypoints'):
                if key in results:
                    results[key] = results[key][keep]
        if self.box_type == 'rbox':
            boxes = RotatedBoxes(torch.from_numpy(masks_to_rboxes(array)))
        else:
            boxes = masks.get_bboxes(dst_type='hbox')
        results['gt_bboxes'] = boxes
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(box_type={self.box_type!r})'
