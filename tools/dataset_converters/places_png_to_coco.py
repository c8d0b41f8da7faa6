"""Convert Places instance annotation PNGs to a COCO JSON with RLE masks.

    python tools/dataset_converters/places_png_to_coco.py \
        --ann_dir annotations_instance/validation \
        --imgCatIdsFile imgCatIds.json \
        --output_json instance_validation_gts.json [--workers 8]

Same output as the official convert_anns_to_json_dataset.py, except that
annotation ids start at 1 (``--official-ids`` starts them at 0, which makes
pycocotools count a match with annotation 0 as a false positive) and that
instances with pixels of several categories are reported (``--on-mixed``).
"""
import argparse
import json
import time

from mmrot_ext.datasets.places_format import ON_MIXED, convert_places_pngs


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ann_dir', '--ann-dir', required=True,
                        help='directory of annotation PNGs')
    parser.add_argument('--imgCatIdsFile', '--img-cat-ids', required=True,
                        dest='img_cat_ids', help='imgCatIds.json')
    parser.add_argument('--output_json', '--output-json', required=True)
    parser.add_argument('--workers', type=int, default=None,
                        help='processes (default: all cores; 0: none)')
    parser.add_argument('--on-mixed', choices=ON_MIXED, default='majority',
                        help='label of an instance with several categories')
    parser.add_argument('--official-ids', action='store_true',
                        help='annotation ids from 0, as the official script')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    data = convert_places_pngs(args.ann_dir, args.img_cat_ids,
                               workers=args.workers,
                               first_ann_id=0 if args.official_ids else 1,
                               on_mixed=args.on_mixed)
    with open(args.output_json, 'w') as f:
        json.dump(data, f)
    print(f'\n{len(data["images"])} images, {len(data["annotations"])} '
          f'instances, {len(data["categories"])} categories -> '
          f'{args.output_json} ({time.time() - start:.1f} s)')


if __name__ == '__main__':
    main()
