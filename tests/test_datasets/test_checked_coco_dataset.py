"""Bad input gets a clear error naming the file and the problem."""
import json

import pytest
from mmdet.registry import DATASETS

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs')
]


@pytest.fixture(scope='module')
def dataset_dir(dense_scenes):
    # its tests write annotation files into it: no other test uses these
    # arguments
    return dense_scenes(size=96, num_objects=(3, 5), train=3)


@pytest.fixture
def coco(dataset_dir):
    with open(dataset_dir / 'annotations' / 'instances_train.json') as f:
        return json.load(f)


def instances(dataset):
    """All loaded instances of a dataset."""
    return [inst for i in range(len(dataset))
            for inst in dataset.get_data_info(i)['instances']]


def build(dataset_dir, data, name='bad.json', **kwargs):
    """Write ``data`` as the annotation file and build a PPCDataset on it."""
    path = dataset_dir / 'annotations' / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    cfg = dict(type='PPCDataset', data_root=str(dataset_dir),
               ann_file=f'annotations/{name}', data_prefix=dict(img=''),
               pipeline=PIPELINE)
    cfg.update(kwargs)
    return DATASETS.build(cfg), str(path)


def test_valid_dataset_loads_and_yields_masks(dataset_dir, coco):
    dataset, _ = build(dataset_dir, coco, name='good.json')
    assert len(dataset) == 3
    assert dataset.metainfo['classes'] == ('pen', 'pencil', 'chopstick')
    sample = dataset[0]['data_samples']
    assert len(sample.gt_instances) > 0
    assert sample.gt_instances.masks.masks.shape[1:] == (96, 96)


@pytest.mark.parametrize('data, message', [
    ('{"images": [', 'not valid JSON'),
    ([1, 2], 'top level is a list'),
    ({'images': []}, "missing list(s) ['categories', 'annotations']"),
    ({'info': {}, 'licenses': []}, 'not a COCO annotation file'),
])
def test_json_that_is_not_coco(dataset_dir, data, message):
    with pytest.raises(ValueError) as err:
        build(dataset_dir, data)
    assert 'bad.json' in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize('segmentation, message', [
    ([], 'empty polygon list'),
    ([[10, 10, 20, 20]], 'has 4 coordinates'),
    ([[10, 10, 20, 20, 30]], 'has 5 coordinates'),
    ([[10, 10, 20, 20, 30, 30]], 'zero area (degenerate)'),
    ([['a', 1, 2, 3, 4, 5]], 'not a list of numbers'),
    ({'size': [10, 10], 'counts': 'abc'}, 'does not match the image size'),
    ({'counts': 'abc'}, 'needs "counts"'),
])
def test_bad_segmentation(dataset_dir, coco, segmentation, message):
    coco['annotations'][1]['segmentation'] = segmentation
    ann_id = coco['annotations'][1]['id']
    file_name = coco['images'][0]['file_name']
    with pytest.raises(ValueError) as err:
        build(dataset_dir, coco)
    text = str(err.value)
    assert 'bad.json' in text and '1 invalid annotation(s)' in text
    assert f'annotation id {ann_id}:' in text and message in text
    assert file_name in text


def test_unknown_category_id(dataset_dir, coco):
    coco['annotations'][0]['category_id'] = 7
    with pytest.raises(ValueError, match=r'bad\.json.*\n.*unknown category '
                       r'id 7 .*defines \[1, 2, 3\]'):
        build(dataset_dir, coco)


def test_unknown_image_id(dataset_dir, coco):
    coco['annotations'][0]['image_id'] = 999
    with pytest.raises(ValueError, match='unknown image id 999'):
        build(dataset_dir, coco)


def test_class_the_file_lacks(dataset_dir, coco):
    with pytest.raises(ValueError, match=r"bad\.json: class\(es\) \['eraser'"
                       r"\] are not categories"):
        build(dataset_dir, coco, metainfo=dict(classes=('pen', 'eraser')))


