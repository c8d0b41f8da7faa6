"""GT boxes recomputed from augmented masks stay consistent with them."""
import cv2
import numpy as np
import pytest
import torch
from mmdet.structures.mask import BitmapMasks
from mmengine.registry import TRANSFORMS
from mmrotate.structures.bbox import RotatedBoxes, rbox2qbox


@pytest.fixture(autouse=True)
def default_scope():
    from mmengine.registry import init_default_scope
    init_default_scope('mmrotate')


def sample(size=96, seed=0):
    """Image, three rotated-stick masks (one empty) and their annotations."""
    rng = np.random.default_rng(seed)
    masks = np.zeros((3, size, size), np.uint8)
    for k in range(2):
        pts = cv2.boxPoints(((rng.uniform(30, 60), rng.uniform(30, 60)),
                             (60, 8), rng.uniform(-90, 90)))
        cv2.fillPoly(masks[k], [np.round(pts).astype(np.int32)], 1)
    bitmaps = BitmapMasks(masks, size, size)
    return dict(
        img=rng.integers(0, 255, (size, size, 3), dtype=np.uint8),
        img_shape=(size, size),
        gt_masks=bitmaps,
        gt_bboxes=bitmaps.get_bboxes(dst_type='hbox'),
        gt_bboxes_labels=np.array([0, 1, 2]),
        gt_ignore_flags=np.array([False, True, False]))


def inside_fraction(mask, rbox):
    """Fraction of the mask's pixel centres inside the rotated box."""
    corners = rbox2qbox(torch.as_tensor(rbox)[None]).numpy().reshape(4, 2)
    poly = corners.astype(np.float32)
    ys, xs = np.nonzero(mask)
    inside = [cv2.pointPolygonTest(poly, (float(x) + 0.5, float(y) + 0.5),
                                   True) >= -0.01 for x, y in zip(xs, ys)]
    return float(np.mean(inside))


def test_empty_mask_is_dropped_with_its_label_and_flag():
    results = TRANSFORMS.build(dict(type='BoxesFromMasks'))(sample())
    assert isinstance(results['gt_bboxes'], RotatedBoxes)
    assert len(results['gt_bboxes']) == len(results['gt_masks']) == 2
    assert results['gt_bboxes_labels'].tolist() == [0, 1]
    assert results['gt_ignore_flags'].tolist() == [False, True]


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_rotate_and_flip_keep_masks_and_rboxes_consistent(seed):
    pipeline = [
        TRANSFORMS.build(dict(type='mmdet.RandomFlip', prob=1.0,
                              direction='diagonal')),
        TRANSFORMS.build(dict(type='RandomRotate', prob=1.0,
                              angle_range=180)),
        TRANSFORMS.build(dict(type='BoxesFromMasks', box_type='rbox')),
    ]
    np.random.seed(seed)
    results = sample(seed=seed)
    for t in pipeline:
        results = t(results)
    masks = results['gt_masks'].to_ndarray()
    rboxes = results['gt_bboxes'].tensor
    assert len(masks) == len(rboxes) >= 1
    for mask, rbox in zip(masks, rboxes):
        assert inside_fraction(mask, rbox) == 1.0
        # tight: the mask fills most of its rotated box
        assert mask.sum() / float(rbox[2] * rbox[3]) > 0.6


def test_hbox_mode_gives_tight_axis_aligned_boxes():
    results = TRANSFORMS.build(dict(type='BoxesFromMasks', box_type='hbox'))(
        sample())
    boxes = results['gt_bboxes'].tensor
    for mask, box in zip(results['gt_masks'].to_ndarray(), boxes):
        ys, xs = np.nonzero(mask)
        assert box.tolist() == [xs.min(), ys.min(), xs.max() + 1,
                                ys.max() + 1]


def test_no_instances():
    results = sample()
    results['gt_masks'] = results['gt_masks'][[]]
    for key in ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignore_flags'):
        results[key] = results[key][[]]
    results = TRANSFORMS.build(dict(type='BoxesFromMasks'))(results)
    assert results['gt_bboxes'].tensor.shape == (0, 5)


def test_unknown_box_type():
    with pytest.raises(ValueError, match='box_type'):
        TRANSFORMS.build(dict(type='BoxesFromMasks', box_type='qbox'))
