"""Masks from rotated boxes: rotated-box-only data, the projection and
colour-pairwise losses in each RoI's rotated frame, a short training run."""
import copy
import json
import math

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmrotate.structures.bbox import RotatedBoxes

from mmrot_ext.structures import crop_masks_to_rboxes, rbox_masks_in_frames
from mmrot_ext.testing import adamw_loss_history
from mmrot_ext.testing.rbox_reference import rbox_polygons
from projects.BoxTeacher.boxteacher import (assign_pseudo_masks, box_masks,
                                            colour_similarity,
                                            pairwise_disagreement, rgb_to_lab)
from projects.BoxTeacher.boxteacher.mask_losses import (box_side_loss,
                                                        projection_loss)

from ..conftest import REPO_ROOT
from .test_boxteacher_model import train

CFG = REPO_ROOT / ('projects/BoxTeacher/configs/rotated-box-supervised-mask-'
                   'rcnn_r18_fpn_cpu-tiny_synthetic-dense.py')


@pytest.fixture(autouse=True)
def default_scope():
    init_default_scope('mmrotate')


@pytest.fixture(scope='module')
def scenes(dense_scenes):
    return dense_scenes(num_objects=(4, 7), train=8)


def train_dataset(root, flip_prob=None):
    cfg = Config.fromfile(CFG)
    dataset = cfg.train_dataloader.dataset
    dataset.data_root = str(root) + '/'
    for t in dataset.pipeline:
        if t.type.endswith('Resize'):
            t.scale = (128, 128)  # the scenes' native size
        if t.type.endswith('RandomFlip') and flip_prob is not None:
            t.prob = flip_prob
    return cfg, DATASETS.build(dataset)


def test_hand_worked_frames():
    """An 8 x 4 frame at (10, 10), 4 x 4 grid: cell centres u = -3, -1, 1,
    3 and v = -1.5, -0.5, 0.5, 1.5; a box over x in [10, 14] and y in
    [6, 14] covers the two right-hand columns. Turned by 90 degrees, u runs
    down the image (x = 10 - v, y = 10 + u): the same box covers the two
    rows of cells with v < 0 (x > 10) that lie within y in [6, 14]."""
    box = torch.tensor([[12., 10., 4., 8., 0.]])
    flat = rbox_masks_in_frames(box, torch.tensor([[10., 10., 8., 4., 0.]]),
                                4)
    assert flat[0].tolist() == [[0, 0, 1, 1]] * 4
    turned = rbox_masks_in_frames(
        box, torch.tensor([[10., 10., 8., 4., math.pi / 2]]), 4)
    assert turned[0].tolist() == [[1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0],
                                  [0, 0, 0, 0]]


def test_frame_targets_agree_with_cropping_a_rasterised_box():
    """At random angles the analytic targets equal RoIAlignRotated crops of
    the box drawn as a mask (frame convention), but for cells the box edge
    cuts; boxes are drawn 4x large so that the raster's own edge error
    (under a pixel) is small against a cell."""
    import cv2
    rng = np.random.default_rng(0)
    for _ in range(10):
        gt = np.array([400 + rng.uniform(-20, 20), 400 + rng.uniform(-20, 20),
                       rng.uniform(240, 480), rng.uniform(32, 120),
                       rng.uniform(-math.pi / 2, math.pi / 2)])
        frame = gt + np.array([rng.uniform(-24, 24), rng.uniform(-24, 24),
                               rng.uniform(-40, 40), rng.uniform(-12, 12),
                               rng.uniform(-0.2, 0.2)])
        # pixel (x, y) covers [x, x + 1): cv2 fills pixels by their index,
        # so the polygon is drawn half a pixel up and left
        mask = np.zeros((800, 800), np.uint8)
        corners = np.array(
            rbox_polygons(torch.tensor(gt[None]))[0].exterior.coords)[:-1]
        cv2.fillPoly(mask, [np.round((corners - 0.5) * 16).astype(np.int32)],
                     1, shift=4)
        crop = crop_masks_to_rboxes(
            torch.from_numpy(mask)[None], torch.tensor(frame[None]),
            torch.zeros(1, dtype=torch.long), 28, sampling_ratio=4)[0]
        ours = rbox_masks_in_frames(torch.tensor(gt[None]),
                                    torch.tensor(frame[None]), 28)[0]
        assert 100 < ours.sum() < 28 * 28  # the edge crosses the frame
        assert (ours != (crop > 0.5).float()).float().mean() < 0.02


