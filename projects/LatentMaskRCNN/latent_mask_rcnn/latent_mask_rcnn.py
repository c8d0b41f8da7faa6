"""Latent-MaskRCNN: a Mask R-CNN whose FPN maps carry a latent code z."""
import copy

import torch
from mmdet.models.detectors import MaskRCNN
from mmdet.structures.bbox import get_box_tensor
from mmdet.structures.mask import mask2bbox
from mmengine.structures import InstanceData

from mmrot_ext.registry import DET_MODELS
from .latent_modules import gaussian_kl, sample_gaussian
from .sample_fusion import confidence_masks, union_nms

INFERENCE_MODES = ('prior_mean', 'samples', 'confidence', 'union_nms')


@DET_MODELS.register_module()
class LatentMaskRCNN(MaskRCNN):
    """Mask R-CNN + latent code (Liu et al., Latent-MaskRCNN).

    Training: z is a sample of the encoder's q(z|x, y) for an image with
    probability ``posterior_prob``, else the prior mean (so the prior mean
    learns to decode well); loss = Mask R-CNN loss + ``kl_weight`` x
    KL(q || p). ``kl_weight`` is set by ``KLWeightScheduleHook``.

    Inference, ``test_cfg.latent``:

    * ``mode='prior_mean'``: z = the prior mean, one pass;
    * ``'samples'``: ``num_samples`` z from the prior, all their instances;
    * ``'confidence'``: confidence masks with requirement ``p``, picked
      while their score is >= ``min_score`` (0.1: Algorithm 1's stop);
    * ``'union_nms'``: Union-NMS (``iou_thr``, ``vote_thr``) over the top
      ``max_candidates`` (512, the public code's cap) masks of all samples,
      at most ``max_per_img`` out.

    The K samples share one backbone / neck pass; the fused features, RPN
    and RoI heads run once on a batch of B x K.

    Args:
        prior (dict), encoder (dict), fusion (dict): configs of
            ``LatentPrior``, ``LatentEncoder``, ``LatentFusion``.
        posterior_prob (float): chance of a posterior sample per image.
        kl_weight (float): initial beta.
    """

    def __init__(self, *args, prior, encoder, fusion, posterior_prob=0.5,
                 kl_weight=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.prior = DET_MODELS.build(prior)
        self.encoder = DET_MODELS.build(encoder)
        self.fusion = DET_MODELS.build(fusion)
        self.posterior_prob = posterior_prob
        self.kl_weight = kl_weight

    def _latent_cfg(self):
        cfg = dict(mode='prior_mean', num_samples=8, p=0.9, min_score=0.1,
                   iou_thr=0.5, vote_thr=0.0, score_thr=0.05,
                   max_candidates=512, max_per_img=100, seed=None)
        cfg.update(self.test_cfg.get('latent', {}) if self.test_cfg else {})
        if cfg['mode'] not in INFERENCE_MODES:
            raise ValueError(f'test_cfg.latent.mode must be one of '
                             f'{INFERENCE_MODES}, got {cfg["mode"]!r}')
        return cfg

    def loss(self, batch_inputs, batch_data_samples):
        feats = self.extract_feat(batch_inputs)
        gt = [s.gt_instances for s in batch_data_samples]
        prior = self.prior(feats)
        posterior = self.encoder(feats, gt)
        z_post = sample_gaussian(posterior, 1)
        use_post = torch.rand(len(gt), device=z_post.device) < \
            self.posterior_prob
        z = torch.where(use_post[:, None], z_post, prior[0])
        x = self.fusion(feats, z)
        losses = dict()
        proposal_cfg = self.train_cfg.get('rpn_proposal', self.test_cfg.rpn)
        rpn_samples = copy.deepcopy(batch_data_samples)
        for sample in rpn_samples:
            sample.gt_instances.labels = torch.zeros_like(
                sample.gt_instances.labels)
        rpn_losses, proposals = self.rpn_head.loss_and_predict(
            x, rpn_samples, proposal_cfg=proposal_cfg)
        for key in list(rpn_losses):
            if 'loss' in key and 'rpn' not in key:
                rpn_losses[f'rpn_{key}'] = rpn_losses.pop(key)
        losses.update(rpn_losses)
        losses.update(self.roi_head.loss(x, proposals, batch_data_samples))
        kl = gaussian_kl(posterior, prior).mean()
        losses['loss_kl'] = self.kl_weight * kl
        losses['kl'] = kl.detach()  # logged, not optimised
        return losses

    def _decode(self, feats, z, batch_data_samples, rescale):
        """Predictions of the heads for latent codes ``z`` (B*K, Z), where
        ``feats`` and ``batch_data_samples`` are already repeated K times."""
        x = self.fusion(feats, z)
        proposals = self.rpn_head.predict(x, batch_data_samples,
                                          rescale=False)
        return self.roi_head.predict(x, proposals, batch_data_samples,
                                     rescale=rescale)

    def predict(self, batch_inputs, batch_data_samples, rescale=True):
        cfg = self._latent_cfg()
        feats = self.extract_feat(batch_inputs)  # the one backbone pass
        prior = self.prior(feats)
        if cfg['mode'] == 'prior_mean':
            results = self._decode(feats, prior[0], batch_data_samples,
                                   rescale)
            return self.add_pred_to_datasample(batch_data_samples, results)
        k = cfg['num_samples']
        generator = None
        if cfg['seed'] is not None:
            generator = torch.Generator(device=prior[0].device)
            generator.manual_seed(cfg['seed'])
        z = sample_gaussian(prior, k, generator)
        feats_k = tuple(f.repeat_interleave(k, 0) for f in feats)
        samples_k = [s for s in batch_data_samples for _ in range(k)]
        results = self._decode(feats_k, z, samples_k, rescale)
        fused = [
            self._fuse(results[i * k:(i + 1) * k], cfg)
            for i in range(len(batch_data_samples))
        ]
        return self.add_pred_to_datasample(batch_data_samples, fused)

    @staticmethod
    def _fuse(sample_results, cfg):
        """One image's K InstanceData -> one InstanceData."""
        masks = torch.cat([r.masks for r in sample_results]).bool()
        scores = torch.cat([r.scores for r in sample_results])
        labels = torch.cat([r.labels for r in sample_results])
        bboxes = torch.cat([get_box_tensor(r.bboxes)
                            for r in sample_results])
        ids = torch.cat([
            torch.full((len(r), ), i, dtype=torch.long)
            for i, r in enumerate(sample_results)
        ])
        out = InstanceData()
        if cfg['mode'] == 'samples':
            out.masks, out.scores, out.labels = masks, scores, labels
            out.bboxes, out.sample_ids = bboxes, ids
            return out
        keep = scores > cfg['score_thr']
        masks, scores, labels, ids = (masks[keep], scores[keep],
                                      labels[keep], ids[keep])
        if cfg['mode'] == 'confidence':
            masks, scores, labels = confidence_masks(
                masks, scores, labels, ids, len(sample_results), cfg['p'],
                cfg['min_score'], cfg['max_per_img'])
        else:
            masks, scores, labels = union_nms(
                masks, scores, labels, cfg['iou_thr'], cfg['min_score'],
                cfg['vote_thr'], cfg['max_per_img'], cfg['max_candidates'])
        out.masks, out.scores, out.labels = masks, scores, labels
        out.bboxes = mask2bbox(masks) if len(masks) else \
            scores.new_zeros((0, 4))
        return out
