"""Write synthetic dense scenes in the Places Challenge format (JPEG + PNG).

    python tools/dataset_converters/make_synthetic_places.py data/places_syn \
        --num-train 300 --num-val 50 [--preset sparse]

Writes ``imgCatIds.json``, ``images/{training,validation}/*.jpg`` and
``annotations_instance/{training,validation}/*.png`` (R = category id,
G = instance id), ready for places_png_to_coco.py.
"""
import argparse
import time

from mmrot_ext.datasets.synthetic import dense_objects as scenes
from mmrot_ext.datasets.synthetic import write_places_dataset


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir')
    parser.add_argument('--num-train', type=int, default=300)
    parser.add_argument('--num-val', type=int, default=50)
    parser.add_argument('--num-test', type=int, default=0)
    parser.add_argument('--preset', choices=sorted(scenes.PRESETS),
                        default='sparse')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=None)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    splits = {name: n for name, n in (('training', args.num_train),
                                      ('validation', args.num_val),
                                      ('testing', args.num_test)) if n > 0}
    cfg = scenes.DenseSceneConfig(**scenes.PRESETS[args.preset])
    info = write_places_dataset(args.out_dir, splits, cfg, seed=args.seed,
                                workers=args.workers)
    print(f'wrote {len(info["images"])} images ({splits}) to '
          f'{args.out_dir} in {time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
