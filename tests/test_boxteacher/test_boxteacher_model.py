"""BoxTeacher end to end on CPU: two views, pseudo labels reach the student,
no mask label reaches training, both students learn, degenerate batches stay
finite, the teacher predicts at test time."""
import copy
import json
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine import MessageHub
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmengine.structures import InstanceData

from mmrot_ext.testing import adamw_loss_history
from projects.BoxTeacher.boxteacher import BoxTeacherEMAHook, box_masks

from ..conftest import REPO_ROOT

CONFIGS = REPO_ROOT / 'projects/BoxTeacher/configs'
CONDINST = 'boxteacher_r18_fpn_cpu-tiny_synthetic-dense.py'
MASK_RCNN = 'boxteacher-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'


@pytest.fixture(scope='module')
def scenes(dense_scenes):
    return dense_scenes(train=8, val=2)


def load_cfg(name, root, jitter_prob=None):
    cfg = Config.fromfile(CONFIGS / name)
    init_default_scope('mmdet')
    dataset = cfg.train_dataloader.dataset
    dataset.data_root = str(root) + '/'
    for t in dataset.pipeline:
        if t.type == 'Resize':
            t.scale = (128, 128)
        if t.type == 'MultiBranch' and jitter_prob is not None:
            # the paper's colour views (off in the cpu-tiny configs)
            colour = copy.deepcopy(cfg.student_colour)
            colour[0].prob = jitter_prob
            t.student = [*colour, dict(type='PackDetInputs')]
    return cfg


def batches(cfg, n=2, seed=0):
    random.seed(seed)
    np.random.seed(seed)
    data = DATASETS.build(cfg.train_dataloader.dataset)
    return [
        pseudo_collate([data[i] for i in range(k * 4, k * 4 + 4)])
        for k in range(n)
    ]


def build(cfg):
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    return model


def set_iter(it):
    MessageHub.get_current_instance().update_info('iter', it)


def losses_of(model, batch):
    data = model.data_preprocessor(copy.deepcopy(batch), training=True)
    return model(**data, mode='loss')


def train(model, data, iterations=20):
    """AdamW steps with the EMA hook, as tools/train.py runs them."""
    hook = BoxTeacherEMAHook(momentum=0.99)
    runner = SimpleNamespace(model=model, iter=0)
    hook.before_train(runner)

    def after_step(it):
        runner.iter = it
        hook.after_train_iter(runner, batch_idx=it)
        set_iter(it + 1)

    set_iter(0)
    history = adamw_loss_history(model, data, iterations,
                                 after_step=after_step)
    set_iter(0)
    return history


@pytest.mark.slow
@pytest.mark.parametrize('name', [CONDINST, MASK_RCNN])
def test_twenty_iterations_lower_the_loss(name, scenes):
    cfg = load_cfg(name, scenes)
    model = build(cfg)
    history = train(model, batches(cfg))
    assert all(np.isfinite(history)), history
    assert np.mean(history[-4:]) < 0.8 * np.mean(history[:4]), history


def perfect_teacher(model):
    """Replace the teacher by one that returns the GT boxes with box-shaped
    soft masks (p = 0.81), so every GT gets a trusted pseudo mask."""
    def forward_teacher(inputs, samples):
        out = []
        for s in samples:
            boxes = s.gt_instances.bboxes
            h, w = s.batch_input_shape
            out.append(
                InstanceData(
                    bboxes=boxes,
                    labels=s.gt_instances.labels,
                    scores=torch.full((len(boxes), ), 0.81),
                    masks=box_masks(boxes, h, w) * 0.9))
        return out

    model.teacher.forward_teacher = forward_teacher


@pytest.mark.parametrize('name', [CONDINST, MASK_RCNN])
def test_pseudo_mask_losses_train_the_student_only(name, scenes):
    cfg = load_cfg(name, scenes)
    model = build(cfg)
    perfect_teacher(model)
    set_iter(10**6)  # past every warm-up
    losses = losses_of(model, batches(cfg, n=1)[0])
    assert losses['pseudo_matched_fraction'].item() == 1.0
    assert losses['pseudo_mean_weight'].item() == pytest.approx(
        0.81**0.25 * 0.9**0.5, rel=1e-4)
    assert losses['loss_mask'].item() > 0
    assert losses['loss_mask_affinity'].item() > 0
    losses['loss_mask'].backward()
    assert model.student.backbone.conv1.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.teacher.parameters())
    assert not any(p.requires_grad for p in model.teacher.parameters())
    set_iter(0)


