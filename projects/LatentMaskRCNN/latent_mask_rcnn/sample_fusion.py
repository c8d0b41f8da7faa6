"""Turn K sampled segmentations of one image into one prediction set.

Latent-MaskRCNN draws K latent codes and decodes K instance sets. Two ways
to combine them (paper, Sections IV-A/B and IV-C):

* :func:`confidence_masks` (Algorithm 1, high precision): a p-confidence
  mask is the intersection of one mask from each of at least ``ceil(p K)``
  different samples, so it lies inside a sampled mask for a fraction >= p
  of the samples. Its score is the mean score-weighted IoU between it and
  the masks intersected. Masks are picked greedily by score, each pick's
  pixels excluded from everything after.
* :func:`union_nms` (Algorithm 2, high recall): mask NMS over all samples;
  each kept mask is replaced by its union with the masks it suppressed.

Inputs are flat over the samples: masks (M, H, W) bool, scores (M,),
labels (M,), sample ids (M,) in ``[0, K)``.
"""
import math

import torch


def _flat(masks):
    return masks.flatten(1).float()


def _pixel_lists(flat):
    """Flat pixel indices of each mask of (M, HW) bool ``flat``, padded
    with 0: (M, P) long, and (M, P) bool, True where the index is one of
    the mask's pixels."""
    rows, cols = torch.nonzero(flat, as_tuple=True)  # row-major order
    counts = flat.sum(1)
    width = max(int(counts.max()), 1) if len(flat) else 1
    starts = torch.cumsum(counts, 0) - counts
    slot = torch.arange(len(rows), device=flat.device) - starts[rows]
    pixels = torch.zeros((len(flat), width), dtype=torch.long,
                         device=flat.device)
    pixels[rows, slot] = cols
    on_mask = torch.arange(width, device=flat.device)[None] < counts[:, None]
    return pixels, on_mask


def _columns_by_sample(sample_ids, num_samples):
    """(K, C) long: the mask indices of each sample in increasing order,
    padded with M (one past the last mask)."""
    counts = torch.bincount(sample_ids, minlength=num_samples)
    order = torch.argsort(sample_ids, stable=True)
    starts = torch.cumsum(counts, 0) - counts
    slot = torch.arange(len(order), device=order.device) - \
        starts[sample_ids[order]]
    width = max(int(counts.max()), 1)
    cols = torch.full((num_samples, width), len(sample_ids),
                      dtype=torch.long, device=order.device)
    cols[sample_ids[order], slot] = order
    return cols


