"""Every shipped config builds; each detector family learns on a real batch.

The R-50 configs are for GPU users: here they are built (no pretrained
weights are loaded) and run one loss forward. The cpu-tiny ones take 24
optimiser steps on one batch of synthetic scenes and their loss must fall.
"""
import glob

import numpy as np
import pytest
import torch
from mmdet.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mmrot_ext.datasets.synthetic import DenseSceneConfig, write_dense_dataset

from .conftest import REPO_ROOT

CONFIGS = sorted(
    p for p in glob.glob(str(REPO_ROOT / 'configs' / '*' / '*.py'))
    if '/_base_/' not in p)
TINY = [p for p in CONFIGS if 'cpu-tiny' in p]
FULL = [p for p in CONFIGS if 'cpu-tiny' not in p]


def short(path):
    return path.rsplit('/', 1)[-1]


@pytest.fixture(scope='module')
def scenes_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp('scenes')
    write_dense_dataset(
        str(root), dict(train=2),
        DenseSceneConfig(width=128, height=128, num_objects=(4, 6)),
        workers=1)
    return root


def batch_for(cfg, root):
    """One batch of the config's own training pipeline on ``root``."""
    dataset = cfg.train_dataloader.dataset
    dataset.data_root = str(root) + '/'
    dataset.pipeline = [t for t in dataset.pipeline if t.type != 'RandomFlip']
    data = DATASETS.build(dataset)
    return pseudo_collate([data[0], data[1]])


def total_loss(model, batch):
    inputs = model.data_preprocessor(batch, training=True)
    loss, _ = model.parse_losses(model(**inputs, mode='loss'))
    return loss


def test_every_config_is_covered():
    assert len(FULL) == 3 and len(TINY) == 4
    for family in ('mask_rcnn', 'faster_rcnn', 'rpn'):
        assert sum(f'/{family}/' in p for p in TINY) >= 1
        assert sum(f'/{family}/' in p for p in FULL) == 1


@pytest.mark.parametrize('path', FULL, ids=short)
def test_full_config_builds_and_computes_loss(path, scenes_dir):
    cfg = Config.fromfile(path)
    assert cfg.model.backbone.depth == 50
    model = MODELS.build(cfg.model)  # pretrained weights not loaded here
    model.train()
    loss = total_loss(model, batch_for(cfg, scenes_dir))
    assert torch.isfinite(loss)


@pytest.mark.parametrize('path', TINY, ids=short)
def test_tiny_config_loss_falls_on_a_batch(path, scenes_dir):
    torch.manual_seed(0)
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    batch = batch_for(cfg, scenes_dir)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(24):
        loss = total_loss(model, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    # two-stage losses can rise at first, as better proposals add positives
    assert np.mean(losses[-3:]) < 0.8 * np.mean(losses[:3]), losses
