"""Colour-only augmentations for the student view (torchvision semantics,
which the original used); geometry is untouched so both views share boxes.
Images are BGR uint8 (H, W, 3), as in mmdet pipelines."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmrot_ext.registry import DET_TRANSFORMS


def _gray(img: np.ndarray) -> np.ndarray:
    """(H, W, 1) luma of a BGR float image (ITU-R 601, as torchvision)."""
    return (0.114 * img[..., 0] + 0.587 * img[..., 1] +
            0.299 * img[..., 2])[..., None]


@DET_TRANSFORMS.register_module()
class ColorJitter(BaseTransform):
    """Random brightness, contrast, saturation and hue in random order, as
    ``torchvision.transforms.ColorJitter``.

    Each factor is drawn uniformly from [1 - v, 1 + v] (hue: a shift of
    [-v, v] of the colour wheel); a value of 0 disables that change.
    Modified key: ``img``.
    """

    def __init__(self,
                 brightness: float = 0.4,
                 contrast: float = 0.4,
                 saturation: float = 0.4,
                 hue: float = 0.1) -> None:
        if min(brightness, contrast, saturation, hue) < 0 or hue > 0.5:
            raise ValueError('ColorJitter needs non-negative strengths and '
                             f'hue <= 0.5, got {brightness}, {contrast}, '
                             f'{saturation}, {hue}')
        self.strengths = dict(
            brightness=brightness,
            contrast=contrast,
            saturation=saturation,
            hue=hue)

    def transform(self, results: dict) -> dict:
        img = results['img'].astype(np.float32)
        for name in np.random.permutation(list(self.strengths)):
            v = self.strengths[name]
            if v == 0:
                continue
            if name == 'hue':
                shift = np.random.uniform(-v, v)
                hsv = cv2.cvtColor(img / 255., cv2.COLOR_BGR2HSV)
                hsv[..., 0] = (hsv[..., 0] + shift * 360.) % 360.
                img = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR) * 255.
            else:
                f = np.random.uniform(max(0., 1 - v), 1 + v)
                if name == 'brightness':
                    ref = 0.
                elif name == 'contrast':
                    ref = float(_gray(img).mean())
                else:
                    ref = _gray(img)
                img = img * f + ref * (1 - f)
            img = np.clip(img, 0, 255)
        results['img'] = img.round().astype(np.uint8)
        return results

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v}' for k, v in self.strengths.items())
        return f'{type(self).__name__}({args})'


@DET_TRANSFORMS.register_module()
class RandomGaussianBlur(BaseTransform):
    """Gaussian blur with probability ``prob``, sigma ~ U(sigma_min,
    sigma_max) (torchvision's ``GaussianBlur(kernel_size)`` defaults).
    Modified key: ``img``."""

    def __init__(self,
                 prob: float = 0.5,
                 kernel_size: int = 3,
                 sigma: tuple = (0.1, 2.0)) -> None:
        if kernel_size % 2 != 1 or not 0 <= prob <= 1:
            raise ValueError('RandomGaussianBlur needs an odd kernel_size and '
                             f'prob in [0, 1], got {kernel_size}, {prob}')
        self.prob = prob
        self.kernel_size = kernel_size
        self.sigma = sigma

    def transform(self, results: dict) -> dict:
        if np.random.rand() < self.prob:
            s = np.random.uniform(*self.sigma)
            k = self.kernel_size
            results['img'] = cv2.GaussianBlur(results['img'], (k, k), s)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'kernel_size={self.kernel_size}, sigma={self.sigma})')
