"""One step of Faster R-CNN's 4-step alternating training (Ren et al. 2015,
Sec. 3.2), as a model an ordinary mmengine run trains."""
import torch
from mmdet.models.detectors import BaseDetector
from mmengine.registry import MODELS

from mmrot_ext.registry import ROOT_MODELS


def _freeze(module):
    module.eval()
    for param in module.parameters():
        param.requires_grad_(False)


def rpn_head_of(detector):
    """The RPN head of a two-stage detector, or of mmdet's RPN detector
    (which keeps it as ``bbox_head``).

    Raises:
        ValueError: when the detector has neither.
    """
    head = getattr(detector, 'rpn_head', None) or \
        getattr(detector, 'bbox_head', None)
    if not hasattr(head, 'predict_by_feat'):
        raise ValueError(f'{type(detector).__name__} has no RPN head')
    return head


@ROOT_MODELS.register_module()
class AlternatingTrainingStep(BaseDetector):
    """Wraps the network one alternating-training step trains.

    * ``model`` is an RPN-only detector (``RPN`` / ``RotatedRPN``: steps 1
      and 3) or the two-stage detector (steps 2 and 4). An RPN trains on
      its own losses. A two-stage detector trains its RoI head only, on
      the proposals of ``proposer`` (step 2: the frozen step-1 RPN with
      its own backbone) or, without one, of its own RPN head (step 4:
      shared, frozen); its RPN losses are not computed.
    * ``frozen`` names submodules of ``model`` that keep their weights and
      normalisation statistics (``requires_grad`` off, eval mode even while
      training): the shared layers in steps 3 and 4, the RPN head in 4.
    * Proposals for training come from ``train_cfg.rpn_proposal`` of the
      two-stage detector (the paper's 2000), computed online with no
      gradient, so they follow the step's data augmentation.

    At test time a two-stage ``model`` with a ``proposer`` predicts with the
    proposer's RPN (test settings) and its own RoI head: the paper's
    "unshared" detector after step 2. Otherwise ``model.predict``.

    Args:
        model (dict): config of the network this step trains.
        proposer (dict, optional): config of a frozen RPN-only detector
            giving the proposals (step 2).
        frozen (list[str]): attribute names of ``model``'s frozen parts.
        data_preprocessor (dict): as the wrapped detectors'.
    """

    def __init__(self, model, proposer=None, frozen=(),
                 data_preprocessor=None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.model = MODELS.build(model)
        self.proposer = MODELS.build(proposer) if proposer else None
        self.frozen = tuple(frozen)
        for name in self.frozen:
            if getattr(self.model, name, None) is None:
                raise ValueError(
                    f'frozen part {name!r} is not a part of '
                    f'{type(self.model).__name__}')
        self._freeze()

    def _freeze(self):
        if self.proposer is not None:
            _freeze(self.proposer)
        for name in self.frozen:
            _freeze(getattr(self.model, name))

    def train(self, mode=True):
        super().train(mode)
        self._freeze()
        return self

    @property
    def trains_rpn(self):
        return not hasattr(self.model, 'roi_head')

    def _proposals(self, batch_inputs, batch_data_samples, x, cfg):
        """Proposals (InstanceData per image) with ``cfg`` (no gradient)."""
        with torch.no_grad():
            net = self.proposer if self.proposer is not None else self.model
            if net is not self.model:
                x = net.extract_feat(batch_inputs)
            metas = [s.metainfo for s in batch_data_samples]
            head = rpn_head_of(net)
            return head.predict_by_feat(*head(x), batch_img_metas=metas,
                                        cfg=cfg, rescale=False)

    def loss(self, batch_inputs, batch_data_samples):
        if self.trains_rpn:
            return self.model.loss(batch_inputs, batch_data_samples)
        x = self.model.extract_feat(batch_inputs)
        proposals = self._proposals(
            batch_inputs, batch_data_samples, x,
            self.model.train_cfg.get('rpn_proposal',
                                     self.model.test_cfg.rpn))
        return self.model.roi_head.loss(x, proposals, batch_data_samples)

    def predict(self, batch_inputs, batch_data_samples, rescale=True):
        if self.trains_rpn or self.proposer is None:
            return self.model.predict(batch_inputs, batch_data_samples,
                                      rescale)
        x = self.model.extract_feat(batch_inputs)
        proposals = self._proposals(batch_inputs, batch_data_samples, x,
                                    rpn_head_of(self.proposer).test_cfg)
        results = self.model.roi_head.predict(x, proposals,
                                              batch_data_samples,
                                              rescale=rescale)
        return self.add_pred_to_datasample(batch_data_samples, results)

    def _forward(self, batch_inputs, batch_data_samples=None):
        return self.model._forward(batch_inputs, batch_data_samples)

    def extract_feat(self, batch_inputs):
        return self.model.extract_feat(batch_inputs)
