# cpu-tiny Latent-MaskRCNN on the ambiguous bag scenes: the Mask R-CNN
# config next to it plus the latent prior, encoder and fusion.
_base_ = './mask-rcnn_r18_fpn_cpu-tiny_synthetic-bags.py'
custom_imports = dict(
    imports=['mmrot_ext.modules', 'projects.LatentMaskRCNN.latent_mask_rcnn'],
    allow_failed_imports=False)

channels, latent_dim = 64, 64
model = dict(
    type='LatentMaskRCNN',
    prior=dict(type='LatentPrior', in_channels=channels,
               latent_dim=latent_dim, hidden=64),
    encoder=dict(
        type='LatentEncoder',
        in_channels=channels,
        latent_dim=latent_dim,
        node_dim=64,
        num_rounds=2,
        roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14,
                           sampling_ratio=2),
            out_channels=channels,
            featmap_strides=[4, 8, 16, 32])),
    fusion=dict(type='LatentFusion', in_channels=channels,
                latent_dim=latent_dim, num_levels=5),
    posterior_prob=0.5,
    test_cfg=dict(
        # prior_mean | samples | confidence | union_nms
        latent=dict(mode='prior_mean', num_samples=8, p=0.9, iou_thr=0.5,
                    vote_thr=0.0, score_thr=0.05, min_score=0.1,
                    max_candidates=512, max_per_img=100, seed=0)))

# beta: 0 for the first 60 % of the 1250 iterations, then a linear ramp
custom_hooks = [
    dict(type='KLWeightScheduleHook',
         points=[(0, 0.0), (750, 0.0), (1250, 1e-3)])
]