def test_a_box_that_fills_the_frame_gives_zero_projection_loss():
    from mmdet.models.losses import DiceLoss
    dice = DiceLoss(use_sigmoid=True, activate=True, eps=5e-6)
    box = torch.tensor([[50., 40., 60., 12., 0.7]])
    targets = rbox_masks_in_frames(box, box, 28)
    assert targets.min() == 1.0
    perfect = torch.full((1, 28, 28), 20.0)
    assert projection_loss(dice, perfect, targets).item() < 1e-6
    shrunk = rbox_masks_in_frames(box * torch.tensor([1, 1, .5, 1, 1]), box,
                                  28)
    assert projection_loss(dice, perfect, shrunk).item() > 0.3


def test_outside_term_is_the_projection_zeros_per_cell():
    """The outside term is the mean -log(1 - p) over the cells outside the
    box, ~0 for the box itself as a mask, 0 for a box covering the grid,
    and (unlike the projection term) puts gradient on every outside cell."""
    from mmdet.models.losses import DiceLoss
    dice = DiceLoss(use_sigmoid=True, activate=True, eps=5e-6)
    box = torch.tensor([[50., 40., 60., 12., 0.7]])
    frame = box * torch.tensor([1., 1., 1.2, 2., 1.])
    targets = rbox_masks_in_frames(box, frame, 28)
    torch.manual_seed(0)
    logits = torch.randn(1, 28, 28, requires_grad=True)
    out = box_side_loss(logits, targets)
    p = logits.sigmoid()[targets == 0]
    assert torch.isclose(out[0], -(1 - p).log().mean(), atol=1e-5)
    assert box_side_loss(targets * 40 - 20, targets).item() < 1e-6
    assert box_side_loss(logits, torch.ones(1, 28, 28)).item() == 0.0
    out.sum().backward()
    assert bool((logits.grad[targets == 0] != 0).all())
    logits.grad = None
    projection_loss(dice, logits, targets).sum().backward()
    assert (logits.grad[targets == 0] != 0).sum() <= 2 * 28


def test_pairwise_terms_equal_a_direct_loop():
    torch.manual_seed(0)
    logits = torch.randn(2, 9, 9)
    lab = torch.randn(2, 3, 9, 9) * 10
    sim = colour_similarity(lab, 3, 2)
    dis = pairwise_disagreement(logits, 3, 2)
    probs = logits.sigmoid()
    offsets = [(dy, dx) for dy in (-2, 0, 2) for dx in (-2, 0, 2)
               if (dy, dx) != (0, 0)]
    for k in range(2):
        for n, (dy, dx) in enumerate(offsets):
            for y in range(9):
                for x in range(9):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < 9 and 0 <= xx < 9:
                        colour = lab[k, :, y, x] - lab[k, :, yy, xx]
                        p, q = probs[k, y, x], probs[k, yy, xx]
                        same = p * q + (1 - p) * (1 - q)
                    else:  # zero padding: neighbour LAB 0, log-probs 0
                        colour = lab[k, :, y, x]
                        same = torch.tensor(1.0)
                    assert torch.isclose(sim[k, n, y, x],
                                         torch.exp(-colour.norm() * 0.5),
                                         atol=1e-6)
                    assert torch.isclose(dis[k, n, y, x], -same.log(),
                                         atol=1e-5)


