"""Latent-MaskRCNN: KL, encoder edge cases, schedule hook, gradients,
one-backbone-pass K-sample inference in every mode, a short training."""
import copy

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, init_default_scope

from mmrot_ext.testing import adamw_loss_history
from projects.LatentMaskRCNN.latent_mask_rcnn import (
    KLWeightScheduleHook,
    gaussian_kl,
)
from projects.LatentMaskRCNN.synthetic_bags import (BagSceneConfig,
                                                    write_bag_dataset)

from ..conftest import REPO_ROOT

CFG = str(REPO_ROOT / 'projects/LatentMaskRCNN/configs/'
          'latent-mask-rcnn_r18_fpn_cpu-tiny_synthetic-bags.py')


def test_kl_is_zero_when_q_equals_p_and_matches_torch():
    mu, logvar = torch.randn(3, 8), torch.randn(3, 8)
    assert torch.allclose(gaussian_kl((mu, logvar), (mu, logvar)),
                          torch.zeros(3), atol=1e-6)
    mu2, logvar2 = torch.randn(3, 8), torch.randn(3, 8)
    ref = torch.distributions.kl_divergence(
        torch.distributions.Normal(mu, (0.5 * logvar).exp()),
        torch.distributions.Normal(mu2, (0.5 * logvar2).exp())).sum(-1)
    assert torch.allclose(gaussian_kl((mu, logvar), (mu2, logvar2)), ref,
                          atol=1e-5)


def test_kl_schedule_expresses_warm_up_and_two_stages():
    warm = KLWeightScheduleHook([(0, 0), (100, 0), (200, 1e-4)])
    assert [warm.weight(i) for i in (0, 99, 150, 200, 5000)] == \
        pytest.approx([0, 0, 5e-5, 1e-4, 1e-4])
    two_stage = KLWeightScheduleHook([(0, 0), (100, 0), (100, 1e-4)])
    assert two_stage.weight(99) == 0 and two_stage.weight(100) == 1e-4
    with pytest.raises(ValueError, match='non-decreasing'):
        KLWeightScheduleHook([(10, 0), (5, 1)])
    with pytest.raises(ValueError, match='beta must be >= 0'):
        KLWeightScheduleHook([(0, -1)])


@pytest.fixture(scope='module')
def bags(tmp_path_factory):
    root = tmp_path_factory.mktemp('bags')
    write_bag_dataset(str(root), dict(train=4, val=2),
                      BagSceneConfig(width=96, height=96, num_items=(3, 5)),
                      workers=1)
    return root


@pytest.fixture(scope='module')
def cfg():
    config = Config.fromfile(CFG)
    init_default_scope('mmdet')
    return config


def batch(cfg, root, split='train', n=2):
    dataset = cfg.train_dataloader.dataset.copy() if split == 'train' else \
        cfg.val_dataloader.dataset.copy()
    dataset.data_root = str(root) + '/'
    dataset.pipeline = [t for t in dataset.pipeline
                        if t.type != 'RandomFlip']
    data = DATASETS.build(dataset)
    return pseudo_collate([data[i] for i in range(n)])


def build(cfg, kl_weight=1.0):
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.init_weights()
    model.kl_weight = kl_weight
    return model


def test_loss_and_gradients_reach_every_part(cfg, bags):
    model = build(cfg)
    model.train()
    inputs = model.data_preprocessor(batch(cfg, bags), training=True)
    losses = model(**inputs, mode='loss')
    assert {'loss_kl', 'kl', 'loss_mask', 'loss_rpn_cls'} <= set(losses)
    loss, _ = model.parse_losses(losses)
    loss.backward()
    for name in ('backbone', 'prior', 'encoder', 'fusion', 'rpn_head',
                 'roi_head'):
        grads = [p.grad for p in getattr(model, name).parameters()
                 if p.grad is not None]
        assert grads and any(g.abs().sum() > 0 for g in grads), name