@pytest.mark.parametrize('name', [CONDINST, MASK_RCNN])
def test_zero_gt_and_all_unmatched_gt_stay_finite(name, scenes):
    cfg = load_cfg(name, scenes)
    model = build(cfg)
    model.teacher.forward_teacher = lambda inputs, samples: [
        InstanceData(bboxes=torch.zeros(0, 4), labels=torch.zeros(
            0, dtype=torch.long), scores=torch.zeros(0),
                     masks=torch.zeros(0, *s.batch_input_shape))
        for s in samples
    ]
    batch = batches(cfg, n=1)[0]
    for view in ('teacher', 'student'):  # image 0 has no GT at all
        sample = batch['data_samples'][view][0]
        sample.gt_instances = sample.gt_instances[torch.zeros(
            0, dtype=torch.long)]
    set_iter(10**6)
    losses = losses_of(model, batch)
    assert losses['pseudo_matched_fraction'].item() == 0
    for name_, value in losses.items():
        values = value if isinstance(value, list) else [value]  # RPN: list
        assert all(torch.isfinite(v).all() for v in values), name_
    assert losses['loss_mask'].item() == 0
    set_iter(0)


def test_student_sees_jitter_and_shares_the_clean_colour_similarity(scenes):
    cfg = load_cfg(CONDINST, scenes, jitter_prob=1.0)
    model = build(cfg)
    data = model.data_preprocessor(batches(cfg, n=1)[0], training=True)
    inputs, samples = data['inputs'], data['data_samples']
    assert inputs['teacher'].shape == inputs['student'].shape
    assert not torch.equal(inputs['teacher'], inputs['student'])
    for t, s in zip(samples['teacher'], samples['student']):
        assert torch.equal(t.gt_instances.bboxes, s.gt_instances.bboxes)
        assert s.gt_instances.pairwise_masks is \
            t.gt_instances.pairwise_masks


def test_training_data_carries_no_mask_labels(scenes, tmp_path):
    """Box-only loading: no view holds masks, and scrambling every
    segmentation in the annotation file changes nothing the model sees."""
    cfg = load_cfg(CONDINST, scenes)
    with open(scenes / 'annotations/instances_train.json') as f:
        coco = json.load(f)
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        ann['segmentation'] = [[x, y, x + w, y, x, y + h]]  # a triangle
    scrambled = tmp_path / 'scrambled.json'
    scrambled.write_text(json.dumps(coco))
    other = copy.deepcopy(cfg)
    other.train_dataloader.dataset.ann_file = str(scrambled)
    for a, b in zip(batches(cfg, n=1)[0]['data_samples']['student'],
                    batches(other, n=1)[0]['data_samples']['student']):
        assert 'masks' not in a.gt_instances
        assert torch.equal(a.gt_instances.bboxes.tensor,
                           b.gt_instances.bboxes.tensor)
    for a, b in zip(batches(cfg, n=1)[0]['inputs']['teacher'],
                    batches(other, n=1)[0]['inputs']['teacher']):
        assert torch.equal(a, b)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    info = dataset.pipeline.transforms[1](
        dict(instances=copy.deepcopy(dataset.get_data_info(0)['instances'])))
    assert info['instances'] and not any('mask' in i
                                         for i in info['instances'])


def test_teacher_runs_at_its_test_scale_and_maps_back(scenes):
    cfg = load_cfg(CONDINST, scenes)
    cfg.model.semi_train_cfg = dict(teacher_test_scale=(400, 200))
    model = build(cfg)
    seen = {}

    def forward_teacher(inputs, samples):
        seen['shape'] = tuple(inputs.shape[-2:])
        seen['img_shape'] = samples[0].img_shape
        return [
            InstanceData(bboxes=torch.tensor([[50., 50., 150., 100.]]),
                         labels=torch.zeros(1, dtype=torch.long),
                         scores=torch.ones(1),
                         masks=torch.ones(1, *inputs.shape[-2:]))
            for _ in samples
        ]

    model.teacher.forward_teacher = forward_teacher
    data = model.data_preprocessor(batches(cfg, n=1)[0], training=True)
    preds = model.teacher_predictions(data['inputs']['teacher'],
                                      data['data_samples']['teacher'])
    assert seen['shape'] == (200, 200)  # 128 * min(400, 200) / 128
    assert seen['img_shape'] == (200, 200)
    assert torch.allclose(preds[0].bboxes,
                          torch.tensor([[32., 32., 96., 64.]]))
    assert preds[0].masks.shape == (1, 128, 128)


