"""Rotated Mask R-CNN trained from rotated boxes only."""
from mmdet.structures import SampleList
from torch import Tensor

from mmrot_ext.models.detectors import RotatedMaskRCNN
from mmrot_ext.registry import ROTATED_MODELS
from .boxteacher_mask_rcnn import SoftMaskTeacherMixin
from .pairwise_terms import rgb_to_lab


@ROTATED_MODELS.register_module()
class RotatedBoxSupervisedMaskRCNN(SoftMaskTeacherMixin, RotatedMaskRCNN):
    """Rotated Mask R-CNN whose mask head learns from rotated boxes
    (:class:`RotatedBoxSupervisedMaskHead`), alone or as the student (and
    EMA teacher, ``forward_teacher``) of the ``BoxTeacher`` wrapper.

    Training gives each image's LAB colours to the mask head through
    ``gt_instances.metainfo['lab_image']`` ((3, H, W) at the batch input
    size, from the un-normalised input on its device), unless the wrapper
    already set them from its clean view. Prediction is Rotated Mask
    R-CNN's.
    """

    def lab_images(self, batch_inputs: Tensor) -> Tensor:
        """(B, 3, H, W) LAB colours of the (normalised) batch inputs."""
        pre = self.data_preprocessor
        images = batch_inputs
        if getattr(pre, '_enable_normalize', False):
            images = images * pre.std + pre.mean
        if not getattr(pre, '_channel_conversion', False):
            images = images.flip(1)  # mmcv decodes BGR
        return rgb_to_lab(images)

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> dict:
        if not all('lab_image' in s.gt_instances.metainfo
                   for s in batch_data_samples):
            for sample, lab in zip(batch_data_samples,
                                   self.lab_images(batch_inputs)):
                sample.gt_instances.set_metainfo(dict(lab_image=lab))
        return super().loss(batch_inputs, batch_data_samples)
