"""Each new detector learns on CPU; gradients reach the backbone from every
head; degenerate ground truth neither crashes training nor gives NaN."""
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmengine.structures import InstanceData
from mmrotate.structures.bbox import RotatedBoxes


from mmrot_ext.testing import adamw_loss_history

from ..conftest import REPO_ROOT

CONFIGS = {
    'rotated_rpn': 'rotated_rpn/rotated-rpn_r18_fpn_cpu-tiny_synthetic-dense',
    'rotated_faster_rcnn': 'rotated_faster_rcnn/rotated-faster-rcnn_r18_fpn_'
    'cpu-tiny_synthetic-dense',
    'rotated_mask_rcnn': 'rotated_mask_rcnn/rotated-mask-rcnn_r18_fpn_cpu-'
    'tiny_synthetic-dense',
    'rotated_ms_rcnn': 'rotated_ms_rcnn/rotated-ms-rcnn_r18_fpn_cpu-tiny_'
    'synthetic-dense',
    'ms_rcnn': 'ms_rcnn/ms-rcnn_r18_fpn_cpu-tiny_synthetic-dense',
}


def load_cfg(name):
    cfg = Config.fromfile(REPO_ROOT / 'configs' / (CONFIGS[name] + '.py'))
    init_default_scope(cfg.default_scope)
    return cfg


@pytest.fixture(scope='module')
def scenes_dir(dense_scenes):
    return dense_scenes(num_objects=(4, 7), train=8)


def batches(cfg, root, n=2):
    """Batches of 4 images through the config's own training pipeline."""
    dataset = cfg.train_dataloader.dataset
    dataset.data_root = str(root) + '/'
    pipeline = [t for t in dataset.pipeline if 'RandomFlip' not in t.type]
    for t in pipeline:
        if t.type.endswith('Resize'):
            t.scale = (128, 128)
    dataset.pipeline = pipeline
    data = DATASETS.build(dataset)
    return [pseudo_collate([data[i] for i in range(k * 4, k * 4 + 4)])
            for k in range(n)]


def build_model(cfg):
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    return model


def losses_of(model, batch):
    inputs = model.data_preprocessor(batch, training=True)
    return model(**inputs, mode='loss')


@pytest.mark.slow
@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_trains_20_iterations_with_falling_loss(name, scenes_dir):
    cfg = load_cfg(name)
    model = build_model(cfg)
    losses = adamw_loss_history(model, batches(cfg, scenes_dir), 20)
    assert np.mean(losses[-4:]) < 0.8 * np.mean(losses[:4]), losses


def test_gradients_reach_the_backbone_from_every_head(scenes_dir):
    cfg = load_cfg('rotated_ms_rcnn')
    model = build_model(cfg)
    losses = losses_of(model, batches(cfg, scenes_dir, n=1)[0])
    stem = model.backbone.conv1.weight
    names = [k for k in losses if k.startswith('loss')]
    assert set(names) >= {'loss_rpn_cls', 'loss_rpn_bbox', 'loss_cls',
                          'loss_bbox', 'loss_mask', 'loss_mask_iou'}
    for name in names:
        value = losses[name]
        value = sum(value) if isinstance(value, list) else value
        grad, = torch.autograd.grad(value, stem, retain_graph=True,
                                    allow_unused=True)
        assert grad is not None and grad.abs().sum() > 0, name


def degenerate_sample(img_size=128):
    """One image whose GT holds a normal stick, a 1-pixel-wide stick and a
    box partly outside the image (a zero-area mask never gets this far:
    BoxesFromMasks drops it, see test_boxes_from_masks.py)."""
    masks = np.zeros((3, img_size, img_size), np.uint8)
    masks[0, 40:52, 20:100] = 1
    masks[1, 70, 10:90] = 1
    masks[2, 0:10, 100:128] = 1
    rboxes = torch.tensor([[60.0, 46.0, 80.0, 12.0, 0.0],
                           [50.0, 70.5, 80.0, 1.0, 0.0],
                           [120.0, 3.0, 40.0, 14.0, 0.3]])
    sample = DetDataSample(metainfo=dict(
        img_shape=(img_size, img_size), ori_shape=(img_size, img_size),
        pad_shape=(img_size, img_size), batch_input_shape=(img_size,
                                                           img_size),
        scale_factor=(1.0, 1.0)))
    sample.gt_instances = InstanceData(
        bboxes=RotatedBoxes(rboxes), labels=torch.tensor([0, 1, 2]),
        masks=BitmapMasks(masks, img_size, img_size))
    sample.ignored_instances = InstanceData(
        bboxes=RotatedBoxes(torch.zeros(0, 5)),
        labels=torch.zeros(0, dtype=torch.long))
    return sample


@pytest.mark.parametrize('name', ['rotated_mask_rcnn', 'rotated_ms_rcnn'])
def test_degenerate_ground_truth_gives_finite_losses(name):
    cfg = load_cfg(name)
    model = build_model(cfg)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    inputs = torch.rand(2, 3, 128, 128) * 255
    empty = degenerate_sample()
    empty.gt_instances = empty.gt_instances[torch.zeros(0).long()]
    samples = [degenerate_sample(), empty]
    for _ in range(3):
        batch = model.data_preprocessor(
            dict(inputs=list(inputs.to(torch.uint8)), data_samples=samples),
            training=True)
        losses = model(**batch, mode='loss')
        loss, logs = model.parse_losses(losses)
        assert all(np.isfinite(float(v)) for v in logs.values()), logs
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_predictions_are_rotated_boxes_with_masks_at_original_size(
        scenes_dir):
    cfg = load_cfg('rotated_ms_rcnn')
    model = build_model(cfg)
    model.eval()
    dataset = cfg.val_dataloader.dataset
    dataset.update(data_root=str(scenes_dir) + '/',
                   ann_file='annotations/instances_train.json',
                   test_mode=True)
    # the test pipeline resizes 128 -> 256; outputs must come back at 128
    data = DATASETS.build(dataset)
    with torch.no_grad():
        out = model.test_step(pseudo_collate([data[0], data[1]]))
    for sample in out:
        pred = sample.pred_instances
        assert isinstance(pred.bboxes, torch.Tensor)
        assert pred.bboxes.shape[1] == 5
        assert pred.masks.shape[1:] == (128, 128)
        assert len(pred.scores) == len(pred.labels) == len(pred.masks)
        assert (pred.bboxes[:, :2] < 140).all()