def test_teacher_keeps_the_student_batchnorm_modes(scenes):
    cfg = load_cfg(CONDINST, scenes)
    model = build(cfg)
    model._set_teacher_mode()
    assert not model.teacher.training and not model.teacher.bbox_head.training
    assert model.teacher.backbone.bn1.training  # norm_eval=False: batch stats
    model.semi_train_cfg['teacher_bn_train'] = False
    model._set_teacher_mode()
    assert not model.teacher.backbone.bn1.training


def test_prediction_uses_the_teacher_unless_told_otherwise(scenes):
    cfg = load_cfg(CONDINST, scenes)
    model = build(cfg)
    model.eval()
    with torch.no_grad():  # give the two models different outputs
        model.teacher.bbox_head.conv_cls.bias.fill_(5.0)
    val = copy.deepcopy(cfg.val_dataloader.dataset)
    val.data_root = str(scenes) + '/'
    next(t for t in val.pipeline if t.type == 'Resize').scale = (128, 128)
    batch = pseudo_collate([DATASETS.build(val)[0]])
    data = model.data_preprocessor(batch, training=False)
    with torch.no_grad():
        by_teacher = model(**copy.deepcopy(data), mode='predict')
        model.semi_test_cfg['predict_on'] = 'student'
        by_student = model(**copy.deepcopy(data), mode='predict')
        direct = model.teacher(**copy.deepcopy(data), mode='predict')
    assert len(by_teacher[0].pred_instances) == len(direct[0].pred_instances)
    assert len(by_teacher[0].pred_instances) > len(
        by_student[0].pred_instances)


def test_configs_give_only_what_differs_from_the_wrapper_defaults(scenes):
    """The paper's settings are the class defaults; a config that says
    nothing gets them, and the two views around the detector's own data
    preprocessor."""
    cfg = load_cfg(MASK_RCNN, scenes)
    assert set(cfg.model) == {'type', 'detector'}
    model = build(cfg)
    assert dict(model.semi_train_cfg) == dict(
        iou_thr=0.5, score_thr=0.0, mask_thr=0.5, teacher_bn_train=True,
        teacher_test_scale=None)
    assert dict(model.semi_test_cfg) == dict(predict_on='teacher')
    views = model.data_preprocessor
    assert type(views).__name__ == 'TwoViewDataPreprocessor'
    assert views.clean_view == 'teacher'
    assert views.shared_keys == ('pairwise_masks', )
    inner = views.data_preprocessor
    assert isinstance(inner, type(model.student.data_preprocessor))
    assert type(inner).__name__ == 'BoxInstDataPreprocessor'
    cfg.model.semi_train_cfg = dict(teacher_test_scale=(1333, 800))
    assert build(cfg).semi_train_cfg.teacher_test_scale == (1333, 800)
    assert build(cfg).semi_train_cfg.iou_thr == 0.5


def test_a_detector_without_forward_teacher_is_refused(scenes):
    cfg = load_cfg(CONDINST, scenes)
    cfg.model.detector.type = 'BoxInst'
    with pytest.raises(TypeError, match='forward_teacher'):
        MODELS.build(cfg.model)


@pytest.mark.parametrize('name,depth,classes,blur', [
    ('boxteacher_r50_fpn_1x_coco', 50, 80, False),
    ('boxteacher_r50_fpn_3x_coco', 50, 80, True),
    ('boxteacher_r101_fpn_3x_coco', 101, 80, True),
    ('boxteacher_r50_fpn_voc', 50, 20, False),
    ('boxteacher_r50_fpn_cityscapes', 50, 8, False),
])
def test_full_configs_build(name, depth, classes, blur):
    cfg = Config.fromfile(CONFIGS / f'{name}.py')
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    assert type(model.student).__name__ == 'BoxTeacherCondInst'
    assert model.student.backbone.depth == depth
    assert model.student.bbox_head.num_classes == classes
    assert model.student.mask_head.num_params == 233
    assert cfg.custom_hooks[0].momentum == 0.999
    student_view = cfg.train_dataloader.dataset.pipeline[-1].student
    assert any(t.type == 'RandomGaussianBlur' for t in student_view) == blur
    assert cfg.train_dataloader.dataset.pipeline[1].type == \
        'DropInstanceMasks'
