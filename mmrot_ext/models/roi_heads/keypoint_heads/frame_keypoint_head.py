"""Keypoint R-CNN's keypoint head, in the frame of a rotated or an
axis-aligned box."""
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmrot_ext.registry import DET_MODELS
from mmrot_ext.structures import (axis_direction_log_odds, axis_headings,
                                  decode_keypoint_heatmaps, enlarge_rboxes,
                                  keypoint_headings, keypoint_heatmap_targets)


@DET_MODELS.register_module()
class FrameKeypointHead(BaseModule):
    """Heatmaps of K keypoints over each RoI's frame (Keypoint R-CNN).

    RoI features (n, C, R, R) pooled over the frame -> ``num_convs`` 3x3
    convolutions with ReLU -> a stride-2 transposed convolution to K maps ->
    bilinear x ``upsample_scale``: logits (n, K, S, S), S = 2R x
    ``upsample_scale`` (the paper: R 14, 8 convs of 512, S 56).

    A frame is a rotated box ``(cx, cy, w, h, theta)``: the rotated RoI
    itself, or an axis-aligned RoI with theta 0, enlarged by
    ``frame_scale`` (a number or ``(s_w, s_h)``) so that keypoints on the
    box's border (a stick's tip is) stay inside a slightly-off detection.
    The RoI head pools features over the same frames.

    Loss: softmax cross-entropy over the S x S cells of each heatmap against
    the cell holding the GT keypoint, for labelled keypoints inside the
    frame (COCO v > 0, Detectron's rule), averaged over those keypoints of
    the batch. Decoding: the peak cell, refined by a parabola through its
    neighbours, mapped back through the inverse rotation; its softmax
    probability is the keypoint score; ``heading_keypoints`` = (tail, head)
    gives each instance's heading (radians, full circle; :meth:`headings`).
    Runs on any device without a host sync.

    Args:
        num_keypoints (int): K.
        in_channels (int): channels of the pooled features.
        roi_feat_size (int): R, the pooled grid.
        num_convs (int), conv_out_channels (int): the conv stack.
        upsample_scale (int): bilinear factor after the transposed conv.
        frame_scale (float | tuple[float, float]): frame enlargement.
        heading_keypoints (tuple[int, int]): (tail, head) keypoint indices.
        loss_weight (float): weight of the keypoint loss.
    """

    def __init__(self,
                 num_keypoints=2,
                 in_channels=256,
                 roi_feat_size=14,
                 num_convs=8,
                 conv_out_channels=512,
                 upsample_scale=2,
                 frame_scale=1.2,
                 heading_keypoints=(1, 0),
                 loss_weight=1.0,
                 init_cfg=(dict(type='Kaiming', layer=['Conv2d',
                                                       'ConvTranspose2d'],
                                mode='fan_out', nonlinearity='relu',
                                distribution='normal', bias=0), )):
        super().__init__(init_cfg=list(init_cfg))
        if num_keypoints < 1:
            raise ValueError(f'num_keypoints must be >= 1, got '
                             f'{num_keypoints}')
        if not all(0 <= i < num_keypoints for i in heading_keypoints):
            raise ValueError(f'heading_keypoints {heading_keypoints} must '
                             f'index the {num_keypoints} keypoints')
        self.num_keypoints = num_keypoints
        self.frame_scale = frame_scale
        self.heading_keypoints = tuple(heading_keypoints)
        self.upsample_scale = upsample_scale
        self.loss_weight = loss_weight
        self.heatmap_size = roi_feat_size * 2 * upsample_scale
        self.convs = nn.Sequential(*[
            ConvModule(in_channels if i == 0 else conv_out_channels,
                       conv_out_channels, 3, padding=1)
            for i in range(num_convs)
        ])
        last = conv_out_channels if num_convs else in_channels
        self.deconv = nn.ConvTranspose2d(last, num_keypoints, 4, stride=2,
                                         padding=1)

    def forward(self, feats):
        """(n, C, R, R) RoI features -> (n, K, S, S) heatmap logits."""
        logits = self.deconv(self.convs(feats))
        if self.upsample_scale != 1:
            logits = F.interpolate(logits, scale_factor=self.upsample_scale,
                                   mode='bilinear', align_corners=False)
        return logits

    def frames(self, rboxes):
        """(n, 5) boxes (theta 0 for axis-aligned ones) -> the frames the
        heatmaps cover."""
        return enlarge_rboxes(rboxes, self.frame_scale)

    def loss(self, logits, frames, gt_keypoints):
        """Keypoint loss of positive RoIs.

        Args:
            logits (Tensor): (n, K, S, S).
            frames (Tensor): (n, 5) frames of the RoIs.
            gt_keypoints (Tensor): (n, K, 3) image (x, y, v) of each RoI's
                GT instance.

        Returns:
            dict: ``loss_keypoint``, zero (with a gradient) when no
            keypoint is labelled inside a frame.
        """
        n, k, s_h, s_w = logits.shape
        index, valid = keypoint_heatmap_targets(gt_keypoints, frames,
                                                (s_h, s_w))
        ce = F.cross_entropy(
            logits.reshape(n * k, s_h * s_w), index.reshape(-1),
            reduction='none')
        valid = valid.reshape(-1).to(ce.dtype)
        loss = (ce * valid).sum() / valid.sum().clamp(min=1)
        return dict(loss_keypoint=loss * self.loss_weight)

    def predict(self, logits, frames):
        """Decoded keypoints of (n, K, S, S) logits over (n, 5) frames.

        Returns:
            tuple[Tensor, Tensor]: keypoints (n, K, 2) image (x, y) and
            scores (n, K).
        """
        return decode_keypoint_heatmaps(logits, frames)

    def headings(self, keypoints, logits=None, axis_angles=None):
        """(n,) headings in radians, (-pi, pi].

        Without ``axis_angles``: the direction from the tail to the head
        keypoint of (n, K, 2) ``keypoints``. With the (n,) axis angles of
        rotated RoIs (their frames' +u direction) and the (n, K, S, S)
        ``logits``: the axis, pointed the way the heatmaps' mass says the
        head keypoint lies (:func:`axis_direction_log_odds`).
        """
        tail, head = self.heading_keypoints
        if axis_angles is None:
            return keypoint_headings(keypoints, tail, head)
        return axis_headings(axis_angles,
                             axis_direction_log_odds(logits, tail, head))
