"""Rotated Keypoint Mask R-CNN through the tools: train, test --eval segm
keypoints with --show-dir, and the image demo (DetInferencer) returning
keypoints and headings."""
import json
import math
import re

import numpy as np
import pytest

from .conftest import data_options, run_tool

# subprocess tool runs and trainings: `make test-fast` leaves them out
pytestmark = pytest.mark.slow

KEYPOINT_CFG = ('configs/keypoint_rcnn/rotated-keypoint-mask-rcnn_r18_fpn_'
                'cpu-tiny_synthetic-dense.py')


@pytest.fixture(scope='module')
def trained_keypoints(tiny_data, tmp_path_factory, repo_root):
    work_dir = tmp_path_factory.mktemp('train_keypoints')
    run_tool(['tools/train.py', KEYPOINT_CFG, '--work-dir', work_dir,
              *data_options(tiny_data, epochs=2, config=KEYPOINT_CFG)],
             repo_root)
    return work_dir / 'epoch_2.pth'


def test_test_tool_prints_segm_and_keypoint_metrics(trained_keypoints,
                                                    tiny_data, repo_root,
                                                    tmp_path):
    output = run_tool([
        'tools/test.py', KEYPOINT_CFG, trained_keypoints, '--eval', 'segm',
        'keypoints', '--work-dir', tmp_path, '--show-dir', 'vis',
        *data_options(tiny_data, epochs=1, config=KEYPOINT_CFG)
    ], repo_root)
    for name in ('coco/segm_mAP', 'keypoints/AP', 'keypoints/AP50',
                 'keypoints/heading_acc', 'keypoints/heading_le90'):
        match = re.search(rf'{name}: (-?[\d.]+)', output)
        assert match, (name, output[-2000:])
        assert 0.0 <= float(match.group(1)) <= 1.0
    assert 'coco/rbox_mAP' not in output  # not asked for
    assert len(list(tmp_path.glob('*/vis/*.jpg'))) == 4


def test_eval_shorthand_routes_keypoints_to_the_keypoint_metric(
        load_tool, repo_root):
    from mmengine import Config
    tool = load_tool('test.py')

    def evaluators(config, metrics):
        cfg = Config.fromfile(str(repo_root / config))
        tool.apply_eval_shorthand(cfg, metrics, config)
        found = cfg.test_evaluator
        found = found if isinstance(found, list) else [found]
        return [(e['type'], e.get('metric')) for e in found]

    assert evaluators(KEYPOINT_CFG, ['segm', 'keypoints']) == [
        ('RotatedCocoInstanceMetric', ['segm']),
        ('mmdet.KeypointHeadingMetric', None)]
    assert evaluators(KEYPOINT_CFG, ['segm', 'rbox']) == [
        ('RotatedCocoInstanceMetric', ['segm', 'rbox'])]
    assert evaluators(KEYPOINT_CFG, ['keypoints']) == [
        ('mmdet.KeypointHeadingMetric', None)]
    plain = 'configs/rotated_mask_rcnn/rotated-mask-rcnn_r18_fpn_cpu-tiny_' \
        'synthetic-dense.py'
    with pytest.raises(ValueError, match='needs a KeypointHeadingMetric'):
        evaluators(plain, ['keypoints'])


def test_image_demo_returns_keypoints_and_headings(trained_keypoints,
                                                   tiny_data, repo_root,
                                                   tmp_path):
    import cv2
    image = tiny_data / 'val' / '000001.jpg'
    output = run_tool([
        'demo/image_demo.py', image, KEYPOINT_CFG, '--weights',
        trained_keypoints, '--out-dir', tmp_path, '--pred-score-thr', '0.0'
    ], repo_root)
    assert 'headings: True' in output
    with open(tmp_path / 'preds' / '000001.json') as f:
        pred = json.load(f)
    n = len(pred['scores'])
    assert n > 0
    assert np.array(pred['keypoints']).shape == (n, 2, 2)
    assert np.array(pred['keypoint_scores']).shape == (n, 2)
    assert all(-math.pi <= h <= math.pi for h in pred['headings'])
    vis = cv2.imread(str(tmp_path / 'vis' / '000001.png'))
    assert vis.shape == (128, 128, 3)
