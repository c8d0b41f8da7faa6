import numpy as np
import pytest
import torch
from mmdet.structures.mask import BitmapMasks
from mmengine.config import ConfigDict
from mmengine.registry import MODELS, init_default_scope
from mmengine.structures import InstanceData


@pytest.fixture(autouse=True)
def default_scope():
    init_default_scope('mmrotate')


def rect_mask(size=64):
    mask = np.zeros((1, size, size), np.uint8)
    mask[0, 28:36, 12:52] = 1  # 40 x 8 stick centred at (32, 32)
    return BitmapMasks(mask, size, size)


def test_maskiou_area_ratio_counts_the_whole_gt_in_the_rotated_box():
    head = MODELS.build(dict(type='RotatedMaskIoUHead', num_classes=1))
    masks = rect_mask()
    proposals = torch.tensor([[32.0, 32.0, 40.0, 8.0, 0.0],   # the stick
                              [22.0, 32.0, 20.0, 8.0, 0.0],   # its left half
                              [32.0, 32.0, 40.0, 8.0, 1.2]])  # crossing it
    ratio = head._get_area_ratio(proposals, torch.zeros(3).long(), masks)
    assert ratio[0] == pytest.approx(1.0, abs=0.03)
    assert ratio[1] == pytest.approx(0.5, abs=0.03)
    assert 0.1 < ratio[2] < 0.4


def test_rotated_mask_targets_live_in_the_box_frame():
    head = MODELS.build(dict(type='RotatedFCNMaskHead', num_convs=1,
                             in_channels=8, conv_out_channels=8,
                             num_classes=1))
    res = InstanceData()
    res.pos_priors = torch.tensor([[32.0, 32.0, 40.0, 8.0, 0.0],
                                   [22.0, 32.0, 20.0, 8.0, 0.0]])
    res.pos_assigned_gt_inds = torch.zeros(2).long()
    gt = InstanceData(masks=rect_mask())
    targets = head.get_targets([res], [gt], ConfigDict(mask_size=28))
    assert targets.shape == (2, 28, 28)
    # each frame is covered by the stick: thin objects fill their grid
    assert targets.mean() > 0.95


def test_nms_on_mask_scores_keeps_the_better_scored_mask():
    from mmrot_ext.models.roi_heads import MaskScoreNMSRoIHead
    head = MaskScoreNMSRoIHead.__new__(MaskScoreNMSRoIHead)
    head.test_cfg = ConfigDict(max_per_img=10)
    results = InstanceData(
        bboxes=torch.tensor([[10., 10., 50., 20.], [11., 10., 51., 20.],
                             [60., 60., 90., 80.]]),
        labels=torch.tensor([0, 0, 0]),
        scores=torch.tensor([0.3, 0.8, 0.5]))
    kept = head._suppress(results, dict(type='nms', iou_threshold=0.5))
    assert kept.scores.tolist() == pytest.approx([0.8, 0.5])
    assert kept.bboxes[0, 0].item() == 11.0


def test_rotated_rpn_head_rejects_axis_aligned_nms():
    cfg = dict(type='RotatedRPNHead', in_channels=8, feat_channels=8,
               test_cfg=dict(nms=dict(type='nms', iou_threshold=0.7),
                             nms_pre=10, max_per_img=10))
    with pytest.raises(ValueError, match='must be one of'):
        MODELS.build(cfg)
    cfg['test_cfg']['nms']['type'] = 'fast_nms_rotated'
    head = MODELS.build(cfg)
    assert head.prior_generator.num_base_priors[0] == 9
    assert head.bbox_coder.encode_size == 5
