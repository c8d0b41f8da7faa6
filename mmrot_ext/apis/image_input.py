"""Images for DetInferencer in the form its models were trained on.

mmdet's ``DetInferencer`` takes a path or an (H, W, 3) uint8 BGR array and
crashes deep inside on a 2-D grayscale array, and runs "fine" on garbage
for float images in [0, 1] or 12-bit data in 16-bit files. These helpers
convert what has one sensible reading, warn when they rescale, and raise a
``ValueError`` naming the image for what has none.
"""
import warnings

import cv2
import numpy as np

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif',
                    '.tiff')


def to_bgr_uint8(image, name='image'):
    """(H, W, 3) uint8 BGR version of ``image``.

    * (H, W) or (H, W, 1) grayscale: repeated to three channels;
      (H, W, 4): alpha dropped.
    * uint16: scaled to 8 bits by its bit depth, 12 bits if no value exceeds
      4095 (camera data), else 16 (warns).
    * float: values in [0, 1] scaled by 255, values in [0, 255] rounded
      (warns); anything else (negative, above 255, NaN) is an error.
    * other dtypes (bool, int32, ...) are an error.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) == 0:
        raise ValueError(f'{name}: expected an (H, W), (H, W, 1), (H, W, 3) '
                         f'or (H, W, 4) image, got shape {image.shape}')
    if image.dtype == np.uint8:
        return np.ascontiguousarray(image)
    if image.dtype == np.uint16:
        bits = 12 if image.max() <= 4095 else 16
        warnings.warn(f'{name}: 16-bit image with {bits}-bit values scaled '
                      f'to 8 bits (divided by {2 ** (bits - 8)})')
        return (image >> (bits - 8)).astype(np.uint8)
    if np.issubdtype(image.dtype, np.floating):
        low, high = float(np.min(image)), float(np.max(image))
        if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or \
                high > 255:
            raise ValueError(f'{name}: float image with values in '
                             f'[{low}, {high}]; expected [0, 1] or [0, 255]')
        scale = 255.0 if high <= 1.0 else 1.0
        warnings.warn(f'{name}: float image in [{low:g}, {high:g}] '
                      f'converted to uint8 (x{scale:g})')
        return np.round(image * scale).astype(np.uint8)
    raise ValueError(f'{name}: unsupported pixel type {image.dtype}; expected '
                     f'uint8, uint16 or float')


def load_image(path):
    """Read an image file as (H, W, 3) uint8 BGR (see :func:`to_bgr_uint8`);
    ``ValueError`` naming the file if it is empty or cannot be decoded."""
    with open(path, 'rb') as f:
        data = f.read()
    if not data:
        raise ValueError(f'{path}: file is empty (0 bytes)')
    # any depth and channel count, EXIF orientation applied (as mmcv does)
    image = cv2.imdecode(np.frombuffer(data, np.uint8),
                         cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR)
    if image is None:
        raise ValueError(f'{path}: cannot be decoded (truncated or not an '
                         f'image)')
    return to_bgr_uint8(image, path)