def test_class_subset_leaves_out_other_classes_on_purpose(dataset_dir, coco):
    dataset, _ = build(dataset_dir, coco, metainfo=dict(classes=('pencil', )))
    pencils = sum(a['category_id'] == 2 and not a['iscrowd']
                  for a in coco['annotations'])
    loaded = [i for i in instances(dataset) if not i['ignore_flag']]
    assert len(loaded) == pencils > 0
    assert {i['bbox_label'] for i in loaded} == {0}


def test_missing_image_file(dataset_dir, coco):
    coco['images'][1]['file_name'] = 'train/nope.jpg'
    with pytest.raises(FileNotFoundError,
                       match=r'bad\.json: image file .*train/nope\.jpg '
                       r'\(image id 2\) does not exist'):
        build(dataset_dir, coco)


@pytest.fixture
def bad_images(dataset_dir, coco):
    """The annotation file with image 0 truncated, 1 empty, 2 corrupt
    mid-stream (libjpeg decodes it to garbage, warning on stderr)."""
    data = (dataset_dir / 'train' / '000000.jpg').read_bytes()
    half = len(data) // 2
    files = {
        'truncated.jpg': data[:half],
        'empty.jpg': b'',
        'corrupt.jpg': data[:half] + bytes(range(200)) + data[half + 200:],
    }
    for img, (name, content) in zip(coco['images'], files.items()):
        (dataset_dir / 'train' / name).write_bytes(content)
        img['file_name'] = f'train/{name}'
    return coco


def test_unreadable_images_are_listed_when_the_dataset_is_built(
        dataset_dir, bad_images):
    with pytest.raises(ValueError) as err:
        build(dataset_dir, bad_images)
    text = str(err.value)
    assert 'bad.json: 3 unreadable image(s)' in text
    assert 'truncated.jpg: cannot be decoded' in text
    assert 'empty.jpg: is empty (0 bytes)' in text
    assert 'corrupt.jpg: is corrupt (Corrupt JPEG data' in text


def test_unverified_bad_images_name_the_file_when_loaded(dataset_dir,
                                                         bad_images):
    dataset, _ = build(dataset_dir, bad_images, verify_images=False)
    with pytest.raises(AssertionError,
                       match=r'failed to load image: .*train/truncated\.jpg'):
        dataset[0]
    with pytest.raises(OSError, match=r'train/empty\.jpg: cannot read image'):
        dataset[1]
    # test datasets are not verified unless asked
    dataset, _ = build(dataset_dir, bad_images, test_mode=True)
    assert len(dataset) == 3


def test_image_check_runs_in_parallel_processes(dataset_dir):
    from mmrot_ext.datasets.image_check import find_unreadable_images
    good = sorted(str(p) for p in (dataset_dir / 'train').glob('00000*.jpg'))
    paths = good * 40
    paths[50] = str(dataset_dir / 'train' / 'missing.jpg')
    found = find_unreadable_images(paths, nproc=2, min_per_process=16)
    assert found == [(paths[50], 'cannot be read (No such file or '
                      'directory)')]


def test_warn_mode_drops_and_lists_bad_annotations(dataset_dir, coco):
    coco['annotations'][0]['segmentation'] = [[0, 0, 5, 5]]
    n = len(coco['annotations'])
    with pytest.warns(UserWarning, match='1 invalid annotation.*dropped'):
        dataset, _ = build(dataset_dir, coco, on_invalid='warn')
    assert len(instances(dataset)) == n - 1


def test_many_problems_are_counted_and_listed(dataset_dir, coco):
    for ann in coco['annotations']:
        ann['segmentation'] = []
    with pytest.raises(ValueError) as err:
        build(dataset_dir, coco)
    n = len(coco['annotations'])
    assert f'{n} invalid annotation(s)' in str(err.value)
    if n > 10:
        assert f'and {n - 10} more' in str(err.value)