def test_lab_matches_scikit_image():
    from skimage.color import rgb2lab
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (2, 12, 12, 3)).astype(np.float64)
    rgb[0, 0, :3] = [[0, 0, 0], [255, 255, 255], [1, 1, 1]]
    ref = np.stack([rgb2lab(image / 255.) for image in rgb])
    ours = rgb_to_lab(torch.tensor(rgb).permute(0, 3, 1, 2))
    np.testing.assert_allclose(ours.permute(0, 2, 3, 1).numpy(), ref,
                               atol=1e-3)


def test_training_data_holds_rotated_boxes_and_no_mask(scenes):
    _, dataset = train_dataset(scenes, flip_prob=1.0)  # flipped every time
    with open(scenes / 'annotations/instances_train.json') as f:
        coco = json.load(f)
    by_image = {}
    for ann in coco['annotations']:
        by_image.setdefault(ann['image_id'], []).append(ann['rbox'])
    for i in range(4):
        item = dataset[i]
        sample = item['data_samples']
        assert 'masks' not in sample.gt_instances
        boxes = sample.gt_instances.bboxes
        assert isinstance(boxes, RotatedBoxes)
        direction = sample.flip_direction
        annotated = torch.tensor(by_image[sample.img_id])
        h, w = sample.img_shape
        expected = rbox_polygons(annotated)
        from shapely import affinity
        flipped = [
            affinity.scale(p, xfact=-1 if direction == 'horizontal' else 1,
                           yfact=-1 if direction == 'vertical' else 1,
                           origin=(w / 2, h / 2)) for p in expected]
        got = rbox_polygons(boxes.tensor)
        assert len(got) == len(flipped)
        ious = [a.intersection(b).area / a.union(b).area
                for a, b in zip(got, flipped)]
        assert min(ious) > 0.999, (direction, ious)


def test_a_bad_rbox_is_named_with_its_file(scenes, tmp_path):
    with open(scenes / 'annotations/instances_train.json') as f:
        coco = json.load(f)
    coco['annotations'][3]['rbox'] = [10, 10, float('nan'), 4, 0]
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(coco))
    cfg = Config.fromfile(CFG)
    dataset = cfg.train_dataloader.dataset
    dataset.update(data_root=str(scenes) + '/', ann_file=str(bad))
    with pytest.raises(ValueError, match=r'bad\.json: annotation .* rbox'):
        DATASETS.build(dataset)


@pytest.mark.slow
def test_trains_20_iterations_with_falling_loss_from_boxes_only(scenes):
    cfg, dataset = train_dataset(scenes, flip_prob=0.0)
    batches = [pseudo_collate([dataset[i] for i in range(k * 4, k * 4 + 4)])
               for k in range(2)]
    assert all('masks' not in s.gt_instances for b in batches
               for s in b['data_samples'])
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    mask_terms = []

    def record(_):
        inputs = model.data_preprocessor(copy.deepcopy(batches[0]), True)
        with torch.no_grad():
            losses = model(**inputs, mode='loss')
        mask_terms.append(losses['loss_mask_project'].item())

    losses = adamw_loss_history(model, batches, 20, after_step=record)
    assert np.mean(losses[-5:]) < 0.8 * np.mean(losses[:5])
    assert mask_terms[-1] < mask_terms[0]
    inputs = model.data_preprocessor(copy.deepcopy(batches[0]), True)
    assert {'loss_mask_project', 'loss_mask_pairwise'} <= set(
        model(**inputs, mode='loss'))


TEACHER_CFG = REPO_ROOT / ('projects/BoxTeacher/configs/rotated-boxteacher_'
                           'r18_fpn_cpu-tiny_synthetic-dense.py')


def stick_mask(rbox, size=128):
    """Pixels whose centres lie inside a rotated box, (size, size)."""
    return box_masks(torch.tensor([rbox]), size, size)[0]


