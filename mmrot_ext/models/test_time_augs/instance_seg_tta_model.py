"""Test-time augmentation for box and instance-mask models, axis-aligned
and rotated (``tools/test.py --tta``).

Each view's predictions come back in original-image pixels but still
mirrored when the view was flipped; they are flipped back (boxes: axis
(x1, y1, x2, y2) or rotated (cx, cy, w, h, theta) with theta negated for a
single-axis flip; masks (N, H, W) mirrored), concatenated, and merged by
the family's NMS (``tta_cfg.nms``: mmcv's ``batched_nms`` with e.g.
``nms`` or ``fast_nms_rotated``). Masks and any other per-instance field
follow the kept indices; ``tta_cfg.max_per_img`` caps the result. mmdet's
``DetTTAModel`` refuses masks and flips boxes as corners only.

Runs where the model runs (CPU or CUDA); flips and NMS stay on the
predictions' device, with no host sync per view.
"""
import torch
from mmdet.models.test_time_augs import DetTTAModel
from mmdet.structures.bbox import bbox_flip
from mmengine.structures import InstanceData

from mmrot_ext.registry import ROOT_MODELS

FLIP_DIRECTIONS = ('horizontal', 'vertical', 'diagonal')


def flip_back(boxes, masks, img_shape, direction):
    """Undo a flip of ``direction`` on an (H, W) = ``img_shape`` image.

    Args:
        boxes (Tensor): (N, 4) x1, y1, x2, y2 or (N, 5) cx, cy, w, h, theta.
        masks (Tensor | None): (N, H, W).

    Returns:
        tuple: boxes and masks in the unflipped image (new tensors).
    """
    if direction not in FLIP_DIRECTIONS:
        raise ValueError(f'flip direction must be one of {FLIP_DIRECTIONS}, '
                         f'got {direction!r}')
    height, width = img_shape[:2]
    if boxes.size(-1) == 5:
        boxes = boxes.clone()
        if direction in ('horizontal', 'diagonal'):
            boxes[:, 0] = width - boxes[:, 0]
        if direction in ('vertical', 'diagonal'):
            boxes[:, 1] = height - boxes[:, 1]
        if direction != 'diagonal':
            boxes[:, 4] = -boxes[:, 4]
    else:
        boxes = bbox_flip(boxes, img_shape, direction)
    if masks is not None:
        dims = dict(horizontal=[-1], vertical=[-2], diagonal=[-2, -1])
        masks = torch.flip(masks, dims[direction])
    return boxes, masks


@ROOT_MODELS.register_module()
class InstanceSegTTAModel(DetTTAModel):
    """Merges the flipped / resized views of one image (module doc).

    Args:
        tta_cfg (dict): ``nms`` (an mmcv ``batched_nms`` config of the
            family) and ``max_per_img``.
        **kwargs: ``module`` (the detector), as ``BaseTTAModel``.
    """

    def _merge_single_sample(self, data_samples):
        fields = {}
        for sample in data_samples:
            pred = sample.pred_instances
            if 'keypoints' in pred:
                raise ValueError('InstanceSegTTAModel does not flip '
                                 'keypoints back; test keypoint models '
                                 'without --tta')
            boxes, masks = pred.bboxes, pred.get('masks')
            if sample.metainfo.get('flip', False):
                boxes, masks = flip_back(boxes, masks,
                                         sample.metainfo['ori_shape'],
                                         sample.metainfo['flip_direction'])
            view = dict(pred.items(), bboxes=boxes)
            if masks is not None:
                view['masks'] = masks
            for key, value in view.items():
                fields.setdefault(key, []).append(value)
        # a field some view lacks (none should) cannot follow the indices
        merged = {key: torch.cat(values) for key, values in fields.items()
                  if len(values) == len(data_samples)}
        result = next((s for s in data_samples
                       if not s.metainfo.get('flip', False)),
                      data_samples[0])
        if merged['bboxes'].numel() == 0:
            result.pred_instances = InstanceData(**merged)
            return result
        from mmcv.ops import batched_nms
        dets, keep = batched_nms(merged['bboxes'], merged['scores'],
                                 merged['labels'], self.tta_cfg['nms'])
        num = self.tta_cfg.get('max_per_img', len(keep))
        keep = keep[:num]
        instances = {key: value[keep] for key, value in merged.items()}
        instances['bboxes'] = dets[:num, :-1]
        instances['scores'] = dets[:num, -1]
        result.pred_instances = InstanceData(**instances)
        return result
