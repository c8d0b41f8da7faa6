"""The day-one path of an mmdet user: train, test, infer, resume."""
import pickle
import re

import numpy as np
import pytest
import torch

from .conftest import MASK_RCNN_CFG, data_options, read_scalars, run_tool

# subprocess tool runs and trainings: `make test-fast` leaves them out
pytestmark = pytest.mark.slow


def test_training_loss_falls(trained_mask_rcnn):
    losses = [r['loss'] for r in read_scalars(trained_mask_rcnn)]
    assert len(losses) == 24
    first, last = np.mean(losses[:4]), np.mean(losses[-4:])
    assert last < 0.8 * first, losses
    assert (trained_mask_rcnn / 'epoch_6.pth').exists()


def test_checkpoint_loads_under_torch_2_13(trained_mask_rcnn):
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint
    ckpt = torch.load(trained_mask_rcnn / 'epoch_6.pth', weights_only=False)
    assert ckpt['meta']['epoch'] == 6
    cfg = Config.fromfile(MASK_RCNN_CFG)
    model = MODELS.build(cfg.model)
    loaded = load_checkpoint(model, str(trained_mask_rcnn / 'epoch_6.pth'),
                             map_location='cpu', strict=True)
    assert loaded['meta']['dataset_meta']['classes'] == \
        ('pen', 'pencil', 'chopstick')


def test_test_tool_prints_coco_segm_metrics(trained_mask_rcnn, tiny_data,
                                            repo_root, tmp_path):
    out_pkl = tmp_path / 'results.pkl'
    output = run_tool([
        'tools/test.py', MASK_RCNN_CFG, trained_mask_rcnn / 'epoch_6.pth',
        '--eval', 'segm', '--work-dir', tmp_path, '--out', out_pkl,
        '--show-dir', 'vis', *data_options(tiny_data, epochs=1)
    ], repo_root)
    assert 'Evaluating segm...' in output
    assert 'Evaluating bbox...' not in output
    match = re.search(r'coco/segm_mAP: (-?[\d.]+)\s+coco/segm_mAP_50: '
                      r'(-?[\d.]+)', output)
    assert match, output[-2000:]
    assert 0.0 <= float(match.group(1)) <= 1.0
    with open(out_pkl, 'rb') as f:
        results = pickle.load(f)
    assert len(results) == 4
    assert 'masks' in results[0]['pred_instances']
    painted = list(tmp_path.glob('*/vis/*.jpg'))
    assert len(painted) == 4


def test_test_time_augmentation_merges_flipped_views(trained_mask_rcnn,
                                                     tiny_data, repo_root,
                                                     tmp_path):
    """--tta with three flips: four views per image, merged with masks."""
    out_pkl = tmp_path / 'results.pkl'
    output = run_tool([
        'tools/test.py', MASK_RCNN_CFG, trained_mask_rcnn / 'epoch_6.pth',
        '--eval', 'segm', '--tta', '--tta-flips', 'horizontal', 'vertical',
        'diagonal', '--work-dir', tmp_path, '--out', out_pkl,
        *data_options(tiny_data, epochs=1)
    ], repo_root)
    match = re.search(r'coco/segm_mAP: (-?[\d.]+)', output)
    assert match, output[-2000:]
    assert 0.0 <= float(match.group(1)) <= 1.0
    with open(out_pkl, 'rb') as f:
        results = pickle.load(f)
    pred = results[0]['pred_instances']
    assert len(results) == 4 and len(pred['masks']) == len(pred['scores'])
    assert pred['masks'][0]['size'] == list(results[0]['ori_shape'])


def test_eval_shorthand_rejects_segm_without_mask_head(
        trained_mask_rcnn, repo_root):
    with pytest.raises(AssertionError, match='needs a model with a mask '
                       'head'):
        run_tool([
            'tools/test.py',
            'configs/faster_rcnn/faster-rcnn_r18_fpn_cpu-tiny_synthetic-'
            'dense.py', trained_mask_rcnn / 'epoch_6.pth', '--eval', 'segm'
        ], repo_root)


