"""Inference input in every form a camera or a user gives it."""
import cv2
import numpy as np
import pytest

from mmrot_ext.apis import load_image, to_bgr_uint8


def test_grayscale_becomes_three_equal_channels():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for image in (gray, gray[..., None]):
        out = to_bgr_uint8(image)
        assert out.shape == (3, 4, 3) and out.dtype == np.uint8
        assert (out == gray[..., None]).all()


def test_alpha_is_dropped_and_uint8_passes_unchanged():
    bgra = np.random.RandomState(0).randint(0, 256, (5, 6, 4), np.uint8)
    assert (to_bgr_uint8(bgra) == bgra[..., :3]).all()
    bgr = bgra[..., :3].copy()
    assert to_bgr_uint8(bgr) is not None and (to_bgr_uint8(bgr) == bgr).all()


@pytest.mark.parametrize('peak, bits', [(4095, 12), (65535, 16)])
def test_high_bit_depth_is_scaled_with_a_warning(peak, bits):
    image = np.array([[0, peak // 2, peak]], np.uint16)
    with pytest.warns(UserWarning, match=f'{bits}-bit values scaled'):
        out = to_bgr_uint8(image, 'cam.png')
    assert out[0, :, 0].tolist() == [0, 127, 255]


def test_float_images_are_scaled_or_rejected():
    with pytest.warns(UserWarning, match=r'float image in \[0, 1\].*x255'):
        out = to_bgr_uint8(np.array([[0.0, 0.5, 1.0]], np.float32))
    assert out[0, :, 0].tolist() == [0, 128, 255]
    with pytest.warns(UserWarning, match='x1'):
        assert to_bgr_uint8(np.array([[3.0, 200.0]]))[0, :, 0].tolist() == \
            [3, 200]
    for bad in ([[-1.0, 0.5]], [[0.0, 300.0]], [[np.nan, 1.0]]):
        with pytest.raises(ValueError, match='x.tif: float image with '
                           'values in'):
            to_bgr_uint8(np.array(bad), 'x.tif')


@pytest.mark.parametrize('image, message', [
    (np.zeros((4, 4, 2), np.uint8), r'got shape \(4, 4, 2\)'),
    (np.zeros((0, 4), np.uint8), r'got shape \(0, 4, 3\)'),
    (np.zeros((4, 4), bool), 'unsupported pixel type bool'),
])
def test_unusable_arrays_are_errors(image, message):
    with pytest.raises(ValueError, match='arr: .*' + message):
        to_bgr_uint8(image, 'arr')


def test_load_image_reads_gray_16_bit_and_names_bad_files(tmp_path):
    cv2.imwrite(str(tmp_path / 'g.png'), np.full((4, 5), 2000, np.uint16))
    with pytest.warns(UserWarning, match='12-bit'):
        image = load_image(str(tmp_path / 'g.png'))
    assert image.shape == (4, 5, 3) and image.max() == 2000 >> 4
    (tmp_path / 'e.jpg').write_bytes(b'')
    with pytest.raises(ValueError, match=r'e\.jpg: file is empty'):
        load_image(str(tmp_path / 'e.jpg'))
    (tmp_path / 't.jpg').write_bytes(b'\xff\xd8\xff\xe0garbage')
    with pytest.raises(ValueError, match=r't\.jpg: cannot be decoded'):
        load_image(str(tmp_path / 't.jpg'))
