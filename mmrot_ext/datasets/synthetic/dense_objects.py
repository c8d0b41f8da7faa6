"""Synthetic dense scenes of elongated objects: pens, pencils, chopsticks.

The embedded default dataset (nothing can be downloaded here). Objects lie
side by side in bundles and cross each other, so their axis-aligned boxes
overlap heavily while their rotated boxes do not: the case Rotated Mask R-CNN
exists for. Masks are the visible parts after occlusion.

``render_dense_scene(rng, cfg)`` returns an image (H, W, 3) uint8 BGR and an
``owner`` map (H, W) int32 (index of the topmost object per pixel, -1 for
background) with the category id of every object and two keypoints per
object, ``tip`` (pen: writing tip; pencil: sharpened tip; chopstick: thin
end) and ``end`` (cap end, eraser end, thick end): the ends of the object's
axis, whichever is hidden.
"""
import dataclasses
import math

import cv2
import numpy as np

from ..ppc_dataset import PPCDataset
from .coco_writer import write_coco_dataset

CLASSES = PPCDataset.METAINFO['classes']
PEN, PENCIL, CHOPSTICK = 1, 2, 3  # COCO category ids

# length and width as fractions of the image's shorter side
_LENGTH = {PEN: (0.42, 0.62), PENCIL: (0.40, 0.66), CHOPSTICK: (0.68, 0.95)}
_WIDTH = {
    PEN: (0.050, 0.064),
    PENCIL: (0.056, 0.070),
    CHOPSTICK: (0.036, 0.046)
}

# BGR body colours
_PEN_BODIES = [(150, 60, 20), (30, 30, 30), (40, 40, 190), (200, 200, 205),
               (60, 140, 40)]
_PENCIL_BODIES = [(30, 190, 240), (20, 120, 230), (60, 150, 40),
                  (40, 40, 200), (170, 90, 40)]
_CHOPSTICK_BODIES = [(120, 180, 215), (80, 130, 170), (30, 30, 120),
                     (25, 25, 25), (150, 200, 225)]


@dataclasses.dataclass
class DenseSceneConfig:
    """How a dense scene is drawn.

    Density controls: ``num_objects`` (range per image), ``bundle_prob``
    (chance an object joins a side-by-side bundle rather than lying alone at
    a random angle), ``bundle_size``, ``gap`` (pixels between neighbours in a
    bundle, negative = touching/overlapping), ``angle_jitter`` (degrees
    between neighbours) and ``diagonal_prob`` (chance a bundle lies near 45
    degrees, where neighbouring axis-aligned boxes overlap most).
    """
    width: int = 256
    height: int = 256
    num_objects: tuple = (10, 18)
    bundle_prob: float = 0.7
    bundle_size: tuple = (3, 6)
    gap: tuple = (0.0, 3.0)
    angle_jitter: float = 4.0
    diagonal_prob: float = 0.5
    class_probs: tuple = (0.35, 0.35, 0.30)
    min_visible_area: int = 40
    min_visible_fraction: float = 0.15

    def __post_init__(self):
        if self.width < 32 or self.height < 32:
            raise ValueError(f'image size must be >= 32, got '
                             f'{self.width}x{self.height}')
        lo, hi = self.num_objects
        if not 1 <= lo <= hi:
            raise ValueError(f'num_objects must be 1 <= lo <= hi, got '
                             f'{self.num_objects}')
        if len(self.class_probs) != len(CLASSES) or \
                not math.isclose(sum(self.class_probs), 1.0):
            raise ValueError(f'class_probs must be {len(CLASSES)} numbers '
                             f'summing to 1, got {self.class_probs}')


PRESETS = {
    'sparse': dict(num_objects=(4, 8), bundle_prob=0.2, gap=(4.0, 12.0),
                   diagonal_prob=0.2),
    'dense': dict(),
    'very-dense': dict(num_objects=(16, 26), bundle_prob=0.85,
                       bundle_size=(4, 8), gap=(-1.0, 1.5), angle_jitter=3.0,
                       diagonal_prob=0.8),
}


