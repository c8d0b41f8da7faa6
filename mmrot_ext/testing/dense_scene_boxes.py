"""Rotated boxes of generated dense scenes and of a config's anchors: the
inputs our rotated-op tests and benchmarks measure on."""
import math

import numpy as np
import torch
from mmengine.config import Config

from mmrot_ext.registry import ROTATED_TASK_UTILS
from mmrot_ext.datasets.synthetic.dense_objects import (DenseSceneConfig,
                                                        render_dense_scene)
from mmrot_ext.structures import masks_to_rboxes


def dense_scene_gt_rboxes(num_scenes, seed=0, scene_cfg=None):
    """Per scene, the GT rotated boxes (N_i, 5) float32: min-area
    rectangles of the visible masks, as ``BoxesFromMasks`` makes them."""
    rng = np.random.default_rng(seed)
    scene_cfg = scene_cfg or DenseSceneConfig()
    scenes = []
    for _ in range(num_scenes):
        _, owner, *_ = render_dense_scene(rng, scene_cfg)
        masks = np.stack([owner == k for k in range(owner.max() + 1)
                          if (owner == k).any()])
        scenes.append(torch.from_numpy(masks_to_rboxes(masks)).float())
    return scenes


def config_anchors(config_path, height, width):
    """All anchors (A, 5) of a config's RPN anchor generator on an image of
    ``height`` x ``width``, on the CPU."""
    generator_cfg = Config.fromfile(config_path).model.rpn_head.\
        anchor_generator
    generator = ROTATED_TASK_UTILS.build(
        dict(generator_cfg, _scope_='mmrotate'))
    shapes = [(math.ceil(height / sh), math.ceil(width / sw))
              for sw, sh in generator.strides]
    priors = generator.grid_priors(shapes, device='cpu')
    return torch.cat([getattr(p, 'tensor', p) for p in priors])
