import cv2
import numpy as np
import pytest
import torch
from mmcv.ops import box_iou_rotated
from mmrotate.structures.bbox import rbox2qbox

from mmrot_ext.structures import mask_to_rbox, masks_to_rboxes


def rasterise(rbox, size=160):
    """Binary mask of a rotated box (cx, cy, w, h, theta)."""
    corners = rbox2qbox(torch.tensor([rbox], dtype=torch.float32))
    poly = corners.numpy().reshape(4, 2) - 0.5  # pixel centres
    mask = np.zeros((size, size), np.uint8)
    cv2.fillPoly(mask, [np.round(poly * 16).astype(np.int32)], 1,
                 cv2.LINE_8, shift=4)
    return mask


@pytest.mark.parametrize('degrees', [-80, -45, -10, 0, 25, 60, 89])
def test_rbox_of_rasterised_rectangle_matches_it(degrees):
    truth = [80.0, 80.0, 90.0, 30.0, np.deg2rad(degrees)]
    rbox = masks_to_rboxes(rasterise(truth)[None])[0]
    iou = box_iou_rotated(
        torch.from_numpy(rbox[None]), torch.tensor([truth]).float())
    assert iou.item() > 0.9
    # same orientation modulo pi (le90: the long side is w)
    diff = (rbox[4] - truth[4] + np.pi / 2) % np.pi - np.pi / 2
    assert abs(diff) < np.deg2rad(3)
    assert np.allclose(rbox[:2], truth[:2], atol=1.0)


def test_le90_form():
    rng = np.random.default_rng(0)
    masks = []
    for _ in range(20):
        truth = [80, 80, rng.uniform(10, 100), rng.uniform(5, 60),
                 rng.uniform(-np.pi, np.pi)]
        masks.append(rasterise(truth))
    rboxes = masks_to_rboxes(np.stack(masks))
    assert rboxes.shape == (20, 5) and rboxes.dtype == np.float32
    assert (rboxes[:, 2] >= rboxes[:, 3]).all()
    assert (rboxes[:, 4] >= -np.pi / 2).all()
    assert (rboxes[:, 4] < np.pi / 2).all()


def test_rbox_covers_every_mask_pixel():
    mask = rasterise([80, 80, 100, 12, 0.4])
    rbox = masks_to_rboxes(mask[None])[0]
    # grow by half a pixel for rasterisation of the box itself
    grown = rbox.copy()
    grown[2:4] += 1.0
    covered = rasterise(grown.tolist()) > 0
    assert covered[mask > 0].mean() == 1.0


def test_one_pixel_line_has_unit_height():
    mask = np.zeros((20, 40), np.uint8)
    mask[5, 3:30] = 1
    cx, cy, w, h, t = masks_to_rboxes(mask[None])[0]
    assert (w, h) == pytest.approx((27, 1))
    assert (cx, cy) == pytest.approx((16.5, 5.5))
    assert t == pytest.approx(0, abs=1e-6) or abs(t) == pytest.approx(
        np.pi / 2)


def test_empty_mask_raises():
    with pytest.raises(ValueError, match='empty mask'):
        mask_to_rbox(np.zeros((10, 10), np.uint8))
    assert masks_to_rboxes(np.zeros((0, 10, 10))).shape == (0, 5)
