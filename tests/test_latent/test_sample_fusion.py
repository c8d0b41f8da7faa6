"""Confidence masks (Algorithm 1) and Union-NMS (Algorithm 2) on
hand-worked cases, and the fast confidence masks against the reference
implementation they replaced."""
import pytest
import torch

from projects.LatentMaskRCNN.latent_mask_rcnn import (
    confidence_masks,
    union_nms,
)

from .reference_fusion import reference_confidence_masks

H = W = 16
# the fusion runs on the masks' device: CUDA too where there is one
# (benchmarks/gpu_check.sh runs this file on a GPU)
DEVICES = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])


def rect(y0, y1, x0, x1):
    mask = torch.zeros(H, W, dtype=torch.bool)
    mask[y0:y1, x0:x1] = True
    return mask


def flat_samples(samples):
    """[[(mask, score, label), ...] per sample] -> flat tensors."""
    masks, scores, labels, ids = [], [], [], []
    for k, sample in enumerate(samples):
        for mask, score, label in sample:
            masks.append(mask)
            scores.append(score)
            labels.append(label)
            ids.append(k)
    return (torch.stack(masks), torch.tensor(scores), torch.tensor(labels),
            torch.tensor(ids))


TWO = [(rect(0, 8, 0, 6), 0.9, 0), (rect(8, 16, 4, 12), 0.7, 1)]


@pytest.mark.parametrize('p', [0.3, 0.6, 1.0])
def test_identical_samples_give_back_the_sample(p):
    masks, scores, labels, ids = flat_samples([TWO] * 5)
    out_masks, out_scores, out_labels = confidence_masks(
        masks, scores, labels, ids, num_samples=5, p=p)
    assert len(out_masks) == 2
    assert torch.equal(out_masks[0], TWO[0][0])
    assert torch.equal(out_masks[1], TWO[1][0])
    assert out_scores.tolist() == pytest.approx([0.9, 0.7])
    assert out_labels.tolist() == [0, 1]


def test_disjoint_samples_give_nothing_at_high_p():
    samples = [[(rect(0, 4, 4 * k, 4 * k + 4), 0.9, 0)] for k in range(4)]
    masks, scores, labels, ids = flat_samples(samples)
    out = confidence_masks(masks, scores, labels, ids, 4, p=0.9)
    assert len(out[0]) == 0
    # p = 1/4: every sample alone is confident enough
    out = confidence_masks(masks, scores, labels, ids, 4, p=0.25)
    assert len(out[0]) == 4


def test_intersection_and_score_by_hand():
    # one object, three samples disagreeing on its right edge
    samples = [[(rect(0, 8, 0, 8), 0.8, 0)], [(rect(0, 8, 0, 6), 0.6, 0)],
               [(rect(0, 8, 0, 4), 0.9, 0)]]
    masks, scores, labels, ids = flat_samples(samples)
    # p = 2/3: two masks; the best pair is (8-wide, 6-wide): c = 48 px,
    # score mean(0.8 * 48/64, 0.6 * 48/48) = 0.6; the 6-wide seed with the
    # 4-wide: c = 32, mean(0.6 * 32/48, 0.9) = 0.65, the best
    out_masks, out_scores, _ = confidence_masks(masks, scores, labels, ids,
                                                3, p=0.6)
    assert torch.equal(out_masks[0], rect(0, 8, 0, 4))
    assert out_scores[0].item() == pytest.approx(0.65)
    # p = 1: all three: c = the 4-wide mask,
    # score mean(0.8 * 32/64, 0.6 * 32/48, 0.9 * 32/32)
    out_masks, out_scores, _ = confidence_masks(masks, scores, labels, ids,
                                                3, p=1.0)
    assert len(out_masks) == 1
    assert torch.equal(out_masks[0], rect(0, 8, 0, 4))
    assert out_scores[0].item() == pytest.approx(
        (0.8 * 0.5 + 0.6 * 32 / 48 + 0.9) / 3)


