"""Keypoints in a (rotated) box's frame: mapping, heatmap targets and
decoding, headings; on the CPU and, where present, on CUDA."""
import math

import pytest
import torch

from mmrot_ext.structures import (angle_difference, axis_direction_log_odds,
                                  axis_headings, decode_keypoint_heatmaps,
                                  frame_to_image, image_to_frame,
                                  keypoint_headings, keypoint_heatmap_targets)

DEVICES = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
ANGLES = [-math.pi / 2, -1.1, -0.4, 0.0, 0.3, 0.9, 1.5]


def frames_at(angles, device='cpu'):
    return torch.tensor([[120.0, 90.0, 140.0, 14.0, a] for a in angles],
                        device=device)


@pytest.mark.parametrize('device', DEVICES)
def test_keypoints_into_a_rotated_frame_and_back_within_half_a_pixel(
        device):
    torch.manual_seed(0)
    frames = frames_at(ANGLES, device)
    points = torch.rand(len(ANGLES), 5, 2, device=device) * 250
    back = frame_to_image(image_to_frame(points, frames), frames)
    assert (back - points).abs().max() < 0.5
    assert (back - points).abs().max() < 1e-3  # in fact exact


def test_frame_coordinates_follow_the_box_axes():
    # theta 0: a runs along x over w, b along y over h
    frame = torch.tensor([[50.0, 20.0, 40.0, 10.0, 0.0]])
    corners = torch.tensor([[[30.0, 15.0], [70.0, 25.0], [50.0, 20.0]]])
    ab = image_to_frame(corners, frame)[0]
    assert torch.allclose(ab, torch.tensor([[0.0, 0.0], [1.0, 1.0],
                                            [0.5, 0.5]]))
    # theta pi/2 (y down): +u points along +y
    frame[0, 4] = math.pi / 2
    tip = frame_to_image(torch.tensor([[[1.0, 0.5]]]), frame)[0, 0]
    assert torch.allclose(tip, torch.tensor([50.0, 40.0]), atol=1e-4)


def gaussian_logits(frames, points, size, sigma=1.5):
    """(M, 1, S, S) logits: a Gaussian in cell units peaked at each
    point's frame position (log-softmax of it is an exact parabola)."""
    ab = image_to_frame(points[:, None], frames)[:, 0] * size
    cells = torch.arange(size, device=frames.device) + 0.5
    du = cells[None, None, :] - ab[:, 0, None, None]
    dv = cells[None, :, None] - ab[:, 1, None, None]
    return (-(du ** 2 + dv ** 2) / (2 * sigma ** 2))[:, None]


@pytest.mark.parametrize('device', DEVICES)
def test_a_known_heatmap_peak_decodes_to_its_image_point(device):
    frames = frames_at(ANGLES, device)
    # a point 40 % along w from the centre and a little off the axis
    local = torch.tensor([[[0.9, 0.62]]], device=device).expand(
        len(ANGLES), 1, 2)
    points = frame_to_image(local, frames)[:, 0]
    decoded, scores = decode_keypoint_heatmaps(
        gaussian_logits(frames, points, 56), frames)
    assert decoded.shape == (len(ANGLES), 1, 2)
    assert (decoded[:, 0] - points).norm(dim=1).max() < 0.25
    assert ((scores > 0) & (scores <= 1)).all()


def test_a_one_cell_peak_decodes_to_that_cells_centre():
    frames = frames_at([0.7])
    logits = torch.full((1, 1, 8, 8), -10.0)
    logits[0, 0, 2, 5] = 10.0
    decoded, score = decode_keypoint_heatmaps(logits, frames)
    expected = frame_to_image(torch.tensor([[[5.5 / 8, 2.5 / 8]]]), frames)
    assert torch.allclose(decoded, expected, atol=1e-4)
    assert score.item() > 0.99


