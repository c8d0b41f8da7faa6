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