def test_det_inferencer_returns_masks(trained_mask_rcnn, tiny_data,
                                      repo_root):
    # a fresh interpreter that never imports mmrot_ext itself: the config's
    # custom_imports must bring it (and the checkpoint fix) in
    code = f"""
from mmdet.apis import DetInferencer
inferencer = DetInferencer(model={MASK_RCNN_CFG!r},
                           weights={str(trained_mask_rcnn / 'epoch_6.pth')!r},
                           device='cpu', show_progress=False)
pred = inferencer({str(tiny_data / 'val' / '000000.jpg')!r})['predictions'][0]
print('instances', len(pred['scores']), 'masks', len(pred['masks']))
print('first mask size', pred['masks'][0]['size'])
"""
    output = run_tool(['-c', code], repo_root)
    n_scores, n_masks = map(
        int, re.search(r'instances (\d+) masks (\d+)', output).groups())
    assert n_scores == n_masks > 0
    assert 'first mask size [128, 128]' in output


def test_image_demo_writes_png_with_masks(trained_mask_rcnn, tiny_data,
                                          repo_root, tmp_path):
    import cv2
    image = tiny_data / 'val' / '000001.jpg'
    output = run_tool([
        'demo/image_demo.py', image, MASK_RCNN_CFG, '--weights',
        trained_mask_rcnn / 'epoch_6.pth', '--out-dir', tmp_path,
        '--pred-score-thr', '0.0'
    ], repo_root)
    assert 'masks: True' in output
    vis = cv2.imread(str(tmp_path / 'vis' / '000001.png'))
    assert vis.shape == (128, 128, 3)
    # masks and boxes are painted over the input
    assert np.abs(vis.astype(int) - cv2.imread(str(image))).mean() > 1.0
    assert (tmp_path / 'preds' / '000001.json').is_file()


def test_image_demo_folder_reports_bad_files_and_keeps_going(
        trained_mask_rcnn, tiny_data, repo_root, tmp_path):
    import subprocess
    import sys

    import cv2
    folder = tmp_path / 'in'
    folder.mkdir()
    bgr = cv2.imread(str(tiny_data / 'val' / '000001.jpg'))
    cv2.imwrite(str(folder / 'a.jpg'), bgr)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 16
    cv2.imwrite(str(folder / 'a.png'), gray)  # 12-bit data, 16-bit file
    cv2.imwrite(str(folder / 'b.tif'), bgr)
    (folder / 'bad.jpg').write_bytes(b'')
    (folder / 'notes.txt').write_text('not an image')
    proc = subprocess.run(
        [sys.executable, 'demo/image_demo.py', str(folder), MASK_RCNN_CFG,
         '--weights', str(trained_mask_rcnn / 'epoch_6.pth'), '--out-dir',
         str(tmp_path / 'out'), '--pred-score-thr', '0.0'],
        cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert 'skipping 1 file(s) that are not images' in proc.stdout
    assert '1 of 4 image(s) could not be read' in proc.stderr
    assert 'bad.jpg: file is empty' in proc.stderr
    assert '12-bit values scaled to 8 bits' in proc.stderr
    vis = sorted(p.name for p in (tmp_path / 'out' / 'vis').iterdir())
    assert vis == ['a_jpg.png', 'a_png.png', 'b.png']
    preds = sorted(p.name for p in (tmp_path / 'out' / 'preds').iterdir())
    assert preds == ['a_jpg.json', 'a_png.json', 'b.json']


def test_test_tool_rejects_a_checkpoint_of_another_model(
        trained_mask_rcnn, repo_root, load_tool, tmp_path):
    from types import SimpleNamespace

    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    tool = load_tool('test.py')
    ckpt = str(trained_mask_rcnn / 'epoch_6.pth')
    init_default_scope('mmdet')

    def runner(cfg_path):
        model = MODELS.build(Config.fromfile(repo_root / cfg_path).model)
        return SimpleNamespace(model=model)

    ms_cfg = 'configs/ms_rcnn/ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'
    args = tool.parse_args([ms_cfg, ckpt])
    with pytest.raises(SystemExit, match=r'(?s)epoch_6\.pth does not fit '
                       r'the model of .*ms-rcnn.*missing in the checkpoint: '
                       r'roi_head\.mask_iou_head'):
        tool.check_weights_fit(runner(ms_cfg), args)
    args.allow_partial = True
    tool.check_weights_fit(runner(ms_cfg), args)
    tool.check_weights_fit(runner(MASK_RCNN_CFG),
                           tool.parse_args([MASK_RCNN_CFG, ckpt]))
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(SystemExit, match=r'empty\.pth: unreadable '
                       r'checkpoint'):
        tool.check_weights_fit(runner(MASK_RCNN_CFG), tool.parse_args(
            [MASK_RCNN_CFG, str(empty), '--allow-partial']))