def test_confidence_area_shrinks_as_p_rises():
    gen = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(10):
        dy, dx = torch.randint(-2, 3, (2, ), generator=gen).tolist()
        samples.append([(rect(4 + dy, 12 + dy, 3 + dx, 13 + dx), 0.9, 0)])
    masks, scores, labels, ids = flat_samples(samples)
    areas = []
    for p in (0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        out_masks, _, _ = confidence_masks(masks, scores, labels, ids, 10, p)
        areas.append(int(out_masks.sum()))
    assert areas == sorted(areas, reverse=True), areas
    assert areas[0] > areas[-1] > 0


def test_claimed_pixels_are_excluded():
    masks, scores, labels, ids = flat_samples(
        [[(rect(0, 8, 0, 8), 0.9, 0), (rect(0, 8, 4, 12), 0.8, 0)]] * 2)
    out_masks, _, _ = confidence_masks(masks, scores, labels, ids, 2, p=1.0)
    assert len(out_masks) == 2
    assert not (out_masks[0] & out_masks[1]).any()
    assert torch.equal(out_masks[1], rect(0, 8, 8, 12))


def test_bad_requirement_is_an_error():
    masks, scores, labels, ids = flat_samples([TWO])
    with pytest.raises(ValueError, match='must be in'):
        confidence_masks(masks, scores, labels, ids, 1, p=0)


def test_union_nms_returns_union_of_suppressed():
    a, b = rect(0, 8, 0, 8), rect(0, 8, 2, 10)  # IoU 48/80 = 0.6
    far = rect(10, 16, 10, 16)
    masks = torch.stack([b, a, far, a])
    scores = torch.tensor([0.7, 0.9, 0.5, 0.6])
    labels = torch.tensor([0, 0, 0, 1])
    out_masks, out_scores, out_labels = union_nms(masks, scores, labels,
                                                  iou_thr=0.5)
    # a (0.9) leads {a, b}; a of class 1 is not merged; far stands alone
    assert out_scores.tolist() == pytest.approx([0.9, 0.6, 0.5])
    assert out_labels.tolist() == [0, 1, 0]
    assert torch.equal(out_masks[0], a | b)
    assert torch.equal(out_masks[1], a)
    assert torch.equal(out_masks[2], far)
    # above the IoU of a and b nothing is merged
    out_masks, _, _ = union_nms(masks, scores, labels, iou_thr=0.7)
    assert len(out_masks) == 4 and torch.equal(out_masks[0], a)
    # a vote threshold of 0.5 keeps pixels of both: the intersection
    out_masks, _, _ = union_nms(masks, scores, labels, iou_thr=0.5,
                                vote_thr=0.5)
    assert torch.equal(out_masks[0], a & b)


def test_union_nms_drops_low_scores_and_empty_masks():
    masks = torch.stack([rect(0, 4, 0, 4), rect(0, 0, 0, 0)])
    out = union_nms(masks, torch.tensor([0.005, 0.9]), torch.tensor([0, 0]))
    assert len(out[0]) == 0


def test_union_nms_unions_candidates_beyond_the_output_cap():
    # the public code's MAX_INSTANCES caps the input, not the output: a
    # low-score sample mask beyond max_instances still joins its cluster
    a, b = rect(0, 8, 0, 8), rect(0, 8, 2, 10)  # IoU 0.6
    far = rect(10, 16, 10, 16)
    masks = torch.stack([a, far, b])
    scores = torch.tensor([0.9, 0.8, 0.3])
    labels = torch.zeros(3, dtype=torch.long)
    out_masks, out_scores, _ = union_nms(masks, scores, labels,
                                         max_instances=2)
    assert out_scores.tolist() == pytest.approx([0.9, 0.8])
    assert torch.equal(out_masks[0], a | b)
    # capping the input at the output cap (the old behaviour) loses b
    out_masks, _, _ = union_nms(masks, scores, labels, max_instances=2,
                                max_candidates=2)
    assert torch.equal(out_masks[0], a)


def test_confidence_masks_stop_at_the_papers_score_by_default():
    # two samples agree on a mask whose confidence score is 0.05: below
    # Algorithm 1's 0.1 it is not output; with the old floor 0.01 it is
    masks = torch.stack([rect(0, 8, 0, 8), rect(0, 8, 0, 8)])
    scores = torch.tensor([0.05, 0.05])
    labels = torch.zeros(2, dtype=torch.long)
    ids = torch.tensor([0, 1])
    assert len(confidence_masks(masks, scores, labels, ids, 2, p=1.0)[0]) \
        == 0
    assert len(confidence_masks(masks, scores, labels, ids, 2, p=1.0,
                                min_score=0.01)[0]) == 1


def random_samples(seed, num_samples, per_sample, size=48):
    """Jittered squares around shared centres: K samples of one scene."""
    gen = torch.Generator().manual_seed(seed)
    centres = torch.randint(6, size - 6, (per_sample, 2), generator=gen)
    masks, ids = [], []
    for k in range(num_samples):
        for c in centres:
            y, x = (c + torch.randint(-2, 3, (2, ), generator=gen)).tolist()
            r = int(torch.randint(3, 7, (1, ), generator=gen))
            mask = torch.zeros(size, size, dtype=torch.bool)
            mask[max(y - r, 0):y + r, max(x - r, 0):x + r] = True
            masks.append(mask)
            ids.append(k)
    n = len(masks)
    return (torch.stack(masks), torch.rand(n, generator=gen) * 0.9 + 0.1,
            torch.randint(0, 3, (n, ), generator=gen), torch.tensor(ids))


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('seed, num_samples, p', [
    (0, 8, 0.9), (1, 8, 0.5), (2, 4, 1.0), (3, 16, 0.75), (4, 1, 0.9)])
def test_confidence_masks_equal_the_reference_implementation(
        seed, num_samples, p, device):
    masks, scores, labels, ids = random_samples(seed, num_samples, 12)
    ours = confidence_masks(masks.to(device), scores.to(device),
                            labels.to(device), ids.to(device), num_samples,
                            p, min_score=0.01)
    ref = reference_confidence_masks(masks, scores, labels, ids,
                                     num_samples, p, min_score=0.01)
    assert len(ours[0]) == len(ref[0]) > 0
    for a, b in zip(ours, ref):
        assert a.device.type == device
        assert torch.equal(a.cpu(), b)


@pytest.mark.parametrize('device', DEVICES)
def test_union_nms_on_the_masks_device(device):
    masks, scores, labels, _ = random_samples(6, 4, 10)
    ours = union_nms(masks.to(device), scores.to(device), labels.to(device))
    ref = union_nms(masks, scores, labels)
    assert len(ours[0]) == len(ref[0]) > 0
    for a, b in zip(ours, ref):
        assert a.device.type == device
        assert torch.equal(a.cpu(), b)


def test_confidence_masks_equal_the_reference_with_a_silent_sample():
    # sample 2 of 6 predicted nothing: it still counts in K, and its empty
    # column list must not lend a member to any seed
    masks, scores, labels, ids = random_samples(5, 6, 15, size=64)
    keep = ids != 2
    masks, scores, labels, ids = masks[keep], scores[keep], labels[keep], \
        ids[keep]
    for p in (0.5, 0.8):
        ours = confidence_masks(masks, scores, labels, ids, 6, p,
                                min_score=0.01)
        ref = reference_confidence_masks(masks, scores, labels, ids, 6, p,
                                         min_score=0.01)
        assert len(ours[0]) == len(ref[0]) > 0
        for a, b in zip(ours, ref):
            assert torch.equal(a, b)
