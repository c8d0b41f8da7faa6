import math

import pytest
import torch
from mmrotate.registry import TASK_UTILS
from mmrotate.structures.bbox import RotatedBoxes


@pytest.fixture(autouse=True)
def default_scope():
    from mmengine.registry import init_default_scope
    init_default_scope('mmrotate')


def build(**kwargs):
    cfg = dict(type='RotatedAnchorGenerator', strides=[4, 8], ratios=[0.5,
               1.0, 2.0], scales=[8], angles=[-90, -60, -30])
    cfg.update(kwargs)
    return TASK_UTILS.build(cfg)


def test_count_and_shapes():
    gen = build()
    assert gen.num_base_priors == [9, 9]
    priors = gen.grid_priors([(5, 6), (3, 3)], device='cpu')
    assert [p.shape for p in priors] == [(5 * 6 * 9, 5), (3 * 3 * 9, 5)]
    gen = build(scales=[4, 8], angles=[0, 45], ratios=[1.0])
    assert gen.num_base_priors == [4, 4]


def test_sizes_angles_and_le90_form():
    gen = build()
    base = gen.base_anchors[0]
    w, h, t = base[:, 2], base[:, 3], base[:, 4]
    assert (w >= h).all()
    assert ((t >= -math.pi / 2) & (t < math.pi / 2)).all()
    # every anchor has the area of its scale (stride 4 x scale 8 = 32 px)
    assert torch.allclose(w * h, torch.full((9, ), 32.0**2), rtol=1e-5)
    # orientation of the long side: ratio 0.5 keeps the configured angles,
    # ratio 2 (tall) turns them by 90 degrees, squares are any angle
    long_side = {
        round(math.degrees(float(a))) % 180
        for a, ww, hh in zip(t, w, h) if ww > hh + 1
    }
    assert long_side == {90, 120, 150, 0, 30, 60}


def test_grid_shifts_and_sparse_priors_agree():
    gen = build()
    priors = gen.grid_priors([(4, 5), (2, 3)], device='cpu')
    level = priors[0]
    # location-major: 9 anchors per cell, cells in row-major order
    assert torch.allclose(level[9 * 7, :2], torch.tensor([2 * 4.0, 1 * 4.0]))
    idx = torch.tensor([0, 17, 40, 179])
    sparse = gen.sparse_priors(idx, (4, 5), 0, device='cpu')
    assert torch.allclose(sparse, level[idx])


def test_box_type_output():
    gen = build(use_box_type=True)
    priors = gen.grid_priors([(2, 2), (1, 1)], device='cpu')
    assert isinstance(priors[0], RotatedBoxes)


def test_needs_an_angle():
    with pytest.raises(ValueError, match='at least one angle'):
        build(angles=[])
