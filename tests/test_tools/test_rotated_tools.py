"""Rotated MS R-CNN through the tools: train, test --eval segm rbox,
DetInferencer, image demo and the anchor visualiser."""
import re

import numpy as np
import pytest

from .conftest import data_options, read_scalars, run_tool

# subprocess tool runs and trainings: `make test-fast` leaves them out
pytestmark = pytest.mark.slow

ROTATED_CFG = \
    'configs/rotated_ms_rcnn/rotated-ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'


@pytest.fixture(scope='module')
def trained_rotated(tiny_data, tmp_path_factory, repo_root):
    work_dir = tmp_path_factory.mktemp('train_rotated')
    run_tool(['tools/train.py', ROTATED_CFG, '--work-dir', work_dir,
              *data_options(tiny_data, epochs=3, config=ROTATED_CFG)],
             repo_root)
    return work_dir


def test_rotated_training_runs_and_loss_is_finite(trained_rotated):
    losses = [r['loss'] for r in read_scalars(trained_rotated)]
    assert len(losses) == 12 and np.isfinite(losses).all()
    assert (trained_rotated / 'epoch_3.pth').exists()


def test_test_tool_evaluates_segm_and_rbox(trained_rotated, tiny_data,
                                          repo_root, tmp_path):
    output = run_tool([
        'tools/test.py', ROTATED_CFG, trained_rotated / 'epoch_3.pth',
        '--eval', 'segm', 'rbox', '--work-dir', tmp_path, '--show-dir',
        'vis', *data_options(tiny_data, epochs=1, config=ROTATED_CFG)
    ], repo_root)
    for metric in ('segm', 'rbox'):
        match = re.search(rf'coco/{metric}_mAP: (-?[\d.]+)', output)
        assert match, output[-2000:]
        assert 0.0 <= float(match.group(1)) <= 1.0
    assert len(list(tmp_path.glob('*/vis/*.jpg'))) == 4


def test_det_inferencer_gives_rotated_boxes_and_masks(trained_rotated,
                                                      tiny_data, repo_root):
    code = f"""
from mmdet.apis import DetInferencer
inferencer = DetInferencer(model={ROTATED_CFG!r},
                           weights={str(trained_rotated / 'epoch_3.pth')!r},
                           device='cpu', scope='mmrotate', show_progress=False)
pred = inferencer({str(tiny_data / 'val' / '000000.jpg')!r})['predictions'][0]
print('box sizes', sorted({{len(b) for b in pred['bboxes']}}))
print('instances', len(pred['scores']), 'masks', len(pred['masks']))
"""
    output = run_tool(['-c', code], repo_root)
    assert 'box sizes [5]' in output
    n_scores, n_masks = map(
        int, re.search(r'instances (\d+) masks (\d+)', output).groups())
    assert n_scores == n_masks > 0


def test_image_demo_draws_rotated_boxes_and_masks(trained_rotated,
                                                  tiny_data, repo_root,
                                                  tmp_path):
    import cv2
    image = tiny_data / 'val' / '000002.jpg'
    output = run_tool([
        'demo/image_demo.py', image, ROTATED_CFG, '--weights',
        trained_rotated / 'epoch_3.pth', '--out-dir', tmp_path,
        '--pred-score-thr', '0.0'
    ], repo_root)
    assert 'masks: True' in output
    vis = cv2.imread(str(tmp_path / 'vis' / '000002.png'))
    assert vis.shape == (128, 128, 3)
    assert np.abs(vis.astype(int) - cv2.imread(str(image))).mean() > 1.0


def anchor_tool(config, tiny_data, repo_root, out, *options):
    return run_tool([
        'tools/analysis_tools/visualize_anchors.py', config, '--out', out,
        '--num-images', '16',
        *data_options(tiny_data, epochs=1, config=config), *options
    ], repo_root)


def per_class_coverage(output):
    """{class: (GT with a positive anchor, GT)} from the tool's output."""
    return {
        name: (int(hit), int(total)) for name, hit, total in re.findall(
            r'(\w+): (\d+) of (\d+) GT have a positive anchor', output)
    }


def test_visualize_anchors_writes_png(tiny_data, repo_root, tmp_path):
    import cv2
    out = tmp_path / 'anchors.png'
    output = anchor_tool(ROTATED_CFG, tiny_data, repo_root, out)
    match = re.search(r'(\d+) anchors, (\d+) positive; (\d+) of (\d+) GT',
                      output)
    total, positive, covered, num_gt = map(int, match.groups())
    # 12 anchors (ratio 1/8 x 12 angles) per location on a 128 px input
    assert total == 12 * sum(int(np.ceil(128 / s))**2
                             for s in (4, 8, 16, 32, 64))
    assert positive > 0 and 0 < covered <= num_gt
    assert cv2.imread(str(out)).shape[2] == 3


def test_every_dense_scene_gt_has_a_positive_rpn_anchor(tiny_data, repo_root,
                                                        tmp_path):
    """Chopsticks included; with the paper's anchors and a 0.3 floor on
    low-quality matches most chopsticks had none."""
    coverage = per_class_coverage(
        anchor_tool(ROTATED_CFG, tiny_data, repo_root, tmp_path / 'a.png'))
    assert set(coverage) == {'pen', 'pencil', 'chopstick'}
    for name, (hit, total) in coverage.items():
        assert total > 0 and hit == total, (name, hit, total)
    before = per_class_coverage(
        anchor_tool(
            ROTATED_CFG, tiny_data, repo_root, tmp_path / 'b.png',
            'model.rpn_head.anchor_generator.ratios=[0.5,1.0,2.0]',
            'model.rpn_head.anchor_generator.angles=[-90.0,-60.0,-30.0]',
            'model.train_cfg.rpn.assigner.min_pos_iou=0.3'))
    hit, total = before['chopstick']
    assert hit < total / 2, before