def test_pseudo_masks_are_matched_by_rotated_iou_and_clipped():
    """Two crossing diagonal sticks: their axis-aligned envelopes are
    nearly the same box, so only rotated IoU tells which teacher mask
    belongs to which GT; each pseudo mask is clipped to its GT box."""
    gt = torch.tensor([[64., 64., 90., 8., math.pi / 4],
                       [64., 64., 90., 8., -math.pi / 4]])
    preds = gt[[1, 0]] + torch.tensor([1., 0., 4., 0., 0.02])
    masks = torch.stack([stick_mask(p.tolist()) for p in preds])
    masks[0, :3] = 1.0  # a stray row outside every GT box
    pseudo, weights = assign_pseudo_masks(preds, torch.tensor([0.9, 0.8]),
                                          masks, gt)
    assert (weights > 0).all()
    for g, p in ((0, 1), (1, 0)):
        expected = masks[p] * stick_mask(gt[g].tolist())
        assert torch.equal(pseudo[g], (expected > 0.5).float())
    assert pseudo[1, :3].sum() == 0


def test_pseudo_targets_land_in_the_rois_frame():
    """A teacher mask of a known stick, resampled into a positive RoI's
    frame, is the stick's own box drawn in that frame (but for cells its
    edge cuts)."""
    from mmengine.config import ConfigDict
    from mmengine.structures import InstanceData
    cfg = Config.fromfile(TEACHER_CFG)
    head = MODELS.build(cfg.model.detector.roi_head.mask_head)
    stick = [60., 70., 80., 10., 0.6]
    roi = torch.tensor([[62., 68., 86., 12., 0.55]])
    gt = InstanceData(pseudo_masks=stick_mask(stick)[None],
                      pseudo_mask_scores=torch.tensor([0.7]))
    res = InstanceData(pos_priors=RotatedBoxes(roi),
                       pos_assigned_gt_inds=torch.tensor([0]))
    targets, trust = head.pseudo_targets([res], [gt],
                                         ConfigDict(mask_size=28))
    expected = rbox_masks_in_frames(torch.tensor([stick]), roi, 28)
    assert trust.tolist() == [pytest.approx(0.7)]
    assert (targets != expected).float().mean() < 0.05
    assert targets.sum() > 0.5 * 28 * 28


def test_fill_boxes_pastes_each_detection_box():
    from mmengine.config import ConfigDict
    head = MODELS.build(Config.fromfile(CFG).model.roi_head.mask_head)
    boxes = torch.tensor([[40., 50., 60., 10., 0.3], [90., 80., 30., 8., -1.]])
    logits = torch.full((2, 3, 28, 28), -9.0)  # the mask branch says "none"
    cfg = ConfigDict(mask_thr_binary=0.5, mask_rbox_scale=1.05,
                     fill_boxes=True)
    masks = head._predict_by_feat_single(
        logits, boxes.clone(), torch.tensor([0, 2]),
        dict(img_shape=(128, 128)), cfg)
    expected = box_masks(boxes, 128, 128).bool()
    assert (masks != expected).sum() <= 0.05 * expected.sum()
    cfg.fill_boxes = False
    assert not head._predict_by_feat_single(
        logits, boxes.clone(), torch.tensor([0, 2]),
        dict(img_shape=(128, 128)), cfg).any()


@pytest.mark.slow
def test_rotated_boxteacher_trains_20_iterations_with_falling_loss(scenes):
    cfg = Config.fromfile(TEACHER_CFG)
    dataset = cfg.train_dataloader.dataset
    dataset.data_root = str(scenes) + '/'
    for t in dataset.pipeline:
        if t.type.endswith('Resize'):
            t.scale = (128, 128)
        if t.type.endswith('RandomFlip'):
            t.prob = 0.0
    data = DATASETS.build(dataset)
    batches = [pseudo_collate([data[i] for i in range(k * 4, k * 4 + 4)])
               for k in range(2)]
    assert all('masks' not in s.gt_instances for b in batches
               for s in b['data_samples']['student'])
    cfg.model.detector.roi_head.mask_head.pseudo_warmup_iters = 1
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    losses = train(model, batches)  # AdamW steps with the EMA hook
    assert np.mean(losses[-5:]) < 0.8 * np.mean(losses[:5])
    inputs = model.data_preprocessor(copy.deepcopy(batches[0]), True)
    terms = model(**inputs, mode='loss')
    assert {'loss_mask_project', 'loss_mask_pairwise', 'loss_mask',
            'loss_mask_affinity'} <= set(terms)
    assert terms['pseudo_matched_fraction'] > 0


