"""Colour-only student augmentations keep geometry and follow torchvision's
definitions; DropInstanceMasks removes every mask label."""
import numpy as np
import pytest

from projects.BoxTeacher.boxteacher import (ColorJitter, DropInstanceMasks,
                                            RandomGaussianBlur)


@pytest.fixture
def image():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)


def test_zero_strength_jitter_is_the_identity(image):
    out = ColorJitter(0, 0, 0, 0)(dict(img=image.copy()))['img']
    assert np.array_equal(out, image)


def test_brightness_scales_pixels_within_its_range(image):
    np.random.seed(0)
    for _ in range(10):
        out = ColorJitter(0.4, 0, 0, 0)(dict(img=image.copy()))['img']
        assert out.shape == image.shape and out.dtype == np.uint8
        bright = image > 20
        ratio = out[bright] / image[bright]
        assert ratio.min() > 0.6 - 0.03 and ratio.max() < 1.4 + 0.03
        assert np.ptp(ratio[(out[bright] < 250)]) < 0.06  # one factor


def test_saturation_and_hue_leave_gray_pixels_gray():
    gray = np.full((4, 4, 3), 128, np.uint8)
    np.random.seed(1)
    out = ColorJitter(0, 0, 0.4, 0.1)(dict(img=gray.copy()))['img']
    assert np.abs(out.astype(int) - 128).max() <= 1


def test_hue_shift_changes_colour_not_brightness_of_a_pure_colour():
    red = np.zeros((2, 2, 3), np.uint8)
    red[..., 2] = 200  # BGR red
    np.random.seed(3)
    out = ColorJitter(0, 0, 0, 0.5)(dict(img=red.copy()))['img']
    assert out.max() == 200 and not np.array_equal(out, red)


def test_blur_keeps_shape_and_prob_zero_is_identity(image):
    assert np.array_equal(
        RandomGaussianBlur(prob=0.0)(dict(img=image.copy()))['img'], image)
    out = RandomGaussianBlur(prob=1.0)(dict(img=image.copy()))['img']
    assert out.shape == image.shape
    assert out.astype(float).var() < image.astype(float).var()


@pytest.mark.parametrize('make', [
    lambda: ColorJitter(-0.1), lambda: ColorJitter(hue=0.6),
    lambda: RandomGaussianBlur(kernel_size=4),
    lambda: RandomGaussianBlur(prob=1.5)
])
def test_bad_arguments_are_errors(make):
    with pytest.raises(ValueError):
        make()


def test_drop_instance_masks_keeps_boxes_only():
    results = dict(
        instances=[
            dict(bbox=[0, 0, 4, 4], bbox_label=1, ignore_flag=0,
                 mask=[[0, 0, 4, 0, 4, 4]])
        ],
        gt_masks=object())
    out = DropInstanceMasks()(results)
    assert out['instances'] == [dict(bbox=[0, 0, 4, 4], bbox_label=1,
                                     ignore_flag=0)]
    assert 'gt_masks' not in out