def _background(rng, h, w):
    """Textured table top: wood grain, woven fabric or mottled paper."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    coarse = cv2.resize(rng.random((6, 6), dtype=np.float32), (w, h),
                        interpolation=cv2.INTER_CUBIC)
    kind = rng.integers(3)
    if kind == 0:  # wood grain in BGR browns
        base = np.array([rng.uniform(60, 120), rng.uniform(100, 160),
                         rng.uniform(150, 210)], np.float32)
        a = rng.uniform(0, np.pi)
        u = xx * np.cos(a) + yy * np.sin(a)
        tex = np.sin(u * rng.uniform(0.15, 0.4) + coarse * 12.0)
        tex = 0.5 + 0.18 * tex + 0.12 * (coarse - 0.5)
    elif kind == 1:  # woven fabric
        base = rng.uniform(60, 210, size=3).astype(np.float32)
        f = rng.uniform(0.5, 1.2)
        tex = 0.5 + 0.12 * np.sin(xx * f) * np.sin(yy * f) \
            + 0.2 * (coarse - 0.5)
    else:  # mottled paper / desk
        base = rng.uniform(60, 210, size=3).astype(np.float32)
        fine = cv2.resize(rng.random((32, 32), dtype=np.float32), (w, h),
                          interpolation=cv2.INTER_LINEAR)
        tex = 0.5 + 0.25 * (coarse - 0.5) + 0.1 * (fine - 0.5)
    img = base[None, None, :] * (0.6 + 0.8 * tex[..., None])
    return img


def _object_parts(cat, length, width, rng):
    """Parts of one object in its local frame (axis along +x, x in [0, L]).

    Returns a list of (polygon (K, 2) float, BGR colour) drawn in order.
    """
    hw = width / 2
    parts = []
    if cat == PENCIL:
        body = np.array(_PENCIL_BODIES[rng.integers(len(_PENCIL_BODIES))])
        tip = min(length * 0.18, width * 2.6)
        eraser, ferrule = width * rng.uniform(0.8, 1.3), width * 0.7
        parts.append((np.array([[0, -hw], [eraser, -hw], [eraser, hw],
                                [0, hw]]), (150, 140, 235)))
        parts.append((np.array([[eraser, -hw], [eraser + ferrule, -hw],
                                [eraser + ferrule, hw], [eraser, hw]]),
                      (170, 175, 180)))
        x0, x1 = eraser + ferrule, length - tip
        parts.append((np.array([[x0, -hw], [x1, -hw], [x1, hw], [x0, hw]]),
                      tuple(body)))
        parts.append((np.array([[x1, -hw], [length - tip * 0.3, -hw * 0.3],
                                [length - tip * 0.3, hw * 0.3], [x1, hw]]),
                      (140, 190, 225)))
        parts.append((np.array([[length - tip * 0.3, -hw * 0.3],
                                [length, 0], [length - tip * 0.3, hw * 0.3]]),
                      (50, 50, 50)))
    elif cat == PEN:
        body = np.array(_PEN_BODIES[rng.integers(len(_PEN_BODIES))])
        tip = width * rng.uniform(1.5, 2.2)
        x1 = length - tip
        cap = [[width * 0.3 * (1 - np.cos(a)), hw * np.sin(a)]
               for a in np.linspace(-np.pi / 2, np.pi / 2, 7)]
        parts.append((np.array(cap + [[x1, hw], [x1, -hw]]), tuple(body)))
        parts.append((np.array([[x1, -hw], [length - width * 0.15,
                                            -hw * 0.25],
                                [length, 0], [length - width * 0.15,
                                              hw * 0.25], [x1, hw]]),
                      (175, 180, 185)))
        clip = tuple(int(c) for c in np.clip(body * 0.6 + 40, 0, 255))
        parts.append((np.array([[width * 0.6, -hw * 0.35],
                                [length * 0.35, -hw * 0.35],
                                [length * 0.35, hw * 0.05],
                                [width * 0.6, hw * 0.05]]), clip))
    else:  # chopstick: tapered, square back end
        body = np.array(
            _CHOPSTICK_BODIES[rng.integers(len(_CHOPSTICK_BODIES))])
        front = hw * rng.uniform(0.45, 0.6)
        parts.append((np.array([[0, -hw], [length, -front], [length, front],
                                [0, hw]]), tuple(body)))
    return parts


def _to_image(poly, centre, angle):
    """Local-frame polygon (centred on the object's middle) to image px."""
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    return poly @ rot.T + centre


def _fixed(points):
    """Image coordinates to cv2's fixed-point pixel-centre form (shift=2)."""
    return np.round((points - 0.5) * 4).astype(np.int32)


def _place_objects(rng, cfg):
    """(category, centre (2,), angle, length, width) for every object."""
    short = min(cfg.width, cfg.height)
    n = int(rng.integers(cfg.num_objects[0], cfg.num_objects[1] + 1))
    cats = rng.choice([PEN, PENCIL, CHOPSTICK], size=n, p=cfg.class_probs)
    sizes = [(rng.uniform(*_LENGTH[c]) * short, rng.uniform(*_WIDTH[c]) *
              short) for c in cats]
    placed, i = [], 0
    margin = np.array([cfg.width, cfg.height]) * 0.1
    while i < n:
        centre = rng.uniform(margin, np.array([cfg.width, cfg.height]) -
                             margin)
        if rng.random() < cfg.diagonal_prob:
            angle = np.deg2rad(rng.choice([45.0, -45.0]) +
                               rng.uniform(-15, 15))
        else:
            angle = rng.uniform(-np.pi / 2, np.pi / 2)
        if rng.random() < cfg.bundle_prob:
            m = int(rng.integers(cfg.bundle_size[0], cfg.bundle_size[1] + 1))
        else:
            m = 1
        normal = np.array([-np.sin(angle), np.cos(angle)])
        axis = np.array([np.cos(angle), np.sin(angle)])
        offset = 0.0
        for k in range(min(m, n - i)):
            length, width = sizes[i]
            if k > 0:
                offset += sizes[i - 1][1] / 2 + rng.uniform(*cfg.gap) + \
                    width / 2
            shift = rng.uniform(-0.15, 0.15) * length
            jitter = np.deg2rad(rng.uniform(-cfg.angle_jitter,
                                            cfg.angle_jitter))
            flip = np.pi if rng.random() < 0.5 else 0.0
            placed.append((cats[i], centre + normal * offset + axis * shift,
                           angle + jitter + flip, length, width))
            i += 1
    order = rng.permutation(len(placed))
    return [placed[j] for j in order]


def _draw_object(img, owner, index, obj, light, rng):
    """Draw one object (shadow, parts, shading) over what is already there."""
    cat, centre, angle, length, width = obj
    parts = _object_parts(cat, length, width, rng)
    h, w = owner.shape
    shifted = [_fixed(_to_image(p - [length / 2, 0], centre, angle))
               for p, _ in parts]
    # soft shadow cast onto whatever lies below
    shadow = np.zeros((h, w), np.float32)
    offset = (light * 4).astype(np.int32)
    cv2.fillPoly(shadow, [s + offset for s in shifted], 1.0, cv2.LINE_AA,
                 shift=2)
    shadow = cv2.GaussianBlur(shadow, (0, 0), max(width * 0.25, 1.0))
    img *= (1.0 - 0.35 * shadow)[..., None]
    footprint = np.zeros((h, w), np.uint8)
    for poly, (_, colour) in zip(shifted, parts):
        cv2.fillPoly(img, [poly], [float(c) for c in colour], cv2.LINE_AA,
                     shift=2)
        cv2.fillPoly(footprint, [poly], 1, cv2.LINE_8, shift=2)
    # cylinder shading: a highlight and a shade line along the axis
    axis_pts = np.array([[length * 0.04, 0], [length * 0.8, 0]])
    for side, gain, thick in ((-0.22, 1.35, 0.22), (0.3, 0.65, 0.2)):
        pts = _fixed(_to_image(axis_pts - [length / 2, 0] +
                               [0, side * width], centre, angle))
        line = np.zeros((h, w), np.uint8)
        cv2.line(line, tuple(pts[0].tolist()), tuple(pts[1].tolist()), 1,
                 max(int(round(width * thick)), 1), cv2.LINE_8, shift=2)
        sel = (line > 0) & (footprint > 0)
        img[sel] = np.clip(img[sel] * gain, 0, 255)
    owner[footprint > 0] = index
    return int(footprint.sum())


def _lighting(img, rng):
    """Global gain, a lighting gradient, colour cast, noise and slight blur."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * np.pi)
    grad = ((xx - w / 2) * np.cos(a) + (yy - h / 2) * np.sin(a)) / max(h, w)
    gain = rng.uniform(0.7, 1.25) * (1 + rng.uniform(0.1, 0.5) * grad)
    cast = rng.uniform(0.9, 1.1, size=3).astype(np.float32)
    img = img * gain[..., None] * cast
    img += rng.normal(0, rng.uniform(1.5, 5.0), img.shape).astype(np.float32)
    img = cv2.GaussianBlur(img, (3, 3), 0.6)
    return np.clip(img, 0, 255).astype(np.uint8)


def _axis_ends(obj):
    """Image (x, y) of an object's ``tip`` and ``end``: (2, 2)."""
    _, centre, angle, length, _ = obj
    return _to_image(np.array([[length / 2, 0.0], [-length / 2, 0.0]]),
                     centre, angle)


def render_dense_scene(rng, cfg):
    """Draw one scene.

    Returns:
        tuple: image (H, W, 3) uint8 BGR, owner map (H, W) int32 (-1 =
        background), category ids (N,), full (unoccluded) pixel areas (N,),
        keypoints (N, 2, 2) image (x, y) of ``tip`` and ``end``.
    """
    h, w = cfg.height, cfg.width
    img = _background(rng, h, w)
    owner = np.full((h, w), -1, np.int32)
    light = rng.normal(0, 1, 2)
    light = light / (np.linalg.norm(light) + 1e-6) * rng.uniform(1.5, 3.5)
    objs = _place_objects(rng, cfg)
    full_areas = np.array(
        [_draw_object(img, owner, i, o, light, rng)
         for i, o in enumerate(objs)], np.int64)
    cats = np.array([o[0] for o in objs], np.int64)
    keypoints = np.array([_axis_ends(o) for o in objs]).reshape(-1, 2, 2)
    return _lighting(img, rng), owner, cats, full_areas, keypoints


KEYPOINT_NAMES = ['tip', 'end']
CATEGORIES = [
    dict(id=i + 1, name=name, supercategory='stick',
         keypoints=KEYPOINT_NAMES, skeleton=[[1, 2]])
    for i, name in enumerate(CLASSES)
]


def write_dense_dataset(out_dir, splits, cfg=None, seed=0, workers=None):
    """Render and write a dense-scene COCO dataset (see ``coco_writer``).

    Args:
        splits (dict): split name ('train', 'val', 'test') -> image count.
        cfg (DenseSceneConfig | None): scene settings; None = defaults.

    Returns:
        dict: per-split statistics of ``write_coco_dataset``.
    """
    return write_coco_dataset(out_dir, splits, render_dense_scene,
                              cfg or DenseSceneConfig(), CATEGORIES,
                              seed=seed, workers=workers)
