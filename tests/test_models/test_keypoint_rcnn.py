"""Keypoint Mask R-CNN, rotated and axis-aligned: learns on CPU, predicts
keypoints, scores and headings in the output image's coordinates."""
import math

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, init_default_scope

from mmrot_ext.structures import angle_difference
from mmrot_ext.testing import adamw_loss_history

from ..conftest import REPO_ROOT
from .test_rotated_detectors import batches, build_model

CONFIGS = {
    'rotated': 'rotated-keypoint-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense',
    'axis-aligned': 'keypoint-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense',
}


def load_cfg(name):
    cfg = Config.fromfile(REPO_ROOT / 'configs' / 'keypoint_rcnn' /
                          (CONFIGS[name] + '.py'))
    init_default_scope(cfg.default_scope)
    return cfg


@pytest.fixture(scope='module')
def scenes_dir(dense_scenes):
    return dense_scenes(num_objects=(4, 7), train=8)


@pytest.mark.slow
def test_trains_20_iterations_with_falling_loss(scenes_dir):
    # the rotated model (the axis-aligned twin differs in its RoI frames
    # only, whose losses the other tests here check)
    cfg = load_cfg('rotated')
    model = build_model(cfg)
    data = batches(cfg, scenes_dir)
    keypoint_losses = []
    head = model.roi_head.keypoint_head
    original = head.loss

    def recording_loss(*args):
        out = original(*args)
        keypoint_losses.append(out['loss_keypoint'].item())
        return out

    head.loss = recording_loss
    losses = adamw_loss_history(model, data, 20)
    assert np.mean(losses[-4:]) < 0.8 * np.mean(losses[:4]), losses
    # the keypoint loss itself falls from log(56 * 56) = 8.0
    assert keypoint_losses[0] > 7.5
    assert np.mean(keypoint_losses[-4:]) < np.mean(keypoint_losses[:4]) - 0.3


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_keypoint_loss_reaches_the_backbone(name, scenes_dir):
    cfg = load_cfg(name)
    model = build_model(cfg)
    batch = batches(cfg, scenes_dir, n=1)[0]
    losses = model(**model.data_preprocessor(batch, training=True),
                   mode='loss')
    assert torch.isfinite(losses['loss_keypoint'])
    grad, = torch.autograd.grad(losses['loss_keypoint'],
                                model.backbone.conv1.weight)
    assert grad.abs().sum() > 0


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_predictions_carry_keypoints_and_headings_at_original_scale(
        name, scenes_dir):
    cfg = load_cfg(name)
    model = build_model(cfg)
    model.eval()
    dataset = cfg.val_dataloader.dataset
    dataset.update(data_root=str(scenes_dir) + '/',
                   ann_file='annotations/instances_train.json',
                   test_mode=True)
    # the test pipeline resizes 128 -> 256; outputs must come back at 128
    data = DATASETS.build(dataset)
    batch = model.data_preprocessor(pseudo_collate([data[0]]), False)
    with torch.no_grad():
        feats = model.extract_feat(batch['inputs'])
        samples = batch['data_samples']
        proposals = model.rpn_head.predict(feats, samples, rescale=False)
        results = {
            rescale: model.roi_head.predict(
                feats, [p.clone() for p in proposals], samples,
                rescale=rescale)[0] for rescale in (False, True)
        }
    small, big = results[True], results[False]
    n = len(small)
    assert n > 0
    assert small.keypoints.shape == (n, 2, 2)
    assert small.keypoint_scores.shape == (n, 2)
    assert small.headings.shape == (n, )
    assert ((small.keypoint_scores > 0) & (small.keypoint_scores <= 1)).all()
    assert torch.allclose(small.keypoints * 2, big.keypoints, atol=1e-3)
    assert (small.headings.abs() <= math.pi).all()
    if name == 'rotated':
        # the box's long axis, pointed one way or the other
        off = angle_difference(small.headings, small.bboxes[:, 4])
        assert ((off < 1e-4) | (off > math.pi - 1e-4)).all()
    else:
        d = small.keypoints[:, 0] - small.keypoints[:, 1]
        assert torch.allclose(small.headings, torch.atan2(d[:, 1], d[:, 0]))


def test_a_keypoint_head_needs_a_mask_branch():
    cfg = load_cfg('rotated')
    roi_head = cfg.model.roi_head
    roi_head.pop('mask_roi_extractor')
    roi_head.pop('mask_head')
    with pytest.raises(ValueError, match='configure a mask_roi_extractor'):
        MODELS.build(roi_head)


def test_ground_truth_without_keypoints_is_a_clear_error(scenes_dir):
    cfg = load_cfg('rotated')
    model = build_model(cfg)
    batch = batches(cfg, scenes_dir, n=1)[0]
    for sample in batch['data_samples']:
        del sample.gt_instances.keypoints
    with pytest.raises(KeyError, match='LoadKeypointAnnotations'):
        model(**model.data_preprocessor(batch, training=True), mode='loss')


def test_rotated_heading_option_is_checked():
    cfg = load_cfg('rotated')
    cfg.model.roi_head.heading = 'arrow'
    with pytest.raises(ValueError, match="'box_axis' or 'keypoints'"):
        MODELS.build(cfg.model.roi_head)
