"""BoxTeacher: an EMA teacher turns its own masks into pseudo labels for a
box-supervised student (Cheng et al., CVPR 2023,
https://arxiv.org/abs/2210.05174)."""
from typing import Dict

import torch
import torch.nn.functional as F
from mmdet.models.detectors import SemiBaseDetector
from mmengine.config import ConfigDict
from mmdet.structures import SampleList
from mmdet.structures.bbox import get_box_tensor
from mmdet.utils import ConfigType, InstanceList, OptConfigType
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmrot_ext.registry import DET_MODELS
from .pseudo_labels import assign_pseudo_masks


@DET_MODELS.register_module()
class BoxTeacher(SemiBaseDetector):
    """Teacher-student wrapper for box-supervised instance segmentation.

    ``detector`` builds both models. The teacher must implement
    ``forward_teacher(inputs, data_samples) -> list[InstanceData]`` with
    ``bboxes`` ((N, 4) xyxy, or (N, 5) rotated boxes matched to the GT
    rotated boxes by rotated IoU), ``scores`` (detection confidence p) and
    soft ``masks`` (N, H, W) at the input size; the student's ``loss`` must
    read ``gt_instances.pseudo_masks`` (G, H, W) and ``pseudo_mask_scores``
    (G,). A student with ``lab_images(inputs)`` (the rotated one) gets the
    clean view's LAB colours in ``gt_instances.metainfo['lab_image']``.
    Nothing else about the method is assumed (CondInst, Mask R-CNN and
    Rotated Mask R-CNN students ship here).

    Training batches come in two views of one image (see
    ``TwoViewDataPreprocessor``): ``teacher`` (clean) and ``student``
    (colour-augmented, same geometry).

    semi_train_cfg:
        iou_thr (float): GT / prediction matching IoU. Default 0.5.
        score_thr (float): min mask-aware score to match. Default 0.0.
        mask_thr (float): teacher mask binarisation. Default 0.5.
        teacher_bn_train (bool): the teacher predicts in eval mode except
            for the BatchNorm layers that are training in the student, which
            use batch statistics (the original's "dynamic batch norm"; the
            EMA skips buffers). False: plain eval mode. Default True.
        teacher_test_scale (tuple | None): (long, short) edge limits the
            teacher's input is resized to, e.g. (1333, 800); None keeps the
            training scale. Default None.
    semi_test_cfg:
        predict_on ('teacher' | 'student'). Default 'teacher'.

    A config gives only what differs from these defaults (the paper's);
    ``data_preprocessor`` defaults to a ``TwoViewDataPreprocessor`` around
    the detector's own.
    """

    SEMI_TRAIN_DEFAULTS = dict(
        iou_thr=0.5,
        score_thr=0.0,
        mask_thr=0.5,
        teacher_bn_train=True,
        teacher_test_scale=None)
    SEMI_TEST_DEFAULTS = dict(predict_on='teacher')

    def __init__(self,
                 detector: ConfigType,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg=None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='mmdet.TwoViewDataPreprocessor',  # any config's scope
                data_preprocessor=detector['data_preprocessor'])
        super().__init__(
            detector,
            semi_train_cfg=ConfigDict({
                **self.SEMI_TRAIN_DEFAULTS,
                **(semi_train_cfg or {})
            }),
            semi_test_cfg=ConfigDict({
                **self.SEMI_TEST_DEFAULTS,
                **(semi_test_cfg or {})
            }),
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if not hasattr(self.teacher, 'forward_teacher'):
            raise TypeError(
                f'{type(self.teacher).__name__} has no forward_teacher(); '
                'BoxTeacher needs a detector that returns soft masks '
                '(e.g. BoxTeacherCondInst, BoxTeacherMaskRCNN)')

    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, SampleList]) -> dict:
        """Teacher pseudo masks (no grad, clean view), then student losses
        on the colour-augmented view."""
        student_samples = multi_batch_data_samples['student']
        predictions = self.teacher_predictions(
            multi_batch_inputs['teacher'],
            multi_batch_data_samples['teacher'])
        cfg = self.semi_train_cfg
        for sample, pred in zip(student_samples, predictions):
            gt = sample.gt_instances
            h, w = sample.batch_input_shape
            masks, weights = assign_pseudo_masks(
                pred.bboxes,
                pred.scores,
                pred.masks[:, :h, :w],
                get_box_tensor(gt.bboxes),
                iou_thr=cfg.iou_thr,
                score_thr=cfg.score_thr,
                mask_thr=cfg.mask_thr)
            gt.pseudo_masks = masks
            gt.pseudo_mask_scores = weights
        if hasattr(self.student, 'lab_images'):
            # colour similarity from the clean view, as the paper's
            # pairwise terms (the rotated student samples it per RoI frame)
            for sample, lab in zip(
                    student_samples,
                    self.student.lab_images(multi_batch_inputs['teacher'])):
                sample.gt_instances.set_metainfo(dict(lab_image=lab))
        losses = self.student.loss(multi_batch_inputs['student'],
                                   student_samples)
        # logged, not optimised (no "loss" in the names)
        losses.update({
            f'pseudo_{k}': torch.tensor(v)
            for k, v in self._pseudo_label_summary(student_samples).items()
        })
        return losses

    @torch.no_grad()
    def teacher_predictions(self, inputs: Tensor,
                            data_samples: SampleList) -> InstanceList:
        """Teacher predictions on the clean view, at the teacher scale, with
        boxes and soft masks mapped back to the training input (B, H, W)."""
        self._set_teacher_mode()
        scale = self._teacher_scale(inputs.shape[-2:])
        if scale == 1.0:
            return self.teacher.forward_teacher(inputs, data_samples)
        h, w = inputs.shape[-2:]
        resized = F.interpolate(
            inputs, scale_factor=scale, mode='bilinear', align_corners=False)
        scaled_samples = []
        for sample in data_samples:
            scaled = sample.clone()
            img_h, img_w = sample.img_shape
            scaled.set_metainfo(
                dict(
                    img_shape=(round(img_h * scale), round(img_w * scale)),
                    batch_input_shape=tuple(resized.shape[-2:])))
            scaled_samples.append(scaled)
        predictions = self.teacher.forward_teacher(resized, scaled_samples)
        for pred in predictions:
            # xyxy, or (cx, cy, w, h) of rotated boxes; angles stay
            pred.bboxes[:, :4] = pred.bboxes[:, :4] / scale
            if len(pred) > 0:
                pred.masks = F.interpolate(
                    pred.masks[None], size=(h, w), mode='bilinear',
                    align_corners=False)[0]
            else:
                pred.masks = pred.masks.new_zeros((0, h, w))
        return predictions

    def _set_teacher_mode(self) -> None:
        """Eval mode (heads such as FCOS decode boxes differently while
        training), with the student's training BatchNorm layers mirrored."""
        self.teacher.eval()
        if not self.semi_train_cfg.teacher_bn_train:
            return
        for s_mod, t_mod in zip(self.student.modules(),
                                self.teacher.modules()):
            if isinstance(t_mod, _BatchNorm):
                t_mod.train(s_mod.training)

    def _teacher_scale(self, size: tuple) -> float:
        """Factor that fits the batch into ``teacher_test_scale``."""
        test_scale = self.semi_train_cfg.teacher_test_scale
        if test_scale is None:
            return 1.0
        long_edge, short_edge = max(test_scale), min(test_scale)
        return min(long_edge / max(size), short_edge / min(size))

    @staticmethod
    def _pseudo_label_summary(data_samples: SampleList) -> dict:
        """Share of GT boxes given a pseudo mask and the mean weight s of
        those."""
        weights = torch.cat(
            [s.gt_instances.pseudo_mask_scores for s in data_samples])
        matched = weights > 0
        return dict(
            matched_fraction=float(matched.float().mean())
            if weights.numel() else 0.0,
            mean_weight=float(weights[matched].mean())
            if matched.any() else 0.0)