@pytest.mark.parametrize('device', DEVICES)
def test_heatmap_targets_pick_the_cell_and_drop_unlabelled_or_outside(
        device):
    frames = frames_at([0.5, 0.5, 0.5], device)
    inside = frame_to_image(torch.tensor([[[0.3, 0.7]]], device=device),
                            frames[:1])[0, 0]
    outside = frame_to_image(torch.tensor([[[1.2, 0.5]]], device=device),
                             frames[:1])[0, 0]
    keypoints = torch.stack([
        torch.cat([inside, inside.new_tensor([2.0])]),   # visible
        torch.cat([inside, inside.new_tensor([0.0])]),   # unlabelled
        torch.cat([outside, outside.new_tensor([1.0])]),  # off the frame
    ])[:, None]
    index, valid = keypoint_heatmap_targets(keypoints, frames, (10, 20))
    assert valid[:, 0].tolist() == [True, False, False]
    assert index[0, 0].item() == 7 * 20 + 6  # row floor(0.7*10), col 6


def test_headings_from_hand_made_keypoints():
    # keypoints (tip, end); heading points from end to tip, y down
    keypoints = torch.tensor([
        [[10.0, 0.0], [0.0, 0.0]],    # tip right of end: 0
        [[0.0, -10.0], [0.0, 0.0]],   # tip above (smaller y): -pi/2
        [[-10.0, 0.0], [0.0, 0.0]],   # tip left: pi
        [[5.0, 5.0], [0.0, 0.0]],     # down-right: pi/4
        [[-5.0, 5.0], [0.0, 0.0]],    # down-left: 3pi/4
    ])
    headings = keypoint_headings(keypoints)
    expected = torch.tensor([0.0, -math.pi / 2, math.pi, math.pi / 4,
                             3 * math.pi / 4])
    assert torch.allclose(headings, expected, atol=1e-6)
    # swapping tip and end turns the heading round: a le90 angle cannot
    flipped = keypoint_headings(keypoints.flip(1))
    assert torch.allclose(angle_difference(flipped, headings),
                          torch.full((5, ), math.pi), atol=1e-5)


def test_angle_difference_wraps_round_the_circle():
    a = torch.tensor([math.pi - 0.1, 0.2, -3.0])
    b = torch.tensor([-math.pi + 0.1, 2 * math.pi + 0.1, 3.0])
    assert torch.allclose(angle_difference(a, b),
                          torch.tensor([0.2, 0.1, 2 * math.pi - 6.0]),
                          atol=1e-5)


def one_hot_logits(cells, size=8):
    """(1, K, size, size) logits peaked at (row, col) per keypoint."""
    logits = torch.full((1, len(cells), size, size), -10.0)
    for k, (row, col) in enumerate(cells):
        logits[0, k, row, col] = 10.0
    return logits


@pytest.mark.parametrize('device', DEVICES)
def test_axis_direction_from_the_heatmaps_halves(device):
    # keypoints (tip, end): tip at +u (col 7), end at -u (col 0): +
    assert axis_direction_log_odds(
        one_hot_logits([(3, 7), (3, 0)]).to(device)).item() > 0
    # turned round: -
    assert axis_direction_log_odds(
        one_hot_logits([(3, 0), (3, 7)]).to(device)).item() < 0
    # both peaks on the -u end, but the end keypoint is surer of it: the
    # pair's joint evidence puts the tip at +u
    logits = torch.zeros(1, 2, 8, 8)
    logits[0, 0, :, 0] = 3.0   # tip: mostly -u ...
    logits[0, 0, :, 7] = 2.0   # ... some +u
    logits[0, 1, :, 0] = 9.0   # end: surely -u
    assert axis_direction_log_odds(logits.to(device)).item() > 0


def test_axis_headings_point_the_axis_and_wrap():
    theta = torch.tensor([0.3, 0.3, -1.5, 1.2])
    odds = torch.tensor([2.0, -2.0, -0.5, -1.0])
    out = axis_headings(theta, odds)
    expected = torch.tensor([0.3, 0.3 - math.pi, -1.5 + math.pi,
                             1.2 - math.pi])
    assert torch.allclose(out, expected, atol=1e-6)
    assert ((out > -math.pi) & (out <= math.pi)).all()
