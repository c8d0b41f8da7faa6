"""The confidence-mask fusion as it was before it was made incremental:
the reference the fast implementation must equal on fixed inputs."""
import math

import torch


def _flat(masks):
    return masks.flatten(1).float()


def reference_confidence_masks(masks, scores, labels, sample_ids,
                               num_samples, p, min_score=0.1,
                               max_instances=256):
    """Confidence masks as implemented before the incremental version
    (commit 89bb36f): recomputes every intersection each round."""
    if not 0 < p <= 1:
        raise ValueError(f'confidence requirement p must be in (0, 1], got '
                         f'{p}')
    need = max(1, math.ceil(p * num_samples - 1e-9))
    h, w = masks.shape[1:]
    out_masks, out_scores, out_labels = [], [], []
    if need > num_samples or len(masks) == 0:
        return masks.new_zeros((0, h, w)), scores.new_zeros(0), \
            labels.new_zeros(0)
    flat = _flat(masks)  # (M, HW)
    areas = flat.sum(1).clamp(min=1)
    same_sample = sample_ids[:, None] == sample_ids[None]
    claimed = torch.zeros(h * w, dtype=torch.bool, device=masks.device)
    while len(out_masks) < max_instances:
        free = flat * (~claimed).float()
        inter = free @ free.T  # (M, M)
        inter[same_sample] = -1  # one mask per other sample
        # per (seed, sample k): the mask of k meeting the seed most, (M, K)
        best = flat.new_full((len(flat), num_samples), -1.0)
        arg = torch.zeros_like(best, dtype=torch.long)
        for k in range(num_samples):
            cols = torch.nonzero(sample_ids == k).flatten()
            if len(cols):
                best[:, k], idx = inter[:, cols].max(1)
                arg[:, k] = cols[idx]
        top_val, top_k = best.topk(need - 1, dim=1) if need > 1 else \
            (best[:, :0], best[:, :0].long())
        members = torch.cat([torch.arange(len(flat))[:, None],
                             arg.gather(1, top_k)], 1)  # (M, need)
        valid = (top_val > 0).all(1) & (free.sum(1) > 0)
        conf = free.bool()
        for col in range(1, need):
            conf = conf & flat[members[:, col]].bool()
        conf_area = conf.sum(1).float()
        score = (scores[members] * conf_area[:, None] /
                 areas[members]).mean(1)
        score = torch.where(valid & (conf_area > 0), score,
                            torch.zeros_like(score))
        pick = int(score.argmax())
        if score[pick] < min_score:
            break
        group = members[pick]
        label_scores = torch.zeros(int(labels.max()) + 1,
                                   device=scores.device)
        label_scores.index_add_(0, labels[group], scores[group])
        out_masks.append(conf[pick].reshape(h, w))
        out_scores.append(score[pick])
        out_labels.append(label_scores.argmax())
        claimed |= conf[pick]
    if not out_masks:
        return masks.new_zeros((0, h, w)), scores.new_zeros(0), \
            labels.new_zeros(0)
    return torch.stack(out_masks), torch.stack(out_scores), \
        torch.stack(out_labels)
