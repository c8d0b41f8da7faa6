"""Synthetic ambiguous scenes: apparel in polybags, piled in a tote.

The Latent-MaskRCNN case: one class, soft deformable items whose
neighbours often share a colour and touch, under glossy polybags (glare
streaks, partial transparency showing the item below, crinkles), so where
one instance ends is genuinely uncertain. Masks are the visible parts.

``render_bag_scene(rng, cfg)`` follows the renderer contract of
``mmrot_ext.datasets.synthetic.write_coco_dataset``:
(image (H, W, 3) uint8 BGR, owner map
(H, W) int32 with -1 for background, category ids (N,), full areas (N,)).
"""
import dataclasses

import cv2
import numpy as np

from mmrot_ext.datasets.synthetic import write_coco_dataset

BAG_CATEGORIES = [dict(id=1, name='object')]
# garment colours (BGR); few on purpose, so neighbours often match
_GARMENTS = [(40, 40, 45), (200, 200, 205), (120, 60, 30), (60, 60, 150),
             (150, 150, 150), (40, 90, 40)]


@dataclasses.dataclass
class BagSceneConfig:
    """How an ambiguous bag scene is drawn.

    ``num_items`` per image; ``same_colour_prob``: chance an item copies the
    colour of the previous one; ``glare`` streaks per item (range);
    ``transparency``: opacity range of the top item's bag over what lies
    below it near its edges.
    """
    width: int = 256
    height: int = 256
    num_items: tuple = (5, 10)
    same_colour_prob: float = 0.6
    glare: tuple = (1, 3)
    transparency: tuple = (0.55, 0.85)
    min_visible_area: int = 60
    min_visible_fraction: float = 0.1

    def __post_init__(self):
        lo, hi = self.num_items
        if not 1 <= lo <= hi:
            raise ValueError(f'num_items must be 1 <= lo <= hi, got '
                             f'{self.num_items}')


def _blob(rng, centre, radius, points=64):
    """A soft deformable outline: a radius with random low harmonics."""
    t = np.linspace(0, 2 * np.pi, points, endpoint=False)
    r = np.ones_like(t)
    for k in range(2, 6):
        r += rng.normal(0, 0.12 / k * 2) * np.cos(k * t + rng.uniform(0,
                                                                      6.3))
    aspect = rng.uniform(0.6, 1.0)
    angle = rng.uniform(0, np.pi)
    x, y = r * np.cos(t) * radius, r * np.sin(t) * radius * aspect
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([c * x - s * y, s * x + c * y], 1) + centre


def _item(rng, h, w, colour):
    """Fill image and mask of one bagged item."""
    centre = rng.uniform([0.15 * w, 0.15 * h], [0.85 * w, 0.85 * h])
    radius = rng.uniform(0.14, 0.24) * min(h, w)
    outline = _blob(rng, centre, radius)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(outline * 4).astype(np.int32)], 1,
                 cv2.LINE_8, shift=2)
    # fabric: folds as smooth shading bands
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, np.pi)
    folds = np.sin((xx * np.cos(a) + yy * np.sin(a)) *
                   rng.uniform(0.05, 0.15)) * rng.uniform(0.05, 0.2)
    fill = np.array(colour, np.float32)[None, None] * (1 + folds[..., None])
    return fill, mask.astype(bool), outline


def _glare(rng, h, w, outline, mask, count):
    """Bright specular streaks on a bag: (H, W) float gain >= 0."""
    glare = np.zeros((h, w), np.float32)
    lo, hi = outline.min(0), outline.max(0)
    for _ in range(count):
        p0 = rng.uniform(lo, hi)
        p1 = p0 + rng.normal(0, 0.25, 2) * (hi - lo)
        cv2.line(glare, tuple(np.round(p0).astype(int).tolist()),
                 tuple(np.round(p1).astype(int).tolist()), 1.0,
                 int(rng.integers(2, 6)))
    glare = cv2.GaussianBlur(glare, (0, 0), 2.0) * mask
    return glare * rng.uniform(0.8, 1.6)


def render_bag_scene(rng, cfg):
    """Draw one tote of bagged items; see the module docstring."""
    h, w = cfg.height, cfg.width
    # tote floor: grey plastic with a little texture
    base = rng.uniform(90, 170)
    noise = cv2.resize(rng.random((8, 8), dtype=np.float32), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    img = np.repeat((base * (0.85 + 0.3 * noise))[..., None], 3, 2)
    owner = np.full((h, w), -1, np.int32)
    n = int(rng.integers(cfg.num_items[0], cfg.num_items[1] + 1))
    colour = _GARMENTS[rng.integers(len(_GARMENTS))]
    full_areas = []
    for index in range(n):
        if rng.random() >= cfg.same_colour_prob:
            colour = _GARMENTS[rng.integers(len(_GARMENTS))]
        fill, mask, outline = _item(rng, h, w, colour)
        # partial transparency: near its edge the bag shows what is below
        edge = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
        opacity = np.clip(edge / rng.uniform(3, 8), 0, 1) * \
            (1 - rng.uniform(*cfg.transparency)) + rng.uniform(
                *cfg.transparency)
        alpha = (opacity * mask)[..., None]
        img = img * (1 - alpha) + fill * alpha
        glare = _glare(rng, h, w, outline, mask,
                       int(rng.integers(cfg.glare[0], cfg.glare[1] + 1)))
        img = img + glare[..., None] * 120
        owner[mask] = index
        full_areas.append(int(mask.sum()))
    # crinkle noise and a soft blur over everything
    img += rng.normal(0, 4, img.shape)
    img = cv2.GaussianBlur(img.astype(np.float32), (3, 3), 0.7)
    cats = np.ones(n, np.int64)
    return (np.clip(img, 0, 255).astype(np.uint8), owner, cats,
            np.array(full_areas, np.int64), None)


def write_bag_dataset(out_dir, splits, cfg=None, seed=0, workers=None):
    """Render and write an ambiguous bag-scene COCO dataset."""
    return write_coco_dataset(out_dir, splits, render_bag_scene,
                              cfg or BagSceneConfig(), BAG_CATEGORIES,
                              seed=seed, workers=workers)
