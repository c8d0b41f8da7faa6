"""Visualiser for rotated detections: rotated boxes and masks."""
from mmrotate.visualization import RotLocalVisualizer

from mmrot_ext.registry import ROTATED_VISUALIZERS


@ROTATED_VISUALIZERS.register_module()
class RotatedDetLocalVisualizer(RotLocalVisualizer):
    """mmrotate's ``RotLocalVisualizer`` that keeps the picture on the image.

    Draws rotated boxes (as polygons, from (N, 5) tensors or RotatedBoxes)
    and masks. mmrotate's version lets matplotlib widen the axes for boxes
    reaching past the image border, which shrinks the image inside a white
    margin; here the axes stay on the image.
    """

    def get_image(self):
        if self._image is not None:
            self.ax_save.set_xlim(0, self.width)
            self.ax_save.set_ylim(self.height, 0)
        return super().get_image()
