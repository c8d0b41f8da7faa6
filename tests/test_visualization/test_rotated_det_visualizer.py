import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData
from mmrotate.visualization import RotLocalVisualizer

from mmrot_ext.visualization import RotatedDetLocalVisualizer


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
