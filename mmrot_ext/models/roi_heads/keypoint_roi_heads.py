"""Keypoint Mask R-CNN's RoI heads: keypoints in each detection's frame, for
rotated and for axis-aligned RoIs."""
import torch
from mmdet.models.roi_heads import StandardRoIHead
from mmdet.structures.bbox import get_box_tensor
from mmrotate.structures.bbox import RotatedBoxes

from mmrot_ext.registry import DET_MODELS, ROTATED_MODELS
from .rotated_standard_roi_head import RotatedStandardRoIHead


class KeypointRoIHeadMixin:
    """Adds a keypoint branch (:class:`FrameKeypointHead`) to a RoI head
    with a mask branch.

    Training: the keypoint head sees the positive RoIs the mask head sees
    (features pooled over the keypoint head's frames by
    ``keypoint_roi_extractor``) and learns each RoI's GT keypoints
    (``gt_instances.keypoints`` (G, K, 3), from ``LoadKeypointAnnotations``
    and ``PackKeypointDetInputs``); its loss joins the mask losses.
    Test time: every detection gets ``keypoints`` (N, K, 2), image (x, y);
    ``keypoint_scores`` (N, K); ``headings`` (N,) radians over the full
    circle in the output image's coordinates: the direction between the
    keypoints, or a rotated detection's axis pointed by the heatmaps
    (``RotatedKeypointRoIHead(heading='box_axis')``).

    A subclass says how its boxes become frames (``_box_frames``), frames
    become RoIs for its extractor (``_frame_rois``), boxes return to the
    network input's scale (``_input_boxes``) and which axis, if any, a
    heading follows (``_axis_angles``).
    """

    def __init__(self, *args, keypoint_roi_extractor, keypoint_head,
                 **kwargs):
        super().__init__(*args, **kwargs)
        if not self.with_mask:
            raise ValueError(
                f'{type(self).__name__} trains keypoints on the mask '
                'branch\'s positive RoIs: configure a mask_roi_extractor and '
                'mask_head')
        self.keypoint_roi_extractor = DET_MODELS.build(keypoint_roi_extractor)
        self.keypoint_head = DET_MODELS.build(keypoint_head)

    def _keypoint_forward(self, x, frames, batch_inds):
        """(n, K, S, S) heatmap logits over (n, 5) frames of images
        ``batch_inds`` (n,)."""
        rois = self._frame_rois(frames, batch_inds)
        feats = self.keypoint_roi_extractor(
            x[:self.keypoint_roi_extractor.num_inputs], rois)
        return self.keypoint_head(feats)

    def mask_loss(self, x, sampling_results, bbox_feats, batch_gt_instances):
        """The mask losses and ``loss_keypoint`` on the same positives."""
        results = super().mask_loss(x, sampling_results, bbox_feats,
                                    batch_gt_instances)
        missing = [i for i, gt in enumerate(batch_gt_instances)
                   if 'keypoints' not in gt]
        if missing:
            raise KeyError(
                f'{type(self).__name__}: gt_instances of image(s) {missing} '
                'have no keypoints; the train pipeline needs '
                'LoadKeypointAnnotations and PackKeypointDetInputs')
        frames, targets, inds = [], [], []
        for i, (res, gt) in enumerate(zip(sampling_results,
                                          batch_gt_instances)):
            frames.append(self.keypoint_head.frames(
                self._box_frames(get_box_tensor(res.pos_priors))))
            targets.append(gt.keypoints[res.pos_assigned_gt_inds])
            inds.append(torch.full((len(frames[-1]), ), i,
                                   device=frames[-1].device))
        frames = torch.cat(frames)
        logits = self._keypoint_forward(x, frames, torch.cat(inds))
        results['loss_mask'].update(self.keypoint_head.loss(
            logits, frames, torch.cat(targets).to(frames)))
        return results

    def predict(self, x, rpn_results_list, batch_data_samples,
                rescale=False):
        """The parent's detections and masks, with keypoints and
        headings."""
        results_list = super().predict(x, rpn_results_list,
                                       batch_data_samples, rescale)
        metas = [sample.metainfo for sample in batch_data_samples]
        frames, inds = [], []
        for i, (results, meta) in enumerate(zip(results_list, metas)):
            boxes = get_box_tensor(results.bboxes)
            if rescale:
                boxes = self._input_boxes(boxes, meta['scale_factor'])
            frames.append(self.keypoint_head.frames(self._box_frames(boxes)))
            inds.append(torch.full((len(boxes), ), i, device=boxes.device))
        frames = torch.cat(frames)
        logits = self._keypoint_forward(x, frames, torch.cat(inds))
        points, scores = self.keypoint_head.predict(logits, frames)
        start = 0
        for results, meta in zip(results_list, metas):
            sl = slice(start, start + len(results))
            start = sl.stop
            keypoints = points[sl]
            if rescale:
                keypoints = keypoints / keypoints.new_tensor(
                    meta['scale_factor'])
            results.keypoints = keypoints
            results.keypoint_scores = scores[sl]
            results.headings = self.keypoint_head.headings(
                keypoints, logits[sl],
                self._axis_angles(get_box_tensor(results.bboxes)))
        return results_list

    def _axis_angles(self, boxes):
        """(N,) angles a heading follows (pointed by the heatmaps), or None
        for headings from the keypoints themselves."""
        return None