def one_loss_step(cfg, batch):
    """One real optimiser step of a config's model on a collated batch (R-50
    from scratch: no download)."""
    cfg.model.detector.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    losses = adamw_loss_history(model, [batch], 1)
    assert np.isfinite(losses).all()
    return model


def small_pipeline(cfg, scale=(128, 128)):
    """The config's training pipeline at ``scale``, without flips."""
    pipeline = cfg.train_dataloader.dataset.pipeline
    for t in pipeline:
        if t.type.endswith('Resize'):
            t.scale = scale
        if t.type.endswith('RandomFlip'):
            t.prob = 0.0
    return pipeline


@pytest.mark.slow
def test_r50_rbox_config_takes_a_loss_step(scenes):
    cfg = Config.fromfile(REPO_ROOT / 'projects/BoxTeacher/configs/'
                          'rotated-boxteacher_r50_fpn_1x_ppc.py')
    dataset = cfg.train_dataloader.dataset
    dataset.data_root = str(scenes) + '/'
    small_pipeline(cfg)
    data = DATASETS.build(dataset)
    one_loss_step(cfg, pseudo_collate([data[0], data[1]]))


def write_dota(root, scenes):
    """The dense scenes' train split as DOTA: PNG images and one label file
    per image (four corners, a DOTA class name, difficulty 0)."""
    import cv2
    names = {0: 'small-vehicle', 1: 'large-vehicle', 2: 'ship'}
    with open(scenes / 'annotations/instances_train.json') as f:
        coco = json.load(f)
    (root / 'images').mkdir(parents=True)
    (root / 'annfiles').mkdir()
    cats = {c['id']: i for i, c in enumerate(coco['categories'])}
    for image in coco['images'][:2]:
        stem = f'P{image["id"]:04d}'
        cv2.imwrite(str(root / 'images' / f'{stem}.png'),
                    cv2.imread(str(scenes / image['file_name'])))
        anns = [a for a in coco['annotations']
                if a['image_id'] == image['id']]
        polys = rbox_polygons(torch.tensor([a['rbox'] for a in anns]))
        with open(root / 'annfiles' / f'{stem}.txt', 'w') as f:
            for ann, poly in zip(anns, polys):
                xy = np.array(poly.exterior.coords)[:4].ravel()
                f.write(' '.join(f'{v:.1f}' for v in xy) +
                        f' {names[cats[ann["category_id"]]]} 0\n')


@pytest.mark.slow
def test_dota_config_takes_a_loss_step(scenes, tmp_path):
    write_dota(tmp_path / 'trainval', scenes)
    cfg = Config.fromfile(REPO_ROOT / 'projects/BoxTeacher/configs/'
                          'rotated-boxteacher_r50_fpn_1x_dota.py')
    dataset = cfg.train_dataloader.dataset
    dataset.update(data_root=str(tmp_path) + '/', img_shape=(128, 128))
    small_pipeline(cfg)
    data = DATASETS.build(dataset)
    batch = pseudo_collate([data[0], data[1]])
    boxes = batch['data_samples']['student'][0].gt_instances.bboxes
    assert isinstance(boxes, RotatedBoxes) and len(boxes) > 0
    one_loss_step(cfg, batch)


