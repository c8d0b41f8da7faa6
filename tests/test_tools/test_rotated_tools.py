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


@pytest.fixture(scope='module')
def tested_rotated(trained_rotated, tiny_data, repo_root, tmp_path_factory):
    """tools/test.py with --eval, --show-dir and --out: (dir, output)."""
    out_dir = tmp_path_factory.mktemp('test_rotated')
    output = run_tool([
        'tools/test.py', ROTATED_CFG, trained_rotated / 'epoch_3.pth',
        '--eval', 'segm', 'rbox', '--work-dir', out_dir, '--show-dir',
        'vis', '--out', out_dir / 'results.pkl',
        *data_options(tiny_data, epochs=1, config=ROTATED_CFG)
    ], repo_root)
    return out_dir, output


def test_test_tool_evaluates_segm_and_rbox(tested_rotated, tiny_data):
    tmp_path, output = tested_rotated
    for metric in ('segm', 'rbox'):
        match = re.search(rf'coco/{metric}_mAP: (-?[\d.]+)', output)
        assert match, output[-2000:]
        assert 0.0 <= float(match.group(1)) <= 1.0
    pictures = sorted(tmp_path.glob('*/vis/*.jpg'))
    assert len(pictures) == 4
    # the left half is the ground truth: the test pipeline loads it, so it
    # is drawn over the image (it was the bare image before)
    import cv2
    for picture in pictures:
        drawn = cv2.imread(str(picture)).astype(int)
        image = cv2.imread(str(tiny_data / 'val' / picture.name))
        assert drawn.shape[1] == 2 * image.shape[1]
        assert np.abs(drawn[:, :image.shape[1]] - image).mean() > 3.0


def test_confusion_matrix_and_analyze_results_on_rotated_results(
        tested_rotated, tiny_data, repo_root, tmp_path):
    """Both analysis tools read the --out file with rotated IoU; the
    confusion counts account for every GT once per row rule, the pictures
    carry the ground truth (left half) beside the predictions."""
    import json

    import cv2
    results = tested_rotated[0] / 'results.pkl'
    options = data_options(tiny_data, epochs=1, config=ROTATED_CFG)
    output = run_tool([
        'tools/analysis_tools/confusion_matrix.py', ROTATED_CFG, results,
        tmp_path / 'cm', '--score-thr', '0.05', *options], repo_root)
    assert 'rbox overlap >= 0.5' in output
    saved = json.loads((tmp_path / 'cm' / 'confusion_matrix.json').read_text())
    counts = np.array(saved['counts'])
    assert saved['overlap'] == 'rbox'
    assert saved['labels'][-1] == 'background' and counts.shape == (4, 4)
    val = json.loads((tiny_data / 'annotations' /
                      'instances_val.json').read_text())
    # each GT is a true positive (diagonal) or a miss (last column) at least
    assert (np.diag(counts)[:3] + counts[:3, 3]).sum() >= \
        len(val['annotations'])
    assert cv2.imread(str(tmp_path / 'cm' / 'confusion_matrix.png')) \
        is not None
    output = run_tool([
        'tools/analysis_tools/analyze_results.py', ROTATED_CFG, results,
        tmp_path / 'ar', '--topk', '1', '--show-score-thr', '0.05',
        *options], repo_root)
    assert 'per-image AP (rbox overlap)' in output
    aps = json.loads((tmp_path / 'ar' / 'image_aps.json').read_text())['aps']
    assert len(aps) == 4 and all(0 <= ap <= 1 for ap in aps.values())
    for folder in ('good', 'bad'):
        (picture, ) = (tmp_path / 'ar' / folder).glob('*.png')
        drawn = cv2.imread(str(picture)).astype(int)
        image = cv2.imread(str(tiny_data / 'val' /
                               (picture.name.split('_')[0] + '.jpg')))
        assert drawn.shape[1] == 2 * image.shape[1]
        assert np.abs(drawn[:, :image.shape[1]] - image).mean() > 3.0


def test_analysis_tools_give_a_one_line_error(tested_rotated, tiny_data,
                                              repo_root, tmp_path):
    import subprocess
    import sys
    bad = tmp_path / 'not_results.pkl'
    import pickle
    bad.write_bytes(pickle.dumps({'a': 1}))
    proc = subprocess.run([
        sys.executable, 'tools/analysis_tools/confusion_matrix.py',
        ROTATED_CFG, str(bad), str(tmp_path / 'cm'),
        *data_options(tiny_data, epochs=1, config=ROTATED_CFG)],
        cwd=repo_root, capture_output=True, text=True)
    assert proc.returncode == 2
    assert 'error: ' in proc.stderr and 'Traceback' not in proc.stderr
    assert 'not_results.pkl: not a tools/test.py --out results file' in \
        proc.stderr


def test_mmrotate_tools_run_through_our_runner(trained_rotated, tiny_data,
                                               repo_root, tmp_path,
                                               load_tool):
    """mmrotate's browse_dataset and analyze_logs (plot_curve, seaborn)
    run on our config and log; they stop at import when run directly."""
    import subprocess
    import sys

    from mmrot_ext.engine import upstream_tool_path
    direct = subprocess.run(
        [sys.executable, upstream_tool_path(
            'mmrotate', 'analysis_tools/browse_dataset.py'), '--help'],
        cwd=repo_root, capture_output=True, text=True)
    assert direct.returncode != 0 and 'incompatible' in direct.stderr
    run_tool(['tools/mmrotate_tool.py', 'browse_dataset', ROTATED_CFG,
              '--output-dir', tmp_path / 'browse', '--not-show',
              *data_options(tiny_data, epochs=1, config=ROTATED_CFG,
                            extra=['train_dataloader.dataset.indices=2'])],
             repo_root)
    assert len(list((tmp_path / 'browse').glob('*.jpg'))) == 2
    (scalars, ) = trained_rotated.glob('*/vis_data/scalars.json')
    run_tool(['tools/mmrotate_tool.py', 'analyze_logs', 'plot_curve',
              scalars, '--keys', 'loss', '--legend', 'loss', '--out',
              tmp_path / 'loss.png'], repo_root)
    assert (tmp_path / 'loss.png').stat().st_size > 10_000
    runner = load_tool('mmrotate_tool.py')
    assert runner.resolve('get_flops').endswith(
        'mmrotate/.mim/tools/analysis_tools/get_flops.py')
    assert runner.resolve('mmdet:coco_error_analysis').endswith(
        'mmdet/.mim/tools/analysis_tools/coco_error_analysis.py')
    with pytest.raises(SystemExit, match="mmrotate has no tool named "
                       "'no_such_tool'; choose one of: .*browse_dataset"):
        runner.resolve('no_such_tool')


def test_test_time_augmentation_of_the_rotated_model(trained_rotated,
                                                     tiny_data, repo_root,
                                                     tmp_path):
    output = run_tool([
        'tools/test.py', ROTATED_CFG, trained_rotated / 'epoch_3.pth',
        '--eval', 'segm', 'rbox', '--tta', '--work-dir', tmp_path,
        *data_options(tiny_data, epochs=1, config=ROTATED_CFG)
    ], repo_root)
    for metric in ('segm', 'rbox'):
        match = re.search(rf'coco/{metric}_mAP: (-?[\d.]+)', output)
        assert match, output[-2000:]
        assert 0.0 <= float(match.group(1)) <= 1.0


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