def box_edits(coco):
    """Annotation edits mmdet would drop silently: the edited ids."""
    width = coco['images'][0]['width']
    anns = coco['annotations']
    edits = [
        (dict(bbox=[width + 5.0, 10.0, 20.0, 6.0]), 'lies outside the'),
        (dict(bbox=[float('nan'), 10.0, 20.0, 6.0]), 'NaN or infinite'),
        (dict(bbox=[10.0, float('inf'), 20.0, 6.0]), 'NaN or infinite'),
        (dict(bbox=[10.0, 10.0, 0.5, 6.0]), 'under one pixel'),
        (dict(area=0), 'area 0 is not positive'),
        (dict(area=float('nan')), 'area nan is not a finite number'),
    ]
    for ann, (edit, _) in zip(anns, edits):
        ann.update(edit)
    return [(ann['id'], message) for ann, (_, message) in zip(anns, edits)]


def test_boxes_mmdet_would_drop_silently_are_errors(dataset_dir, coco):
    edited = box_edits(coco)
    with pytest.raises(ValueError) as err:
        build(dataset_dir, coco)
    text = str(err.value)
    assert f'{len(edited)} invalid annotation(s)' in text
    for ann_id, message in edited:
        assert f'annotation id {ann_id}: ' in text and message in text


@pytest.mark.parametrize('edit, message', [
    (dict(iscrowd='yes'), "iscrowd must be 0 or 1, got 'yes'"),
    (dict(segmentation={'size': [96, 96], 'counts': '0'}),
     'RLE mask is empty'),
    (dict(segmentation={'size': [96, 96], 'counts': [9216]}),
     'RLE mask is empty'),
])
def test_crowd_flag_and_empty_rle_are_errors(dataset_dir, coco, edit,
                                             message):
    coco['annotations'][0].update(edit)
    with pytest.raises(ValueError, match=message):
        build(dataset_dir, coco)


def test_warn_mode_lists_every_dropped_box(dataset_dir, coco):
    edited = box_edits(coco)
    n = len(coco['annotations'])
    with pytest.warns(UserWarning) as record:
        dataset, _ = build(dataset_dir, coco, on_invalid='warn')
    text = ' '.join(str(w.message) for w in record)
    assert f'{len(edited)} invalid annotation(s) dropped' in text
    assert len(instances(dataset)) == n - len(edited)


def test_rotated_configs_rebuild_bad_boxes_from_valid_masks(dataset_dir,
                                                            coco):
    import pycocotools.mask as mask_utils
    edited = box_edits(coco)
    n = len(coco['annotations'])
    with pytest.warns(UserWarning, match=f'{len(edited)} annotation\\(s\\) '
                      'with box and area rebuilt from their masks'):
        dataset, _ = build(dataset_dir, coco, boxes_from_masks=True)
    loaded = instances(dataset)
    assert len(loaded) == n  # nothing lost
    img = coco['images'][0]
    for i, _ in enumerate(edited):  # each box now encloses its mask
        seg = coco['annotations'][i]['segmentation']
        rle = mask_utils.merge(mask_utils.frPyObjects(seg, img['height'],
                                                      img['width'])) \
            if isinstance(seg, list) else seg
        x, y, w, h = mask_utils.toBbox(rle)
        assert loaded[i]['bbox'] == pytest.approx([x, y, x + w, y + h])


def test_images_left_out_of_training_are_counted(dataset_dir, coco, capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('checked_coco_test')
    first = coco['images'][0]['id']
    coco['annotations'] = [a for a in coco['annotations']
                           if a['image_id'] != first]
    dataset, _ = build(dataset_dir, coco,
                       filter_cfg=dict(filter_empty_gt=True))
    assert len(dataset) == 2
    out = capsys.readouterr()
    assert 'bad.json: 1 of 3 images left out of training (1 without ' \
        'annotations' in out.out + out.err
