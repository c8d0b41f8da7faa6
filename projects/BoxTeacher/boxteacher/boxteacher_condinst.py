"""BoxInst (CondInst trained from boxes) that can act as BoxTeacher's
teacher and student."""
from typing import List

from mmdet.models.detectors import BoxInst
from mmdet.structures import SampleList
from mmdet.utils import InstanceList
from mmengine.structures import InstanceData
from torch import Tensor

from mmrot_ext.registry import DET_MODELS


@DET_MODELS.register_module()
class BoxTeacherCondInst(BoxInst):
    """BoxInst with ``forward_teacher``; pair it with
    :class:`BoxTeacherMaskHead` to train on the teacher's pseudo masks.

    ``forward_teacher`` is the one method the :class:`BoxTeacher` wrapper
    needs from a teacher (see the project README).
    """

    def forward_teacher(self, batch_inputs: Tensor,
                        batch_data_samples: SampleList) -> InstanceList:
        """Teacher predictions with soft masks.

        Args:
            batch_inputs (Tensor): (B, 3, H, W) normalised, padded images.
            batch_data_samples (list[DetDataSample]): their metainfo.

        Returns:
            list[InstanceData]: per image ``bboxes`` (N, 4) in input pixels,
            ``labels`` (N,), ``scores`` (N,) detection confidence
            p = sqrt(cls * ctr) (FCOS) and ``masks`` (N, H, W) probabilities.
        """
        metas: List[dict] = [s.metainfo for s in batch_data_samples]
        x = self.extract_feat(batch_inputs)
        results = self.bbox_head.predict_by_feat(
            *self.bbox_head(x), batch_img_metas=metas, rescale=False)
        mask_preds = self.mask_head(x, results)[0]
        soft = self.mask_head.predict_soft_masks(mask_preds, metas)
        return [
            InstanceData(
                bboxes=r.bboxes,
                labels=r.labels,
                scores=r.scores.clamp(min=0).sqrt(),
                masks=m) for r, m in zip(results, soft)
        ]