def confidence_masks(masks, scores, labels, sample_ids, num_samples, p,
                     min_score=0.1, max_instances=256):
    """Greedy p-confidence masks (the paper's Algorithm 1).

    For every candidate seed mask (pixels already claimed removed), each
    other sample contributes its mask with the largest intersection with
    the seed; the seed and the ``ceil(p K) - 1`` samples with the largest
    such intersections form the set I. The confidence mask is the pixelwise
    AND over I, scored ``mean_{j in I} s_j |c| / |m_j|`` (its IoU with m_j,
    as c lies inside m_j). The best-scoring one is kept, its pixels claimed
    (class-agnostic, as the paper excludes "the pixels of all confidence
    masks predicted so far"), and the search repeats until the best score is
    below ``min_score`` (0.1: Algorithm 1 runs "while masks in M have score
    > 0.1"; 0.01 was used here before). The label is the one with the
    largest summed score within I.

    Cost: the pairwise intersections are computed once and updated by the
    claimed pixels after each pick; a seed's confidence mask is counted
    over the seed's own pixels only (it lies inside the seed); and after a
    pick only the seeds that meet the claimed pixels are re-scored (no
    other seed's intersections, free pixels or members change). Outputs
    equal the implementation that recomputed everything each round
    (``tests/test_latent/reference_fusion.py``). Runs on the masks'
    device; the greedy loop syncs with the host twice per output (the pick
    and the seeds to re-score).

    Args:
        masks (Tensor): (M, H, W) bool.
        scores (Tensor): (M,) float.
        labels (Tensor): (M,) long.
        sample_ids (Tensor): (M,) long, values in [0, num_samples).
        num_samples (int): K (samples that predicted nothing still count).
        p (float): confidence requirement in (0, 1].

    Returns:
        tuple[Tensor, Tensor, Tensor]: masks (N, H, W) bool, scores (N,),
        labels (N,).
    """
    if not 0 < p <= 1:
        raise ValueError(f'confidence requirement p must be in (0, 1], got '
                         f'{p}')
    need = max(1, math.ceil(p * num_samples - 1e-9))
    h, w = masks.shape[1:]
    if need > num_samples or len(masks) == 0:
        return masks.new_zeros((0, h, w)), scores.new_zeros(0), \
            labels.new_zeros(0)
    device = masks.device
    as_bool = masks.flatten(1).bool()  # (M, HW)
    flat = as_bool.float()
    areas = flat.sum(1).clamp(min=1)
    claimed = torch.zeros(h * w, dtype=torch.bool, device=device)
    # pairwise intersections of the unclaimed parts, kept up to date by
    # subtracting each claimed mask's pixels (integer-valued: exact); a
    # seed's masks of its own sample are not candidates (-1), and column M
    # (-1) pads the per-sample column lists
    inter = flat @ flat.T
    same_sample = sample_ids[:, None] == sample_ids[None]
    columns = _columns_by_sample(sample_ids, num_samples)  # (K, C)
    pixels, on_mask = _pixel_lists(as_bool)  # each seed's pixels (M, P)
    num_labels = int(labels.max()) + 1
    score = scores.new_zeros(len(flat))
    conf = torch.zeros_like(on_mask)
    members = torch.zeros((len(flat), need), dtype=torch.long,
                          device=device)

    def rescore(rows):
        """Members, confidence pixels and score of the seeds ``rows``."""
        candidate = torch.cat([
            inter[rows].masked_fill(same_sample[rows], -1),
            inter.new_full((len(rows), 1), -1)
        ], 1)
        # per (seed, sample k): the mask of k meeting the seed most
        best, idx = candidate[:, columns].max(2)  # (R, K)
        arg = columns.gather(1, idx.T).T
        arg = arg.masked_fill(arg == len(flat), 0)
        top_val, top_k = best.topk(need - 1, dim=1)
        group = torch.cat([rows[:, None], arg.gather(1, top_k)], 1)
        members[rows] = group
        row_pixels = pixels[rows]
        inside = on_mask[rows] & ~claimed[row_pixels]  # the free pixels
        valid = (top_val > 0).all(1) & inside.any(1)
        for col in range(1, need):
            inside = inside & as_bool[group[:, col, None], row_pixels]
        conf[rows] = inside
        conf_area = inside.sum(1).float()
        row_score = (scores[group] * conf_area[:, None] /
                     areas[group]).mean(1)
        score[rows] = torch.where(valid & (conf_area > 0), row_score,
                                  torch.zeros_like(row_score))

    rescore(torch.arange(len(flat), device=device))
    out_masks, out_scores, out_labels = [], [], []
    while len(out_masks) < max_instances:
        pick = int(score.argmax())  # greedy: one host sync per output
        if score[pick] < min_score:
            break
        group = members[pick]
        label_scores = scores.new_zeros(num_labels)
        label_scores.index_add_(0, labels[group], scores[group])
        new = torch.zeros(h * w, dtype=torch.bool, device=device)
        new[pixels[pick][conf[pick]]] = True
        out_masks.append(new.reshape(h, w))
        out_scores.append(score[pick].clone())  # score changes in place
        out_labels.append(label_scores.argmax())
        claimed |= new
        cut = flat[:, new]
        inter -= cut @ cut.T
        rescore(torch.nonzero(cut.any(1)).flatten())  # the second sync
    if not out_masks:
        return masks.new_zeros((0, h, w)), scores.new_zeros(0), \
            labels.new_zeros(0)
    return torch.stack(out_masks), torch.stack(out_scores), \
        torch.stack(out_labels)


def mask_iou_matrix(masks):
    """(M, M) IoU of bool masks (M, H, W)."""
    flat = _flat(masks)
    inter = flat @ flat.T
    areas = flat.sum(1)
    return inter / (areas[:, None] + areas[None] - inter).clamp(min=1)


def union_nms(masks, scores, labels, iou_thr=0.5, score_thr=0.01,
              vote_thr=0.0, max_instances=256, max_candidates=512):
    """Union-NMS (the paper's Algorithm 2).

    The ``max_candidates`` best-scoring masks of all samples (the public
    code's MAX_INSTANCES, 384 / 512) are sorted by score; at most
    ``max_instances`` clusters come out. A mask not yet suppressed
    leads a cluster of every later unsuppressed mask of its class with
    mask IoU >= ``iou_thr``, which it suppresses. The output for a cluster
    is the set of pixels covered by more than ``vote_thr`` of its masks
    (0: the union, as in the paper), with the leader's score and label.
    Runs on the masks' device except the greedy clustering, which runs on
    the host over one copied (M, M) bool matrix.

    Returns:
        tuple[Tensor, Tensor, Tensor]: masks (N, H, W) bool, scores (N,),
        labels (N,), by decreasing score.
    """
    keep = (scores > score_thr) & masks.flatten(1).any(1)
    masks, scores, labels = masks[keep], scores[keep], labels[keep]
    order = scores.argsort(descending=True)[:max_candidates]
    masks, scores, labels = masks[order], scores[order], labels[order]
    overlaps = ((mask_iou_matrix(masks) >= iou_thr) &
                (labels[:, None] == labels[None])).cpu()
    suppressed = torch.zeros(len(masks), dtype=torch.bool)
    leaders, clusters = [], []
    for i in range(len(masks)):
        if len(leaders) == max_instances:
            break
        if suppressed[i]:
            continue
        cluster = overlaps[i] & ~suppressed
        cluster[:i] = False
        cluster[i] = True
        suppressed |= cluster
        leaders.append(i)
        clusters.append(torch.nonzero(cluster).flatten())
    if not leaders:
        h, w = masks.shape[1:]
        return masks.new_zeros((0, h, w)), scores.new_zeros(0), \
            labels.new_zeros(0)
    fused = torch.stack([
        masks[members.to(masks.device)].float().mean(0) > vote_thr
        for members in clusters
    ])
    leaders = torch.tensor(leaders, device=masks.device)
    return fused, scores[leaders], labels[leaders]
