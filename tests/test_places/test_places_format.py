"""Places PNG -> COCO converter: round trip, official-script parity, errors."""
import json
import os.path as osp
from glob import glob

import cv2
import numpy as np
import pycocotools.mask as mask_util
import pytest

from mmrot_ext.datasets.places_format import (
    convert_places_pngs,
    png_annotations,
    read_annotation_png,
)


def _official_convert(ann_dir, img_cat_ids):
    """The official convert_anns_to_json_dataset.py algorithm (Python 3)."""
    images = {img['file_name']: img for img in img_cat_ids['images']}
    out_images, anns = [], []
    for png in sorted(glob(osp.join(ann_dir, '*.png'))):
        name = osp.basename(png).replace('.png', '.jpg')
        out_images.append(images[name])
        bgr = cv2.imread(png)
        cats, insts = bgr[..., 2], bgr[..., 1]
        for inst in np.unique(insts):
            if inst == 0:
                continue
            imask = insts == inst
            rle = mask_util.encode(np.asfortranarray(imask.astype(np.uint8)))
            anns.append(dict(id=len(anns), image_id=images[name]['id'],
                             segmentation=dict(size=rle['size'],
                                               counts=rle['counts'].decode()),
                             category_id=int(cats[imask][0]), iscrowd=0,
                             area=int(imask.sum())))
    return out_images, anns


def test_round_trip_decodes_to_png_instances(places_root):
    ann_dir = str(places_root / 'annotations_instance' / 'validation')
    data = convert_places_pngs(ann_dir, str(places_root / 'imgCatIds.json'),
                               workers=2, show_progress=False)
    assert len(data['images']) == 6
    assert [a['id'] for a in data['annotations']] == \
        list(range(1, len(data['annotations']) + 1))
    by_image = {}
    for ann in data['annotations']:
        by_image.setdefault(ann['image_id'], []).append(ann)
    checked = 0
    for image in data['images']:
        cats, insts = read_annotation_png(
            osp.join(ann_dir, image['file_name'].replace('.jpg', '.png')))
        anns = by_image.get(image['id'], [])
        assert len(anns) == len(np.unique(insts)) - 1
        for ann, inst in zip(anns, np.unique(insts)[1:]):
            mask = mask_util.decode(ann['segmentation']).astype(bool)
            np.testing.assert_array_equal(mask, insts == inst)
            assert ann['category_id'] == int(cats[mask][0])
            assert ann['area'] == mask.sum()
            ys, xs = np.nonzero(mask)
            assert ann['bbox'] == [xs.min(), ys.min(), xs.max() + 1 -
                                   xs.min(), ys.max() + 1 - ys.min()]
            checked += 1
    assert checked > 30


def test_matches_official_script_but_for_ids(places_root):
    ann_dir = str(places_root / 'annotations_instance' / 'validation')
    with open(places_root / 'imgCatIds.json') as f:
        info = json.load(f)
    images, official = _official_convert(ann_dir, info)
    ours = convert_places_pngs(ann_dir, info, workers=0,
                               first_ann_id=0, show_progress=False)
    assert ours['images'] == images
    assert ours['categories'] == info['categories']
    strip = [{k: v for k, v in a.items() if k != 'bbox'}
             for a in ours['annotations']]
    assert strip == [dict(a, segmentation=dict(
        size=list(a['segmentation']['size']),
        counts=a['segmentation']['counts'])) for a in official]


def _write_png(path, cats, insts, channels=3):
    png = np.zeros(cats.shape + (3, ), np.uint8)
    png[..., 2], png[..., 1] = cats, insts
    if channels == 1:
        png = png[..., 1]
    elif channels == 4:
        png = np.dstack([png, np.full(cats.shape, 255, np.uint8)])
    cv2.imwrite(str(path), png)


def _img_cat_ids(names, h=8, w=8, num_cats=100):
    return dict(images=[dict(id=i, file_name=n, height=h, width=w)
                        for i, n in enumerate(names)],
                categories=[dict(id=i, name=f'c{i}')
                            for i in range(1, num_cats + 1)])


