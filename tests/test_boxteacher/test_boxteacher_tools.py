"""tools/train.py -> tools/test.py --eval segm -> DetInferencer with the
cpu-tiny BoxTeacher config (2 iterations: a wiring check, not accuracy)."""
import re

import pytest
import torch


from ..test_tools.conftest import data_options, run_tool

# subprocess tool runs and trainings: `make test-fast` leaves them out
pytestmark = pytest.mark.slow

CFG = ('projects/BoxTeacher/configs/'
       'boxteacher_r18_fpn_cpu-tiny_synthetic-dense.py')


@pytest.fixture(scope='module')
def scenes(dense_scenes):
    return dense_scenes(train=8, val=2)


def options(root):
    return data_options(root, epochs=1, config=CFG)


@pytest.fixture(scope='module')
def checkpoint(scenes, tmp_path_factory, repo_root):
    work_dir = tmp_path_factory.mktemp('train_boxteacher')
    output = run_tool(
        ['tools/train.py', CFG, '--work-dir', work_dir, *options(scenes)],
        repo_root)
    assert 'loss_mask_affinity' in output and 'pseudo_matched_fraction' \
        in output
    return work_dir / 'epoch_1.pth'


def test_checkpoint_holds_teacher_and_student(checkpoint):
    state = torch.load(checkpoint, map_location='cpu',
                       weights_only=False)['state_dict']
    assert any(k.startswith('teacher.backbone') for k in state)
    assert any(k.startswith('student.backbone') for k in state)


def test_test_tool_evaluates_segm(checkpoint, scenes, repo_root, tmp_path):
    output = run_tool([
        'tools/test.py', CFG, checkpoint, '--eval', 'segm', '--work-dir',
        tmp_path, *options(scenes),
        'model.detector.test_cfg.score_thr=0.0'  # 2 iterations: low scores
    ], repo_root)
    match = re.search(r'coco/segm_mAP: (-?[\d.]+)', output)
    assert match, output[-2000:]
    assert 0.0 <= float(match.group(1)) <= 1.0


def test_det_inferencer_returns_masks(checkpoint, scenes, repo_root):
    code = f"""
from mmdet.apis import DetInferencer
from mmengine.config import Config
cfg = Config.fromfile({CFG!r})
cfg.model.detector.test_cfg.score_thr = 0.0  # 2 iterations: low scores
inferencer = DetInferencer(model=cfg, weights={str(checkpoint)!r},
                           device='cpu', show_progress=False)
pred = inferencer({str(scenes / 'val' / '000000.jpg')!r},
                  return_datasamples=True)['predictions'][0]
print('instances', len(pred.pred_instances), 'masks',
      tuple(pred.pred_instances.masks.shape))
"""
    output = run_tool(['-c', code], repo_root)
    n, masks = re.search(r'instances (\d+) masks \((\d+), 128, 128\)',
                         output).groups()
    assert int(n) == int(masks) > 0


ROTATED_CFG = ('projects/BoxTeacher/configs/'
               'rotated-boxteacher_r18_fpn_cpu-tiny_synthetic-dense.py')


@pytest.fixture(scope='module')
def rotated_checkpoint(scenes, tmp_path_factory, repo_root):
    """Rotated BoxTeacher trained from rotated boxes for 2 iterations."""
    work_dir = tmp_path_factory.mktemp('train_rotated_boxteacher')
    output = run_tool([
        'tools/train.py', ROTATED_CFG, '--work-dir', work_dir,
        *data_options(scenes, epochs=1, config=ROTATED_CFG)
    ], repo_root)
    for term in ('loss_mask_project', 'loss_mask_pairwise',
                 'loss_mask_affinity', 'pseudo_matched_fraction'):
        assert term in output, term
    return work_dir / 'epoch_1.pth'


def test_rotated_boxteacher_tools(rotated_checkpoint, scenes, repo_root,
                                  tmp_path):
    """tools/test.py --eval segm rbox with pictures, and DetInferencer's
    rotated boxes and masks, as for the other rotated models (scores
    thresholded at 0: 2 iterations give low scores)."""
    import cv2
    output = run_tool([
        'tools/test.py', ROTATED_CFG, rotated_checkpoint, '--eval', 'segm',
        'rbox', '--work-dir', tmp_path, '--show-dir', 'vis',
        *data_options(scenes, epochs=1, config=ROTATED_CFG),
        'model.detector.test_cfg.rcnn.score_thr=0.0'
    ], repo_root)
    for metric in ('segm', 'rbox'):
        match = re.search(rf'coco/{metric}_mAP: (-?[\d.]+)', output)
        assert match, output[-2000:]
        assert 0.0 <= float(match.group(1)) <= 1.0
    pictures = list(tmp_path.glob('*/vis/*.jpg'))
    assert len(pictures) == 2 and cv2.imread(str(pictures[0])) is not None
    code = f"""
from mmdet.apis import DetInferencer
from mmengine.config import Config
cfg = Config.fromfile({ROTATED_CFG!r})
cfg.model.detector.test_cfg.rcnn.score_thr = 0.0
inferencer = DetInferencer(model=cfg, weights={str(rotated_checkpoint)!r},
                           device='cpu', scope='mmrotate',
                           show_progress=False)
pred = inferencer({str(scenes / 'val' / '000000.jpg')!r})['predictions'][0]
print('box sizes', sorted({{len(b) for b in pred['bboxes']}}))
print('instances', len(pred['scores']), 'masks', len(pred['masks']))
"""
    output = run_tool(['-c', code], repo_root)
    assert 'box sizes [5]' in output
    n_scores, n_masks = map(
        int, re.search(r'instances (\d+) masks (\d+)', output).groups())
    assert n_scores == n_masks > 0