def test_targets_and_colours_come_from_the_enlarged_frame():
    """With mask_rbox_scale (1.2, 2.0) a RoI equal to its GT box sees the
    box as the middle band of its 28 x 28 frame: rows 7-20 (|v| <= h / 2
    of a 2h-high frame) and columns 2-25 (|u| <= w / 2 of a 1.2w-long
    one); the LAB crop comes from the same frame."""
    from mmengine.config import ConfigDict
    from mmengine.structures import InstanceData
    head = MODELS.build(Config.fromfile(CFG).model.roi_head.mask_head)
    box = torch.tensor([[64., 64., 80., 12., 0.4]])
    res = InstanceData(pos_priors=RotatedBoxes(box),
                       pos_assigned_gt_inds=torch.tensor([0]))
    gt = InstanceData(bboxes=RotatedBoxes(box))
    cfg = ConfigDict(mask_size=28, mask_rbox_scale=(1.2, 2.0))
    targets = head.get_targets([res], [gt], cfg)[0]
    expected = torch.zeros(28, 28)
    expected[7:21, 2:26] = 1
    assert torch.equal(targets, expected)
    # a LAB image that is 1 inside the box and 0 outside
    lab = box_masks(box, 128, 128)[0].expand(3, 128, 128)
    gt.set_metainfo(dict(lab_image=lab))
    colours = head.frame_colours([res], [gt], cfg)[0, 0]
    assert (colours[expected.bool()] > 0.4).float().mean() > 0.9
    assert (colours[~expected.bool()] < 0.6).float().mean() > 0.9


def test_only_frames_holding_the_whole_box_teach_the_mask():
    """Of two positive RoIs of one GT box, the one equal to the box holds
    it in its (1.2, 2.0) frame and gets gradient; the half-length piece,
    whose frame the box overruns (all-ones projections), gets none, unless
    whole_box_frames_only=False; frames not enlarged are refused."""
    from mmengine.config import ConfigDict
    from mmengine.structures import InstanceData
    from projects.BoxTeacher.boxteacher.rotated_box_supervised_mask_head \
        import whole_box_in_frame
    box = torch.tensor([[64., 64., 80., 12., 0.4]])
    piece = box * torch.tensor([1., 1., .5, 1., 1.])
    res = InstanceData(pos_priors=RotatedBoxes(torch.cat([box, piece])),
                       pos_assigned_gt_inds=torch.tensor([0, 0]),
                       pos_gt_labels=torch.tensor([1, 1]))
    gt = InstanceData(bboxes=RotatedBoxes(box))
    gt.set_metainfo(dict(lab_image=torch.rand(3, 128, 128) * 50))
    cfg = ConfigDict(mask_size=28, mask_rbox_scale=(1.2, 2.0))
    head_cfg = Config.fromfile(CFG).model.roi_head.mask_head
    for whole_only, grads in ((True, [True, False]), (False, [True, True])):
        head = MODELS.build(dict(head_cfg, whole_box_frames_only=whole_only))
        targets = head.get_targets([res], [gt], cfg)
        assert whole_box_in_frame(targets).tolist() == [1.0, 0.0]
        logits = torch.randn(2, 3, 28, 28, requires_grad=True)
        losses = head.loss_and_target(logits, [res], [gt], cfg)['loss_mask']
        losses['loss_mask_project'].backward()
        assert [bool(g.abs().sum() > 0) for g in logits.grad] == grads
    with pytest.raises(ValueError, match='mask_rbox_scale'):
        head = MODELS.build(head_cfg)
        head.loss_and_target(logits, [res], [gt], ConfigDict(mask_size=28))


def test_roi_head_enlarges_training_rois_by_train_cfg():
    cfg = Config.fromfile(CFG)
    roi_head = MODELS.build(
        dict(cfg.model.roi_head, train_cfg=cfg.model.train_cfg.rcnn,
             test_cfg=cfg.model.test_cfg.rcnn))
    seen = []
    roi_head.mask_roi_extractor.forward = \
        lambda feats, rois, *a, **k: seen.append(rois) or torch.zeros(
            len(rois), 64, 14, 14)
    rois = torch.tensor([[0., 64., 64., 80., 12., 0.4]])
    feats = [torch.zeros(1, 64, 32, 32)] * 4
    roi_head.train()
    roi_head._mask_forward(feats, rois)
    roi_head.eval()
    roi_head._mask_forward(feats, rois)
    for got in seen:
        assert torch.allclose(got[0, 3:5], torch.tensor([96., 24.]))
    assert torch.equal(rois, torch.tensor([[0., 64., 64., 80., 12., 0.4]]))
