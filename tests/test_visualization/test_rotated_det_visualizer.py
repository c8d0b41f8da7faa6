import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData
from mmrotate.visualization import RotLocalVisualizer

from mmrot_ext.visualization import (KeypointDetLocalVisualizer,
                                     RotatedDetLocalVisualizer)
from mmrot_ext.visualization.keypoint_drawing import KEYPOINT_COLOURS


@pytest.mark.parametrize('cls, fixed', [(RotatedDetLocalVisualizer, True),
                                        (RotLocalVisualizer, False)])
def test_boxes_past_the_border_do_not_shrink_the_picture(cls, fixed):
    image = np.full((64, 96, 3), 40, np.uint8)
    masks = torch.zeros(2, 64, 96, dtype=torch.bool)
    masks[0, 10:20, 10:60] = True
    masks[1, 50:64, 80:96] = True
    sample = DetDataSample()
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor([[35., 15., 50., 10., 0.2],
                             [95., 60., 60., 20., 0.7]]),
        labels=torch.tensor([0, 1]), scores=torch.tensor([0.9, 0.8]),
        masks=masks)
    vis = cls(name=f'vis_{cls.__name__}')
    vis.dataset_meta = dict(classes=('pen', 'pencil'),
                            palette=[(255, 0, 0), (0, 255, 0)])
    vis.add_datasample('x', image, sample, draw_gt=False, show=False)
    drawn = vis.get_image()
    assert drawn.shape == image.shape
    # corners away from every box keep the image's colour: no white margin
    # (mmrotate's own visualiser shows the bug this class fixes)
    corners_kept = (drawn[0, -1] == 40).all() and (drawn[-1, 0] == 40).all()
    assert corners_kept == fixed
    if not fixed:
        return
    # the mask region is painted
    assert np.abs(drawn[12:18, 20:50].astype(int) - 40).mean() > 10


@pytest.mark.parametrize('cls', [RotatedDetLocalVisualizer,
                                 KeypointDetLocalVisualizer])
def test_keypoints_and_heading_arrows_are_drawn(cls):
    image = np.full((128, 128, 3), 40, np.uint8)
    sample = DetDataSample()
    boxes = [[64., 64., 80., 10., 0.]] if cls is RotatedDetLocalVisualizer \
        else [[24., 59., 104., 69.]]
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor(boxes), labels=torch.tensor([0]),
        scores=torch.tensor([0.9]),
        keypoints=torch.tensor([[[100., 64.], [28., 64.]]]),
        keypoint_scores=torch.tensor([[0.9, 0.9]]),
        headings=torch.tensor([0.0]))
    vis = cls(name=f'kp_{cls.__name__}')
    vis.dataset_meta = dict(classes=('pen', ), palette=[(0, 255, 0)])
    vis.add_datasample('x', image, sample, draw_gt=False, show=False)
    drawn = vis.get_image().astype(int)
    # tip red, end blue (RGB: KEYPOINT_COLOURS), the arrow shaft white
    # between them
    assert KEYPOINT_COLOURS[0][0] > 200 and KEYPOINT_COLOURS[1][2] > 200

    def has(patch, channel):
        others = np.delete(patch, channel, axis=-1).max(axis=-1)
        return ((patch[..., channel] > 200) &
                (patch[..., channel] > others + 100)).any()

    assert has(drawn[61:68, 97:104], 0)  # red at the tip
    assert has(drawn[61:68, 25:32], 2)  # blue at the end
    assert drawn[64, 50:80].min(axis=1).max() > 200
