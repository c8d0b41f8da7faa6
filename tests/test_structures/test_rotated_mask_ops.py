import cv2
import numpy as np
import pytest
import torch

from mmrot_ext.structures import masks_to_rboxes
from mmrot_ext.structures.rotated_mask_ops import (
    crop_masks_to_rboxes,
    paste_masks_from_rboxes,
)


def random_rotated_masks(n, size=128, seed=0):
    """Filled rotated rectangles and ellipses, many of them thin."""
    rng = np.random.default_rng(seed)
    masks = np.zeros((n, size, size), np.uint8)
    for k in range(n):
        cx, cy = rng.uniform(40, size - 40, 2)
        a, b = rng.uniform(12, 40), rng.uniform(3, 14)
        t = rng.uniform(-90, 90)
        if k % 2:
            cv2.ellipse(masks[k], (int(cx), int(cy)), (int(a), int(b)), t, 0,
                        360, 1, -1)
        else:
            pts = cv2.boxPoints(((cx, cy), (2 * a, 2 * b), t))
            cv2.fillPoly(masks[k], [np.round(pts).astype(np.int32)], 1)
    return torch.from_numpy(masks)


def test_crop_then_paste_reproduces_rotated_masks():
    masks = random_rotated_masks(40)
    rboxes = torch.from_numpy(masks_to_rboxes(masks.numpy()))
    crops = crop_masks_to_rboxes(masks, rboxes, torch.arange(40), 28)
    assert crops.shape == (40, 28, 28)
    pasted = paste_masks_from_rboxes((crops >= 0.5).float(), rboxes,
                                     (128, 128))
    truth = masks.bool()
    iou = (pasted & truth).flatten(1).sum(1) / \
        (pasted | truth).flatten(1).sum(1)
    assert iou.mean() >= 0.95
    assert iou.min() >= 0.9


def test_crop_fills_the_frame_of_a_rectangle_along_its_axis():
    mask = np.zeros((128, 128), np.uint8)
    pts = cv2.boxPoints(((64.0, 60.0), (80.0, 24.0), 30.0))
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)
    masks = torch.from_numpy(mask)[None]
    rboxes = torch.from_numpy(masks_to_rboxes(masks.numpy()))
    crop = crop_masks_to_rboxes(masks, rboxes, torch.zeros(1).long(), 28)[0]
    # the whole frame lies on the object, up to soft edge cells
    assert crop[3:-3, 3:-3].min() > 0.99
    assert crop.mean() > 0.9


def test_crop_follows_mask_index_per_box():
    masks = torch.zeros(2, 64, 64)
    masks[0, 10:20, 10:50] = 1
    masks[1, 40:50, 10:50] = 1
    rbox = torch.tensor([[30., 15., 40., 10., 0.]])
    crops = crop_masks_to_rboxes(masks, rbox.repeat(2, 1),
                                 torch.tensor([0, 1]), 14)
    # bilinear samples soften only the outermost cells
    assert crops[0, 2:-2, 2:-2].min() > 0.99 and crops[0].min() > 0.5
    assert crops[1].max() == 0


def test_paste_is_chunked_and_soft_output_available(monkeypatch):
    from mmrot_ext.structures import rotated_mask_ops
    masks = random_rotated_masks(6)
    rboxes = torch.from_numpy(masks_to_rboxes(masks.numpy()))
    crops = crop_masks_to_rboxes(masks, rboxes, torch.arange(6), 28)
    whole = paste_masks_from_rboxes(crops, rboxes, (128, 128))
    monkeypatch.setattr(rotated_mask_ops, '_PASTE_CHUNK_ELEMENTS',
                        2 * 128 * 128)
    assert torch.equal(paste_masks_from_rboxes(crops, rboxes, (128, 128)),
                       whole)
    soft = paste_masks_from_rboxes(crops, rboxes, (128, 128), threshold=-1)
    assert soft.dtype == torch.float32 and 0 <= soft.min() <= soft.max() <= 1
    assert torch.equal(soft >= 0.5, whole)


def test_empty_inputs():
    masks = torch.zeros(1, 32, 32)
    crops = crop_masks_to_rboxes(masks, torch.zeros(0, 5),
                                 torch.zeros(0).long(), 28)
    assert crops.shape == (0, 28, 28)
    assert paste_masks_from_rboxes(crops, torch.zeros(0, 5),
                                   (32, 32)).shape == (0, 32, 32)


@pytest.mark.parametrize('theta', [0.0, 0.7, -1.2])
def test_paste_of_full_mask_is_the_rotated_box(theta):
    rbox = torch.tensor([[32., 32., 30., 10., theta]])
    pasted = paste_masks_from_rboxes(torch.ones(1, 28, 28), rbox, (64, 64))
    assert pasted.sum().item() == pytest.approx(300, rel=0.08)
    assert pasted[0, 32, 32]