def test_mixed_category_instance_is_reported(tmp_path):
    cats = np.zeros((8, 8), np.uint8)
    insts = np.zeros((8, 8), np.uint8)
    insts[1:5, 1:5] = 1
    cats[1:5, 1:5] = 7
    cats[1, 1:3] = 9  # first pixels say 9, the majority says 7
    _write_png(tmp_path / 'a.png', cats, insts)
    info = _img_cat_ids(['a.jpg'])
    with pytest.warns(UserWarning, match=r'instance 1 has categories 7: '
                      r'14 px, 9: 2 px'):
        data = convert_places_pngs(str(tmp_path), info, workers=0,
                                   show_progress=False)
    assert data['annotations'][0]['category_id'] == 7
    with pytest.warns(UserWarning):
        first = convert_places_pngs(str(tmp_path), info, workers=0,
                                    on_mixed='first', show_progress=False)
    assert first['annotations'][0]['category_id'] == 9
    with pytest.raises(ValueError, match=r'a\.png: instance 1 has '):
        convert_places_pngs(str(tmp_path), info, workers=0,
                            on_mixed='error', show_progress=False)


@pytest.mark.parametrize('channels', [1, 4])
def test_png_that_is_not_rgb_is_an_error(tmp_path, channels):
    insts = np.ones((8, 8), np.uint8)
    _write_png(tmp_path / 'a.png', insts, insts, channels=channels)
    with pytest.raises(ValueError, match=r'a\.png: annotation PNG must be '
                       rf'8-bit RGB .* got {channels} channel'):
        convert_places_pngs(str(tmp_path), _img_cat_ids(['a.jpg']),
                            workers=0, show_progress=False)


def test_png_without_image_is_an_error(tmp_path):
    insts = np.ones((8, 8), np.uint8)
    _write_png(tmp_path / 'b.png', insts, insts)
    with pytest.raises(ValueError, match=r'b\.png: no image b\.jpg in '
                       r'imgCatIds\.json'):
        convert_places_pngs(str(tmp_path), _img_cat_ids(['a.jpg']),
                            workers=2, show_progress=False)


def test_category_over_100_is_an_error(tmp_path):
    insts = np.ones((8, 8), np.uint8)
    _write_png(tmp_path / 'a.png', np.full((8, 8), 101, np.uint8), insts)
    with pytest.raises(ValueError, match=r'a\.png: instance 1 has category '
                       r'id 101, not one of the 100 categories'):
        convert_places_pngs(str(tmp_path), _img_cat_ids(['a.jpg']),
                            workers=0, show_progress=False)


def test_size_mismatch_and_corrupt_png_are_errors(tmp_path):
    insts = np.ones((8, 8), np.uint8)
    _write_png(tmp_path / 'a.png', insts, insts)
    with pytest.raises(ValueError, match=r'a\.png: PNG is 8x8 but a\.jpg is '
                       r'9x8'):
        png_annotations(str(tmp_path / 'a.png'),
                        dict(id=0, file_name='a.jpg', height=8, width=9),
                        {1})
    (tmp_path / 'c.png').write_bytes(b'\x89PNG broken')
    with pytest.raises(ValueError, match=r'c\.png: not a readable PNG'):
        read_annotation_png(str(tmp_path / 'c.png'))


def test_cli_writes_json(places_root, tmp_path, capsys, load_tool):
    places_png_to_coco = load_tool(
        'dataset_converters/places_png_to_coco.py')
    out = tmp_path / 'val.json'
    places_png_to_coco.main([
        '--ann_dir', str(places_root / 'annotations_instance/validation'),
        '--imgCatIdsFile', str(places_root / 'imgCatIds.json'),
        '--output_json', str(out), '--workers', '1'])
    data = json.loads(out.read_text())
    assert len(data['images']) == 6 and data['annotations'][0]['id'] == 1
    assert '6 images' in capsys.readouterr().out
