"""The latent parts of Latent-MaskRCNN: prior p(z|x), encoder q(z|x,y),
fusion of z into the FPN maps, and the Gaussian KL between them.

A distribution is a pair ``(mean, logvar)``, each (B, Z).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.structures.bbox import get_box_tensor
from mmdet.structures.mask import BitmapMasks, PolygonMasks

from mmrot_ext.registry import DET_MODELS


def gaussian_kl(q, p):
    """KL(q || p) of diagonal Gaussians, summed over dims: (B,)."""
    (mu_q, logvar_q), (mu_p, logvar_p) = q, p
    return 0.5 * (logvar_p - logvar_q +
                  (logvar_q.exp() + (mu_q - mu_p)**2) / logvar_p.exp() -
                  1).sum(-1)


def sample_gaussian(dist, num, generator=None):
    """``num`` samples per row: (B * num, Z), rows of one image adjacent."""
    mean, logvar = dist
    mean = mean.repeat_interleave(num, 0)
    std = (0.5 * logvar).exp().repeat_interleave(num, 0)
    eps = torch.randn(mean.shape, generator=generator, device=mean.device)
    return mean + std * eps


@DET_MODELS.register_module()
class LatentPrior(nn.Module):
    """p(z|x): convs on every FPN map, spatial mean-pool, mean over levels,
    MLP to mean and log-variance.

    Args:
        in_channels (int): FPN width C.
        latent_dim (int): Z.
        hidden (int): channels of the convs and the MLP.
    """

    def __init__(self, in_channels=256, latent_dim=64, hidden=128):
        super().__init__()
        self.convs = nn.Sequential(
            nn.Conv2d(in_channels, hidden // 2, 3, padding=1),
            nn.LeakyReLU(0.1), nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(hidden // 2, hidden, 3, padding=1))
        self.mlp = nn.Sequential(
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.1),
            nn.Linear(hidden, 2 * latent_dim))
        nn.init.zeros_(self.mlp[-1].weight)  # start at N(0, I)
        nn.init.zeros_(self.mlp[-1].bias)

    def forward(self, feats):
        """feats: tuple of (B, C, H_l, W_l) -> (mean, logvar), each (B, Z)."""
        pooled = torch.stack(
            [self.convs(f).mean((2, 3)) for f in feats]).mean(0)
        return self.mlp(pooled).chunk(2, dim=-1)


@DET_MODELS.register_module()
class LatentEncoder(nn.Module):
    """q(z|x, y): every GT instance of an image becomes a node (RoI features
    of its box + its mask + 2 coordinate channels, a small CNN); a few rounds
    of attention message passing over the image's nodes; mean-pool; linear
    to mean and log-variance. An image without GT uses a learned node.

    Args:
        roi_extractor (dict): RoI extractor config (mmdet
            ``SingleRoIExtractor``) giving (N, C, S, S).
        in_channels (int): C.
        latent_dim (int): Z.
        node_dim (int): node feature size.
        num_rounds (int): message-passing rounds.
    """

    def __init__(self, roi_extractor, in_channels=256, latent_dim=64,
                 node_dim=128, num_rounds=2):
        super().__init__()
        self.roi_extractor = DET_MODELS.build(roi_extractor)
        self.size = self.roi_extractor.roi_layers[0].output_size[0]
        self.cnn = nn.Sequential(
            nn.Conv2d(in_channels + 3, 64, 3, padding=1), nn.LeakyReLU(0.1),
            nn.Conv2d(64, 64, 3, stride=2, padding=1), nn.LeakyReLU(0.1),
            nn.Conv2d(64, 64, 3, stride=2, padding=1), nn.LeakyReLU(0.1),
            nn.AdaptiveAvgPool2d(2), nn.Flatten(),
            nn.Linear(256, node_dim))
        self.query = nn.ModuleList(
            nn.Linear(node_dim, node_dim) for _ in range(num_rounds))
        self.key = nn.ModuleList(
            nn.Linear(node_dim, node_dim) for _ in range(num_rounds))
        self.value = nn.ModuleList(
            nn.Linear(node_dim, node_dim) for _ in range(num_rounds))
        self.update = nn.ModuleList(
            nn.Sequential(nn.Linear(2 * node_dim, node_dim),
                          nn.LeakyReLU(0.1))
            for _ in range(num_rounds))
        self.empty_node = nn.Parameter(torch.zeros(node_dim))
        self.readout = nn.Linear(node_dim, 2 * latent_dim)

    def _mask_crops(self, masks, bboxes):
        """GT masks cropped to their boxes: (N, 1, S, S) float."""
        if isinstance(masks, (BitmapMasks, PolygonMasks)):
            crops = masks.crop_and_resize(
                bboxes, (self.size, self.size),
                torch.arange(len(bboxes), device=bboxes.device),
                device=bboxes.device).to_tensor(torch.float32, bboxes.device)
        else:
            raise TypeError(f'LatentEncoder needs GT masks as BitmapMasks or '
                            f'PolygonMasks, got {type(masks).__name__}')
        return crops[:, None]

    def nodes(self, feats, gt_instances):
        """Node features of every GT instance: list of (N_i, D)."""
        boxes = [get_box_tensor(g.bboxes) for g in gt_instances]
        rois = torch.cat([
            torch.cat([b.new_full((len(b), 1), i), b], 1)
            for i, b in enumerate(boxes)
        ])
        if len(rois) == 0:
            return [self.empty_node[None] for _ in boxes]
        roi_feats = self.roi_extractor(
            feats[:self.roi_extractor.num_inputs], rois)
        masks = torch.cat([
            self._mask_crops(g.masks, b) for g, b in zip(gt_instances, boxes)
        ]).to(roi_feats.dtype)
        ys, xs = torch.meshgrid(
            torch.linspace(-1, 1, self.size, device=rois.device),
            torch.linspace(-1, 1, self.size, device=rois.device),
            indexing='ij')
        coords = torch.stack([ys, xs])[None].expand(len(rois), -1, -1, -1)
        node = self.cnn(torch.cat([roi_feats, masks, coords], 1))
        return list(node.split([len(b) for b in boxes]))

    def forward(self, feats, gt_instances):
        """(mean, logvar), each (B, Z), for B images' GT instances."""
        outputs = []
        for node in self.nodes(feats, gt_instances):
            if len(node) == 0:
                node = self.empty_node[None]
            for q, k, v, update in zip(self.query, self.key, self.value,
                                       self.update):
                attn = F.softmax(
                    q(node) @ k(node).T / node.shape[1]**0.5, dim=-1)
                node = node + update(torch.cat([node, attn @ v(node)], 1))
            outputs.append(self.readout(node.mean(0)))
        return torch.stack(outputs).chunk(2, dim=-1)


@DET_MODELS.register_module()
class LatentFusion(nn.Module):
    """Tile z over every FPN level, concatenate, 1x1 conv back to C (one
    conv per level).

    Args:
        in_channels (int): C.
        latent_dim (int): Z.
        num_levels (int): FPN levels.
    """

    def __init__(self, in_channels=256, latent_dim=64, num_levels=5):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv2d(in_channels + latent_dim, in_channels, 1)
            for _ in range(num_levels))
        for conv in self.convs:  # start as the identity on the features
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)
            with torch.no_grad():
                conv.weight[:, :in_channels, 0, 0].copy_(
                    torch.eye(in_channels))

    def forward(self, feats, z):
        """feats: tuple of (B, C, H, W); z: (B, Z) -> tuple like feats."""
        if len(feats) != len(self.convs):
            raise ValueError(f'LatentFusion has {len(self.convs)} levels, '
                             f'got {len(feats)} feature maps')
        return tuple(
            conv(torch.cat([f, z[:, :, None, None].expand(
                -1, -1, *f.shape[2:])], 1))
            for conv, f in zip(self.convs, feats))
