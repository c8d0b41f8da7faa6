import json
import subprocess
import sys

import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch
from mmrotate.structures.bbox import rbox2qbox

from mmrot_ext.datasets.synthetic import (
    DenseSceneConfig,
    render_dense_scene,
    write_coco_dataset,
    write_dense_dataset,
)
from mmrot_ext.datasets.synthetic import dense_objects as scenes


def write(out_dir, seed=0, n=6, **cfg):
    return write_dense_dataset(str(out_dir), dict(train=n, val=2),
                               DenseSceneConfig(**cfg), seed=seed, workers=1)


def load(out_dir, split='train'):
    with open(out_dir / 'annotations' / f'instances_{split}.json') as f:
        return json.load(f)


def test_same_seed_same_dataset_other_seed_differs(tmp_path):
    write(tmp_path / 'a', seed=3)
    write(tmp_path / 'b', seed=3)
    write(tmp_path / 'c', seed=4)
    assert load(tmp_path / 'a') == load(tmp_path / 'b')
    for name in ('train/000000.jpg', 'val/000001.jpg'):
        assert (tmp_path / 'a' / name).read_bytes() == \
            (tmp_path / 'b' / name).read_bytes()
    assert load(tmp_path / 'a') != load(tmp_path / 'c')


def test_parallel_workers_give_the_same_dataset(tmp_path):
    for name, workers in (('one', 1), ('two', 2)):
        write_dense_dataset(str(tmp_path / name), dict(train=10), seed=1,
                            workers=workers)
    assert load(tmp_path / 'one') == load(tmp_path / 'two')


def test_annotations_are_consistent_with_visible_masks(tmp_path):
    write(tmp_path, n=4, width=200, height=160)
    data = load(tmp_path)
    assert [c['name'] for c in data['categories']] == \
        ['pen', 'pencil', 'chopstick']
    assert len(data['images']) == 4
    assert len({a['id'] for a in data['annotations']}) == \
        len(data['annotations'])
    for img in data['images']:
        assert (img['height'], img['width']) == (160, 200)
        anns = [a for a in data['annotations'] if a['image_id'] == img['id']]
        assert len(anns) >= 2
        masks = []
        for ann in anns:
            assert ann['category_id'] in (1, 2, 3)
            mask = mask_util.decode(ann['segmentation']).astype(bool)
            masks.append(mask)
            assert mask.sum() == ann['area'] > 0
            ys, xs = np.nonzero(mask)
            assert ann['bbox'] == [xs.min(), ys.min(),
                                   xs.max() + 1 - xs.min(),
                                   ys.max() + 1 - ys.min()]
            cx, cy, w, h, t = ann['rbox']
            assert w >= h > 0 and -np.pi / 2 - 1e-5 <= t < np.pi / 2
            # every visible pixel centre lies inside the rotated box
            corners = rbox2qbox(torch.tensor([ann['rbox']])).numpy()
            corners = corners.reshape(4, 2)
            centres = np.stack([xs + 0.5, ys + 0.5], 1)
            for k in range(4):
                a, b = corners[k], corners[(k + 1) % 4]
                cross = (b[0] - a[0]) * (centres[:, 1] - a[1]) - \
                    (b[1] - a[1]) * (centres[:, 0] - a[0])
                assert (cross >= -1e-3).all() or (cross <= 1e-3).all()
        # occlusion: visible masks never overlap
        assert np.stack(masks).sum(0).max() == 1


def test_density_controls_raise_neighbour_box_overlap(tmp_path):
    sparse = write(tmp_path / 's', n=30, **scenes.PRESETS['sparse'])
    dense = write(tmp_path / 'd', n=30, **scenes.PRESETS['very-dense'])
    s, d = sparse['train'], dense['train']
    assert d['mean_neighbour_hbox_iou'] > s['mean_neighbour_hbox_iou'] + 0.15
    assert d['mean_neighbour_hbox_iou'] > 0.5
    # rotated boxes separate the same neighbours far better
    assert d['mean_neighbour_rbox_iou'] < d['mean_neighbour_hbox_iou'] / 3
    assert d['instances'] / d['images'] > 2 * s['instances'] / s['images']


@pytest.mark.parametrize('bad', [
    dict(width=8), dict(num_objects=(5, 2)), dict(class_probs=(0.5, 0.5)),
])
def test_bad_scene_config_is_rejected(bad):
    with pytest.raises(ValueError):
        DenseSceneConfig(**bad)


def test_unknown_split_is_rejected(tmp_path):
    with pytest.raises(ValueError, match='unknown split'):
        write_coco_dataset(str(tmp_path), dict(training=1),
                           render_dense_scene, DenseSceneConfig(),
                           scenes.CATEGORIES)


@pytest.mark.slow  # runs the tool in a subprocess
def test_cli_reports_neighbour_iou(tmp_path, repo_root):
    tool = repo_root / 'tools/dataset_converters/make_synthetic_dense.py'
    out = subprocess.run(
        [sys.executable, str(tool),
         str(tmp_path), '--num-train', '6', '--num-val', '2', '--num-test',
         '2', '--preset', 'very-dense', '--workers', '1'],
        capture_output=True, text=True, check=True).stdout
    assert 'nbr hbox IoU' in out
    rows = [line.split() for line in out.splitlines()
            if line.startswith(('train', 'val', 'test'))]
    assert [r[0] for r in rows] == ['train', 'val', 'test']
    assert [int(r[1]) for r in rows] == [6, 2, 2]
    assert all(0 < float(r[4]) <= 1 for r in rows)
    assert (tmp_path / 'annotations' / 'instances_test.json').exists()