@pytest.mark.parametrize('num_gt', [0, 1])
def test_encoder_handles_zero_and_one_instance(cfg, bags, num_gt):
    model = build(cfg)
    inputs = model.data_preprocessor(batch(cfg, bags), training=True)
    samples = inputs['data_samples']
    for s in samples:
        s.gt_instances = s.gt_instances[:num_gt]
    feats = model.extract_feat(inputs['inputs'])
    mean, logvar = model.encoder(feats, [s.gt_instances for s in samples])
    assert mean.shape == (2, 64) and torch.isfinite(logvar).all()
    model.train()
    losses = model(inputs['inputs'], samples, mode='loss')
    assert all(torch.isfinite(torch.as_tensor(v)).all()
               for v in losses.values() if torch.is_tensor(v))


@pytest.mark.parametrize('mode', ['prior_mean', 'samples', 'confidence',
                                  'union_nms'])
def test_inference_runs_the_backbone_once(cfg, bags, mode):
    model = build(cfg)
    model.eval()
    model.test_cfg.latent.update(mode=mode, num_samples=4, score_thr=0.0,
                                 min_score=0.0)
    # an untrained model scores everything low: let every box through
    model.test_cfg.rcnn.score_thr = 0.0
    calls = []
    model.backbone.register_forward_hook(lambda *a: calls.append(1))
    decodes = []
    model.rpn_head.register_forward_hook(
        lambda m, args, out: decodes.append(args[0][0].shape[0]))
    data = model.data_preprocessor(batch(cfg, bags, 'val'), training=False)
    with torch.no_grad():
        results = model(**data, mode='predict')
    assert len(calls) == 1
    k = 1 if mode == 'prior_mean' else 4
    assert decodes[0] == 2 * k  # the K samples decoded as one batch
    for result in results:
        pred = result.pred_instances
        assert pred.masks.shape[1:] == result.ori_shape
        assert len(pred.bboxes) == len(pred.scores) == len(pred.masks)
        if mode == 'samples':
            assert set(pred.sample_ids.tolist()) <= set(range(4))


def test_unknown_mode_is_an_error(cfg, bags):
    model = build(cfg)
    model.eval()
    model.test_cfg.latent.mode = 'mean'
    data = model.data_preprocessor(batch(cfg, bags, 'val'), training=False)
    with pytest.raises(ValueError, match='test_cfg.latent.mode must be'):
        model(**data, mode='predict')


@pytest.mark.slow
def test_twenty_iterations_lower_the_loss(cfg, bags):
    model = build(cfg, kl_weight=1e-3)
    model.train()
    losses = adamw_loss_history(model, [batch(cfg, bags, n=4)], 20)
    assert np.mean(losses[-3:]) < 0.8 * np.mean(losses[:3]), losses


@pytest.mark.parametrize('mode', ['prior_mean', 'confidence', 'union_nms'])
def test_det_inferencer_in_every_mode(cfg, bags, tmp_path, mode):
    from mmdet.apis import DetInferencer
    model = build(cfg)
    ckpt = tmp_path / 'latent.pth'
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=dict(classes=('object', )))),
               ckpt)
    config = copy.deepcopy(cfg)
    config.model.test_cfg.latent.update(mode=mode, num_samples=3)
    config.model.test_cfg.rcnn.score_thr = 0.0
    inferencer = DetInferencer(model=config, weights=str(ckpt),
                               device='cpu', show_progress=False)
    out = inferencer(str(bags / 'val' / '000000.jpg'),
                     return_datasamples=True)
    pred = out['predictions'][0].pred_instances
    assert pred.masks.shape[1:] == (96, 96)
    assert len(pred.masks) == len(pred.scores) == len(pred.labels)


@pytest.mark.parametrize('name', ['coco', 'cityscapes', 'apparel'])
def test_full_configs_build(name):
    config = Config.fromfile(
        str(REPO_ROOT / 'projects/LatentMaskRCNN/configs' /
            f'latent-mask-rcnn_r50_fpn_1x_{name}.py'))
    init_default_scope('mmdet')
    model = MODELS.build(config.model)
    assert type(model).__name__ == 'LatentMaskRCNN'
    assert model.fusion.convs[0].in_channels == 256 + 64
    assert config.custom_hooks[0].type == 'KLWeightScheduleHook'


def test_inference_defaults_follow_the_paper(cfg):
    model = build(cfg)
    model.test_cfg.latent = {}
    latent = model._latent_cfg()
    assert latent['min_score'] == 0.1  # Algorithm 1's stop
    assert latent['max_candidates'] == 512  # Union-NMS input, public code
    assert cfg.model.test_cfg.latent.min_score == 0.1
