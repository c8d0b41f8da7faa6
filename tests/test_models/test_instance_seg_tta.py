"""Test-time augmentation: flips undone for axis-aligned and rotated boxes
and masks, views merged by the family's NMS."""
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

import mmrot_ext.modules  # noqa: F401  (registers our NMS names)
from mmrot_ext.models.test_time_augs import InstanceSegTTAModel, flip_back
from mmrot_ext.structures import masks_to_rboxes, sparse_rbox_overlaps

H, W = 60, 80


class _Detector(torch.nn.Module):
    """What BaseTTAModel asks of the module it wraps."""

    def test_step(self, data):
        raise NotImplementedError


def stick_masks():
    """Two rotated sticks drawn as masks, and their rotated boxes."""
    import cv2
    masks = np.zeros((2, H, W), np.uint8)
    for k, (centre, size, angle) in enumerate((((30, 20), (40, 6), 25),
                                               ((50, 40), (30, 8), -60))):
        corners = cv2.boxPoints((centre, size, angle))
        cv2.fillPoly(masks[k], [np.round(corners).astype(np.int32)], 1)
    return torch.from_numpy(masks.astype(bool)), torch.as_tensor(
        masks_to_rboxes(masks), dtype=torch.float32)


def sample(boxes, masks, scores, labels, flip=None):
    data_sample = DetDataSample(metainfo=dict(
        ori_shape=(H, W), flip=flip is not None, flip_direction=flip))
    data_sample.pred_instances = InstanceData(
        bboxes=boxes, masks=masks, scores=scores, labels=labels)
    return data_sample


def flipped(boxes, masks, direction):
    """What a flip-equivariant model predicts on the mirrored image (a flip
    is its own inverse)."""
    return flip_back(boxes, masks, (H, W), direction)


@pytest.mark.parametrize('direction', ['horizontal', 'vertical', 'diagonal'])
def test_flip_back_mirrors_rotated_boxes_with_their_masks(direction):
    masks, rboxes = stick_masks()
    boxes, mirrored = flipped(rboxes, masks, direction)
    # the box of the mirrored mask is the mirrored box
    again = torch.as_tensor(masks_to_rboxes(mirrored.numpy()),
                            dtype=torch.float32)
    assert torch.diag(sparse_rbox_overlaps(boxes, again)).min() > 0.97
    back, masks_back = flipped(boxes, mirrored, direction)
    torch.testing.assert_close(back, rboxes)
    assert torch.equal(masks_back, masks)


def test_flip_back_of_axis_boxes():
    boxes = torch.tensor([[10., 5., 30., 25.]])
    out, _ = flip_back(boxes, None, (H, W), 'horizontal')
    torch.testing.assert_close(out, torch.tensor([[50., 5., 70., 25.]]))
    with pytest.raises(ValueError, match='flip direction'):
        flip_back(boxes, None, (H, W), 'sideways')


@pytest.mark.parametrize('rotated', [True, False])
def test_flipped_view_of_a_symmetric_scene_merges_to_the_plain_output(
        rotated):
    """A model that sees the mirrored image as the mirror of the plain one
    (a symmetric scene): the merged output equals the plain output."""
    masks, rboxes = stick_masks()
    boxes = rboxes if rotated else torch.tensor([[10., 8., 50., 32.],
                                                 [30., 20., 70., 58.]])
    scores, labels = torch.tensor([0.9, 0.6]), torch.tensor([0, 1])
    nms = dict(type='fast_nms_rotated' if rotated else 'nms',
               iou_threshold=0.5)
    tta = InstanceSegTTAModel(module=_Detector(),
                              tta_cfg=dict(nms=nms, max_per_img=100))
    views = [sample(*flipped(boxes, masks, 'horizontal'), scores, labels,
                    flip='horizontal'),
             sample(boxes, masks, scores, labels)]
    (merged, ) = tta.merge_preds([views])
    pred = merged.pred_instances
    assert not merged.metainfo['flip']
    torch.testing.assert_close(pred.bboxes, boxes)
    assert torch.equal(pred.masks, masks)
    assert torch.equal(pred.scores, scores)
    assert torch.equal(pred.labels, labels)


def test_merge_keeps_the_best_of_overlapping_views_and_caps():
    masks, rboxes = stick_masks()
    tta = InstanceSegTTAModel(module=_Detector(), tta_cfg=dict(
        nms=dict(type='fast_nms_rotated', iou_threshold=0.5),
        max_per_img=1))
    shifted = rboxes + torch.tensor([1., 0., 0., 0., 0.])
    views = [sample(rboxes, masks, torch.tensor([0.5, 0.4]),
                    torch.tensor([0, 0])),
             sample(shifted, masks, torch.tensor([0.8, 0.3]),
                    torch.tensor([0, 0]))]
    (merged, ) = tta.merge_preds([views])
    pred = merged.pred_instances
    assert len(pred) == 1 and pred.scores.item() == pytest.approx(0.8)
    torch.testing.assert_close(pred.bboxes, shifted[:1])


def test_keypoints_are_refused():
    masks, rboxes = stick_masks()
    view = sample(rboxes, masks, torch.ones(2), torch.zeros(2).long())
    view.pred_instances.keypoints = torch.zeros(2, 2, 2)
    tta = InstanceSegTTAModel(module=_Detector(), tta_cfg=dict(
        nms=dict(type='nms', iou_threshold=0.5)))
    with pytest.raises(ValueError, match='keypoints'):
        tta.merge_preds([[view]])
