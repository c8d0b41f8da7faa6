"""Visualiser for rotated detections: rotated boxes, masks, keypoints."""
from mmrotate.visualization import RotLocalVisualizer

from mmrot_ext.registry import ROTATED_VISUALIZERS
from .keypoint_drawing import KeypointDrawingMixin


@ROTATED_VISUALIZERS.register_module()
class RotatedDetLocalVisualizer(KeypointDrawingMixin, RotLocalVisualizer):
    """mmrotate's ``RotLocalVisualizer`` that keeps the picture on the image.

    Draws rotated boxes (as polygons, from (N, 5) tensors or RotatedBoxes),
    masks and, where instances have them, keypoints with heading arrows
    (:class:`KeypointDrawingMixin`). mmrotate's version lets matplotlib
    widen the axes for boxes reaching past the image border, which shrinks
    the image inside a white margin; here the axes stay on the image.
    """

    def get_image(self):
        if self._image is not None:
            self.ax_save.set_xlim(0, self.width)
            self.ax_save.set_ylim(self.height, 0)
        return super().get_image()
