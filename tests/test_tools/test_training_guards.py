"""A diverged training run stops with a clear error and saves nothing; the
tools answer --help at once and name a user's mistake in one line."""
import math
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch

from mmrot_ext.engine import LossGuardHook

from .conftest import MASK_RCNN_CFG, data_options

# subprocess tool runs and trainings: `make test-fast` leaves them out
pytestmark = pytest.mark.slow


def fake_runner(iteration=7, epoch=1):
    return SimpleNamespace(iter=iteration, epoch=epoch, work_dir='wd')


@pytest.mark.parametrize('bad', [math.nan, math.inf, 2e5])
def test_loss_guard_names_the_iteration_and_the_bad_terms(bad):
    hook = LossGuardHook()
    outputs = dict(loss=torch.tensor(bad), loss_cls=torch.tensor(bad),
                   loss_bbox=torch.tensor(0.3), acc=torch.tensor(50.0))
    with pytest.raises(RuntimeError) as err:
        hook.after_train_iter(fake_runner(), 0, outputs=outputs)
    message = str(err.value)
    assert 'diverged at iteration 8 (epoch 2)' in message
    assert 'loss_cls' in message and 'loss_bbox' not in message
    fine = dict(loss=torch.tensor(3.0), loss_cls=torch.tensor(3.0))
    hook.after_train_iter(fake_runner(), 0, outputs=fine)  # no error


def test_loss_guard_runs_before_the_checkpoint_hook():
    from mmengine.hooks import CheckpointHook
    from mmengine.runner.priority import get_priority
    assert get_priority(LossGuardHook.priority) < \
        get_priority(CheckpointHook.priority)


def test_training_with_an_exploding_lr_fails_and_saves_nothing(
        tiny_data, repo_root, tmp_path):
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', MASK_RCNN_CFG, '--work-dir',
         str(tmp_path), *data_options(tiny_data, epochs=3),
         'optim_wrapper.optimizer.lr=50', 'optim_wrapper.clip_grad=None',
         'param_scheduler.0.start_factor=1.0'],
        cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert 'training diverged at iteration' in proc.stderr + proc.stdout
    assert not list(tmp_path.glob('*.pth'))


@pytest.mark.parametrize('script, usage', [
    ('tools/dist_train.sh', 'CONFIG NPROC [train.py args]'),
    ('tools/dist_test.sh', 'CONFIG CHECKPOINT NPROC [test.py args]'),
    ('tools/slurm_train.sh', 'PARTITION JOB_NAME CONFIG WORK_DIR'),
])
def test_launch_scripts_print_usage_without_their_arguments(script, usage,
                                                            repo_root):
    proc = subprocess.run(['bash', script, 'only-one'], cwd=repo_root,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert 'usage:' in proc.stderr and usage in proc.stderr
    assert 'unbound variable' not in proc.stderr


HEAVY = ('torch', 'mmdet', 'mmrotate', 'mmrot_ext.modules')


@pytest.mark.parametrize('tool', [
    'tools/train.py', 'tools/test.py', 'tools/alternating_train.py',
    'tools/mmrotate_tool.py', 'tools/analysis_tools/confusion_matrix.py',
    'tools/analysis_tools/analyze_results.py',
    'tools/analysis_tools/pr_curve.py',
    'tools/analysis_tools/proposal_recall.py'
])
def test_help_answers_without_importing_the_stack(tool, repo_root):
    code = (f'import runpy, sys\nsys.argv = [{tool!r}, "--help"]\n'
            f'try:\n    runpy.run_path({tool!r}, run_name="__main__")\n'
            f'except SystemExit:\n    pass\n'
            f'print("heavy:", [m for m in {HEAVY!r} if m in sys.modules])')
    proc = subprocess.run([sys.executable, '-c', code], cwd=repo_root,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert 'heavy: []' in proc.stdout
    assert tool.rsplit('/', 1)[-1] in proc.stdout


def test_user_errors_are_one_line_unless_debug(repo_root, tmp_path):
    missing = str(tmp_path / 'missing.pth')
    command = [sys.executable, 'tools/test.py', MASK_RCNN_CFG, missing]
    proc = subprocess.run(command, cwd=repo_root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert f'error: checkpoint {missing} not found' in proc.stderr
    assert 'Traceback' not in proc.stderr and '--debug' in proc.stderr
    proc = subprocess.run(command + ['--debug'], cwd=repo_root,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert 'Traceback' in proc.stderr and 'FileNotFoundError' in proc.stderr
