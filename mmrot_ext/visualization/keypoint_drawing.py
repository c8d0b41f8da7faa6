"""Keypoints and heading arrows on top of a detection visualiser's
drawing."""
import math

import numpy as np
import torch
from mmdet.visualization import DetLocalVisualizer

from mmrot_ext.registry import DET_VISUALIZERS

# keypoint colours, in keypoint order (RGB): tip red, end blue, then more
KEYPOINT_COLOURS = [(230, 40, 40), (40, 110, 240), (240, 200, 30),
                    (40, 200, 90)]
ARROW_COLOUR = (255, 255, 255)


class KeypointDrawingMixin:
    """Draws ``keypoints`` (predictions: (N, K, 2); ground truth: (N, K, 3)
    with v = 0 left out) as dots, and a heading arrow per instance over
    whatever the parent visualiser draws (boxes, masks, labels): along
    ``headings`` where the instances have them (centred between the
    keypoints, as long as they are apart), else from keypoint
    ``heading_keypoints[0]`` to ``[1]`` (default ``end`` -> ``tip``)."""

    heading_keypoints = (1, 0)

    def _draw_instances(self, image, instances, classes, palette):
        image = super()._draw_instances(image, instances, classes, palette)
        if 'keypoints' not in instances or not len(instances):
            return image
        points = instances.keypoints
        points = points.detach().cpu().numpy() if isinstance(
            points, torch.Tensor) else np.asarray(points)
        labelled = points[..., 2] > 0 if points.shape[-1] == 3 else \
            np.ones(points.shape[:2], bool)
        self.set_image(image)
        scale = max(min(image.shape[:2]) / 256, 1.0)
        tail, head = self.heading_keypoints
        headings = instances.headings.detach().cpu().numpy() \
            if 'headings' in instances else [None] * len(points)
        for pts, ok, heading in zip(points[..., :2], labelled, headings):
            if not (ok[tail] and ok[head]):
                continue
            start, end = pts[tail], pts[head]
            if heading is not None:  # the heading, through the keypoints
                half = max(float(np.hypot(*(end - start))), 10.0) / 2
                step = half * np.array([math.cos(heading), math.sin(heading)])
                centre = (start + end) / 2
                start, end = centre - step, centre + step
            self._draw_arrow(start, end, scale)
        for k in range(points.shape[1]):
            shown = points[labelled[:, k], k, :2]
            if len(shown):
                colour = KEYPOINT_COLOURS[k % len(KEYPOINT_COLOURS)]
                self.draw_points(shown, colors=[colour] * len(shown),
                                 sizes=np.full(len(shown), 20 * scale**2))
        return self.get_image()

    def _draw_arrow(self, start, end, scale):
        """A line from ``start`` to ``end`` with a head at ``end``."""
        d = end - start
        length = float(np.hypot(*d))
        if length < 1e-3:
            return
        angle = math.atan2(d[1], d[0])
        head = min(8 * scale, length / 3)
        xs, ys = [[start[0], end[0]]], [[start[1], end[1]]]
        for side in (-1, 1):
            a = angle + math.pi + side * math.radians(28)
            xs.append([end[0], end[0] + head * math.cos(a)])
            ys.append([end[1], end[1] + head * math.sin(a)])
        self.draw_lines(np.array(xs), np.array(ys), colors=ARROW_COLOUR,
                        line_widths=1.5 * scale)


@DET_VISUALIZERS.register_module()
class KeypointDetLocalVisualizer(KeypointDrawingMixin, DetLocalVisualizer):
    """mmdet's ``DetLocalVisualizer`` that also draws keypoints and heading
    arrows (axis-aligned keypoint configs; the rotated visualiser draws
    them too)."""
