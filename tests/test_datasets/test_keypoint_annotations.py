"""COCO keypoints: written by the dense-scene generator, checked by the
loader, carried through resize / flip to the packed ground truth."""
import copy
import json
import math

import numpy as np
import pytest
from mmdet.registry import DATASETS

from mmrot_ext.datasets.synthetic.dense_objects import KEYPOINT_NAMES


@pytest.fixture(scope='module')
def dataset_dir(dense_scenes):
    # its tests write annotation files into it: no other test uses these
    # arguments
    return dense_scenes(size=112, num_objects=(4, 7), train=4)


@pytest.fixture
def coco(dataset_dir):
    with open(dataset_dir / 'annotations' / 'instances_train.json') as f:
        return json.load(f)


def build(dataset_dir, data, pipeline, name='kp.json'):
    path = dataset_dir / 'annotations' / name
    path.write_text(json.dumps(data))
    return DATASETS.build(dict(
        type='PPCDataset', data_root=str(dataset_dir),
        ann_file=f'annotations/{name}', data_prefix=dict(img=''),
        pipeline=pipeline)), str(path)


def test_generator_writes_coco_keypoints_with_visibility(coco):
    for cat in coco['categories']:
        assert cat['keypoints'] == KEYPOINT_NAMES == ['tip', 'end']
        assert cat['skeleton'] == [[1, 2]]
    flags = []
    for ann in coco['annotations']:
        kp = ann['keypoints']
        assert len(kp) == 6
        assert ann['num_keypoints'] == sum(v > 0 for v in kp[2::3])
        flags += kp[2::3]
        for x, y, v in zip(kp[0::3], kp[1::3], kp[2::3]):
            if v == 0:
                assert x == y == 0
            else:
                assert 0 <= x < 112 and 0 <= y < 112
        cx, cy, w, _, theta = ann['rbox']
        if kp[2] and kp[5]:
            # both ends lie on the box's long axis, about w apart when the
            # whole stick is visible (occlusion shortens the box only)
            d = math.hypot(kp[0] - kp[3], kp[1] - kp[4])
            assert d >= w - 3  # the box holds whole edge pixels
            axis = math.atan2(kp[1] - kp[4], kp[0] - kp[3])
            off = abs((axis - theta + math.pi / 2) % math.pi - math.pi / 2)
            assert off < math.radians(12) or w < 3 * ann['rbox'][3]
    assert {0, 2} <= set(flags)


def test_visible_keypoints_lie_on_their_instance(dataset_dir, coco):
    import pycocotools.mask as mask_utils
    for ann in coco['annotations']:
        mask = mask_utils.decode(ann['segmentation'])
        for x, y, v in zip(*[iter(ann['keypoints'])] * 3):
            if v == 2:
                col, row = int(x), int(y)
                assert mask[max(row - 1, 0):row + 2,
                            max(col - 1, 0):col + 2].any()


@pytest.mark.parametrize('mutate, message', [
    (lambda a, c: a.update(keypoints=a['keypoints'][:5]),
     'keypoints has 5 numbers; its category has 2 keypoints (expected 6)'),
    (lambda a, c: a['keypoints'].__setitem__(0, float('nan')),
     'keypoints has NaN or infinite values'),
    (lambda a, c: a['keypoints'].__setitem__(2, 3),
     'keypoint visibility flag(s) [3] not in {0, 1, 2}'),
    (lambda a, c: [cat.pop('keypoints') for cat in c],
     'has keypoints but its category names none'),
])
def test_the_loader_names_the_file_and_the_keypoint_problem(
        dataset_dir, coco, mutate, message):
    data = copy.deepcopy(coco)
    mutate(data['annotations'][0], data['categories'])
    with pytest.raises(ValueError) as err:
        build(dataset_dir, data, [], name='bad_kp.json')
    assert 'bad_kp.json' in str(err.value)
    assert message in str(err.value)
    assert f'annotation id {data["annotations"][0]["id"]}' in str(err.value)


def pipeline(*geometric):
    return [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
        dict(type='LoadKeypointAnnotations'), *geometric,
        dict(type='PackKeypointDetInputs')
    ]


@pytest.mark.parametrize('geometric', [
    [],
    [dict(type='Resize', scale=(224, 224), keep_ratio=True)],
    [dict(type='RandomFlip', prob=1.0, direction='horizontal')],
    [dict(type='Resize', scale=(168, 168), keep_ratio=True),
     dict(type='RandomFlip', prob=1.0, direction='vertical')],
    [dict(type='RandomFlip', prob=1.0, direction='diagonal'),
     dict(type='Resize', scale=(224, 224), keep_ratio=True)],
])
def test_packed_keypoints_follow_resize_and_flips(dataset_dir, coco,
                                                  geometric):
    dataset, _ = build(dataset_dir, coco, pipeline(*geometric))
    plain, _ = build(dataset_dir, coco, pipeline(), name='plain.json')
    for i in range(len(dataset)):
        gt = dataset[i]['data_samples'].gt_instances
        ref = plain[i]['data_samples'].gt_instances
        kp = gt.keypoints.numpy()
        assert kp.shape == (len(gt), 2, 3)
        assert (kp[..., 2] == ref.keypoints.numpy()[..., 2]).all()
        masks = gt.masks.to_ndarray()
        h, w = masks.shape[1:]
        for mask, points in zip(masks, kp):
            for x, y, v in points:
                if v == 2:  # on its (transformed) mask, within 1-2 px
                    col, row = int(x), int(y)
                    assert mask[max(row - 2, 0):row + 3,
                                max(col - 2, 0):col + 3].any(), (x, y)
                if v == 0:
                    assert x == y == 0


def test_boxes_from_masks_drops_keypoints_with_their_instance():
    from mmdet.structures.mask import BitmapMasks

    from mmrot_ext.datasets.transforms import BoxesFromMasks
    masks = np.zeros((3, 20, 20), np.uint8)
    masks[0, 2:5, 2:15] = 1
    masks[2, 10:13, 3:18] = 1
    keypoints = np.arange(18, dtype=np.float32).reshape(3, 2, 3)
    out = BoxesFromMasks('rbox').transform(dict(
        gt_masks=BitmapMasks(masks, 20, 20),
        gt_bboxes_labels=np.array([0, 1, 2]),
        gt_ignore_flags=np.zeros(3, bool), gt_keypoints=keypoints))
    assert out['gt_keypoints'].tolist() == keypoints[[0, 2]].tolist()


def test_loading_keypoints_without_annotations_of_them_is_an_error():
    from mmrot_ext.datasets.transforms import LoadKeypointAnnotations
    with pytest.raises(KeyError, match='have no "keypoints"'):
        LoadKeypointAnnotations().transform(dict(
            img_path='x.jpg', instances=[dict(bbox=[0, 0, 1, 1])]))
