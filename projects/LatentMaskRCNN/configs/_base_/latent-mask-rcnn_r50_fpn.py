# Latent-MaskRCNN R-50 FPN model: mmdet's Mask R-CNN plus the latent prior,
# encoder and fusion (FPN width 256, z 64-d).
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'
# (the configs using it import projects.LatentMaskRCNN.latent_mask_rcnn)
channels, latent_dim = 256, 64
model = dict(
    type='LatentMaskRCNN',
    prior=dict(type='LatentPrior', in_channels=channels,
               latent_dim=latent_dim, hidden=128),
    encoder=dict(
        type='LatentEncoder',
        in_channels=channels,
        latent_dim=latent_dim,
        node_dim=512,
        num_rounds=8,
        roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=28,
                           sampling_ratio=0),
            out_channels=channels,
            featmap_strides=[4, 8, 16, 32])),
    fusion=dict(type='LatentFusion', in_channels=channels,
                latent_dim=latent_dim, num_levels=5),
    posterior_prob=0.5,
    test_cfg=dict(
        latent=dict(mode='prior_mean', num_samples=10, p=0.9, iou_thr=0.5,
                    vote_thr=0.0, score_thr=0.05, min_score=0.1,
                    max_candidates=384, max_per_img=100, seed=0)))