@ROTATED_MODELS.register_module()
class RotatedKeypointRoIHead(KeypointRoIHeadMixin, RotatedStandardRoIHead):
    """Rotated Mask R-CNN with a keypoint branch in each rotated RoI's frame
    (``keypoint_roi_extractor``: ``RotatedSingleRoIExtractor``).

    Args:
        heading (str): 'box_axis' (default): a detection's heading is its
            rotated box's long axis, pointed the way the keypoint heatmaps
            say the head keypoint lies (for objects whose keypoints sit at
            the box's two ends, like the sticks' tip and end); 'keypoints':
            the direction between the decoded keypoints, as the
            axis-aligned twin has to.
    """

    def __init__(self, *args, heading='box_axis', **kwargs):
        if heading not in ('box_axis', 'keypoints'):
            raise ValueError(f"heading must be 'box_axis' or 'keypoints', "
                             f'got {heading!r}')
        self.heading = heading
        super().__init__(*args, **kwargs)

    def _axis_angles(self, boxes):
        return boxes[:, 4] if self.heading == 'box_axis' else None

    @staticmethod
    def _box_frames(boxes):
        return boxes

    @staticmethod
    def _frame_rois(frames, batch_inds):
        return torch.cat([batch_inds[:, None].to(frames), frames], dim=1)

    @staticmethod
    def _input_boxes(boxes, scale_factor):
        scaled = RotatedBoxes(boxes.clone())
        scaled.rescale_(scale_factor)
        return scaled.tensor


@DET_MODELS.register_module()
class KeypointRoIHead(KeypointRoIHeadMixin, StandardRoIHead):
    """Mask R-CNN with a keypoint branch in each axis-aligned RoI (the
    frame is the box with angle 0; ``keypoint_roi_extractor``: mmdet's
    ``SingleRoIExtractor``): Keypoint Mask R-CNN, the rotated head's
    twin."""

    @staticmethod
    def _box_frames(boxes):
        centre = (boxes[:, :2] + boxes[:, 2:]) / 2
        size = boxes[:, 2:] - boxes[:, :2]
        return torch.cat([centre, size, size.new_zeros(len(size), 1)], dim=1)

    @staticmethod
    def _frame_rois(frames, batch_inds):
        half = frames[:, 2:4] / 2
        return torch.cat([batch_inds[:, None].to(frames),
                          frames[:, :2] - half, frames[:, :2] + half], dim=1)

    @staticmethod
    def _input_boxes(boxes, scale_factor):
        return boxes * boxes.new_tensor(scale_factor).repeat(2)
