"""Proposal recall: hand-made overlaps, and the tool on a rotated and an
axis-aligned RPN."""
import json

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from mmrot_ext.evaluation.proposal_recall import (IOU_THRS, best_overlaps,
                                                  recall_curves)

from .conftest import resize_options


def test_recall_of_hand_made_axis_aligned_proposals():
    gt = torch.tensor([[0., 0., 10., 10.], [20., 0., 30., 10.]])
    proposals = torch.tensor([
        [0., 0., 10., 10.],    # GT 0 exactly
        [20., 0., 30., 16.],   # GT 1 at IoU 100 / 160 = 0.625
        [21., 0., 30., 10.],   # GT 1 at IoU 0.9
    ])
    best = best_overlaps(gt, proposals, [1, 2, 3, 10])
    assert best == pytest.approx(np.array(
        [[1, 0], [1, 0.625], [1, 0.9], [1, 0.9]]))
    recall = recall_curves(best)
    at = {t: i for i, t in enumerate(IOU_THRS)}
    assert recall[0, at[0.5]] == 0.5  # top 1: GT 0 only
    assert recall[1, at[0.6]] == 1.0 and recall[1, at[0.65]] == 0.5
    assert recall[2, at[0.9]] == 1.0 and recall[2, at[0.95]] == 0.5


def test_recall_of_hand_made_rotated_proposals():
    gt = torch.tensor([[50., 50., 40., 10., 0.3]])
    shift = 10 * torch.tensor([np.cos(0.3), np.sin(0.3)])
    proposals = torch.tensor([
        [50. + float(shift[0]), 50. + float(shift[1]), 40., 10., 0.3],
        [50., 50., 40., 10., 0.3 + np.pi],  # the same box turned round
    ])
    # shifted 10 px along its length: IoU 300 / 500 = 0.6
    best = best_overlaps(gt, proposals, [1, 2])
    assert best[:, 0] == pytest.approx([0.6, 1.0], abs=1e-5)
    with pytest.raises(ValueError, match='axis-aligned \\(4\\) or rotated'):
        best_overlaps(gt, proposals[:, :4], [1])


@pytest.mark.parametrize('config', [
    'configs/rotated_rpn/rotated-rpn_r18_fpn_cpu-tiny_synthetic-dense.py',
    'configs/rpn/rpn_r18_fpn_cpu-tiny_synthetic-dense.py',
])
def test_tool_writes_monotone_curves(config, tiny_data, repo_root,
                                     load_tool, tmp_path):
    cfg = Config.fromfile(str(repo_root / config))
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    ckpt = tmp_path / 'rpn.pth'
    torch.save(dict(state_dict=model.state_dict(), meta={}), ckpt)
    root = str(tiny_data) + '/'
    options = [
        f'test_dataloader.dataset.data_root={root}',
        'test_dataloader.dataset.ann_file=annotations/instances_val.json',
        *[o for o in resize_options(config) if o.startswith('test')]
    ]
    curves = load_tool('analysis_tools/proposal_recall.py').main([
        str(repo_root / config), str(ckpt), '--num-proposals', '50', '200',
        '--out-dir', str(tmp_path / 'out'), '--cfg-options', *options])
    assert curves['rotated'] == ('rotated' in config)
    assert curves['images'] == 4 and curves['gt_objects'] > 0
    with open(tmp_path / 'out' / 'proposal_recall.json') as f:
        saved = json.load(f)
    assert saved['recall_vs_iou'].keys() == {'50', '200'}
    assert (tmp_path / 'out' / 'proposal_recall.png').stat().st_size > 0
    for recall in curves['recall_vs_iou'].values():
        assert all(a >= b for a, b in zip(recall, recall[1:]))
    for recall in curves['recall_vs_num'].values():
        assert all(a <= b for a, b in zip(recall, recall[1:]))
    assert curves['num_grid'][-1] == 200
