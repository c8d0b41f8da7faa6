"""A tiny synthetic dataset and one short real training run shared by the
tool tests (train -> test -> infer -> resume)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


MASK_RCNN_CFG = \
    'configs/mask_rcnn/mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'


@pytest.fixture(scope='session')
def tiny_data(dense_scenes):
    """16 train / 4 val dense scenes at 128 px."""
    return dense_scenes(train=16, val=4)


def read_config(config):
    from mmengine import Config
    return Config.fromfile(
        str(Path(__file__).resolve().parents[2] / config),
        import_custom_modules=False)


def resize_options(config, scale=(128, 128)):
    """``--cfg-options`` setting the scale of every ``Resize`` in the
    config's train / val / test pipelines, found by type so that a config
    is free to order its pipeline as it likes."""
    cfg = read_config(config)
    options = []
    for loader in ('train', 'val', 'test'):
        pipeline = cfg[f'{loader}_dataloader'].dataset.pipeline
        options += [
            f'{loader}_dataloader.dataset.pipeline.{i}.scale='
            f'({scale[0]},{scale[1]})' for i, step in enumerate(pipeline)
            if step.type.split('.')[-1] == 'Resize'
        ]
    if not options:
        raise ValueError(f'{config}: no Resize in its pipelines')
    return options


def data_options(data_root, epochs, config=MASK_RCNN_CFG, extra=()):
    """--cfg-options pointing a cpu-tiny ``config`` at ``data_root``, at
    the scenes' native 128 px instead of the config's 256."""
    root = str(data_root) + '/'
    evaluators = read_config(config).val_evaluator
    # a list of evaluators (keypoint configs) is pointed at one by one
    keys = [f'.{i}' for i in range(len(evaluators))] \
        if isinstance(evaluators, list) else ['']
    return [
        '--cfg-options', f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}',
        *[f'{phase}_evaluator{k}.ann_file={root}annotations/instances_val.json'
          for phase in ('val', 'test') for k in keys],
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
        f'param_scheduler.1.end={epochs}',
        f'param_scheduler.1.milestones=[{epochs}]',
        'default_hooks.logger.interval=1', 'log_processor.window_size=1',
        'randomness.seed=0', *resize_options(config), *extra
    ]


def run_tool(args, repo_root, timeout=600, **kwargs):
    """Run a repo tool in a fresh interpreter; raise with its output."""
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='2')
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=repo_root,
                          capture_output=True, text=True, timeout=timeout,
                          env=env, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(f'{args} exited {proc.returncode}:\n'
                             f'{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}')
    return proc.stdout + proc.stderr


def read_scalars(work_dir, run=-1):
    """Training records (one dict per log line) of a run in ``work_dir``;
    runs are in start order, ``run=-1`` is the latest."""
    paths = sorted(work_dir.glob('*/vis_data/scalars.json'))
    with open(paths[run]) as f:
        return [r for r in map(json.loads, f) if 'loss' in r]


@pytest.fixture(scope='session')
def trained_mask_rcnn(tiny_data, tmp_path_factory, repo_root):
    """Train the cpu-tiny Mask R-CNN for 6 epochs (24 iterations)."""
    work_dir = tmp_path_factory.mktemp('train_mask_rcnn')
    run_tool(['tools/train.py', MASK_RCNN_CFG, '--work-dir', work_dir,
              *data_options(tiny_data, epochs=6)], repo_root)
    return work_dir
