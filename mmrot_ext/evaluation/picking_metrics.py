"""Robot-picking metrics of Latent-MaskRCNN: double picks, pickable area,
and how well scores predict good masks.

The simulated gripper is a disc of ``radius`` pixels. A footprint is
*pickable* when the disc lies entirely inside one predicted mask; it is a
*double pick* when that disc also touches more than one ground-truth
instance. The double-pick rate is D / N over random footprint centres
(the paper's estimate, correlated with real robot double picks), the
pickable-area fraction is ``|union of predicted masks| / |union of GT
masks|``.
"""
import cv2
import numpy as np


def _disc(radius):
    size = 2 * radius + 1
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def footprint_maps(pred_masks, gt_masks, radius):
    """Per pixel centre: can the disc be picked, and how many GT it touches.

    Args:
        pred_masks (ndarray): (P, H, W) bool predicted masks.
        gt_masks (ndarray): (G, H, W) bool ground-truth masks.

    Returns:
        tuple[ndarray, ndarray]: (H, W) bool pickable (disc inside one
        predicted mask, and inside the image), (H, W) int number of GT
        instances the disc touches.
    """
    h, w = (pred_masks if len(pred_masks) else gt_masks).shape[1:]
    disc = _disc(radius)
    pickable = np.zeros((h, w), bool)
    for mask in pred_masks:
        # zero padding: a disc crossing the border is not inside the mask
        pickable |= cv2.erode(mask.astype(np.uint8), disc,
                              borderType=cv2.BORDER_CONSTANT,
                              borderValue=0).astype(bool)
    touched = np.zeros((h, w), np.int32)
    for mask in gt_masks:
        touched += cv2.dilate(mask.astype(np.uint8), disc).astype(bool)
    return pickable, touched


def double_pick_counts(pred_masks, gt_masks, radius=5, num_samples=1000,
                       rng=None):
    """(D, N) for one image: footprints inside one predicted mask (N) and,
    of those, footprints touching more than one GT instance (D).

    Args:
        num_samples (int | None): random footprint centres, uniform over the
            image; None counts every pixel centre (the exact expectation).
        rng (numpy.random.Generator, optional): for the random centres.
    """
    pickable, touched = footprint_maps(pred_masks, gt_masks, radius)
    if num_samples is None:
        ok, many = pickable, touched > 1
    else:
        rng = rng or np.random.default_rng(0)
        ys = rng.integers(0, pickable.shape[0], num_samples)
        xs = rng.integers(0, pickable.shape[1], num_samples)
        ok, many = pickable[ys, xs], touched[ys, xs] > 1
    return int((ok & many).sum()), int(ok.sum())


def double_pick_rate(images, radius=5, num_samples=1000, seed=0):
    """Double-pick rate and pickable-area fraction over a dataset.

    Args:
        images (iterable): (pred_masks (P, H, W) bool, gt_masks (G, H, W)
            bool) per image.

    Returns:
        dict: ``double_pick_rate`` (D / N, nan when no footprint was
        pickable), ``pickable_area`` (predicted / GT union area), ``D``,
        ``N``.
    """
    rng = np.random.default_rng(seed)
    d_total = n_total = pred_area = gt_area = 0
    for pred_masks, gt_masks in images:
        d, n = double_pick_counts(pred_masks, gt_masks, radius, num_samples,
                                  rng)
        d_total, n_total = d_total + d, n_total + n
        if len(pred_masks):
            pred_area += int(np.any(pred_masks, axis=0).sum())
        if len(gt_masks):
            gt_area += int(np.any(gt_masks, axis=0).sum())
    return dict(double_pick_rate=d_total / n_total if n_total else
                float('nan'),
                pickable_area=pred_area / gt_area if gt_area else
                float('nan'),
                D=d_total, N=n_total)


def roc_auc(scores, positives):
    """Area under the ROC curve of ``scores`` for binary ``positives``
    (Mann-Whitney U with tied scores counted half); nan if one class is
    missing."""
    scores = np.asarray(scores, float)
    positives = np.asarray(positives, bool)
    n_pos, n_neg = positives.sum(), (~positives).sum()
    if not n_pos or not n_neg:
        return float('nan')
    order = np.argsort(scores, kind='mergesort')
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # average rank (1-based) within ties
    _, first, counts = np.unique(sorted_scores, return_index=True,
                                 return_counts=True)
    avg = first + (counts + 1) / 2
    ranks[order] = np.repeat(avg, counts)
    u = ranks[positives].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def score_quality_auc(scores, best_ious, iou_thr=0.5):
    """ROC AUC of prediction scores for "mask IoU with its best GT >
    ``iou_thr``"; ``best_ious`` (N,) per prediction."""
    return roc_auc(scores, np.asarray(best_ious) > iou_thr)
