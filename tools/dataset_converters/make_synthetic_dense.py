"""Generate the synthetic dense pens / pencils / chopsticks dataset (COCO).

Example::

    python tools/dataset_converters/make_synthetic_dense.py \
        data/synthetic_dense --num-train 1000 --num-val 200 --num-test 200 \
        --preset very-dense

Prints, per split, the mean over scenes of each instance's largest
axis-aligned-box IoU with a neighbour (and the same for rotated boxes).
"""
import argparse
import dataclasses
import json
import time

from mmrot_ext.datasets.synthetic import dense_objects as scenes


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir', help='dataset root to write')
    parser.add_argument('--num-train', type=int, default=1000)
    parser.add_argument('--num-val', type=int, default=200)
    parser.add_argument('--num-test', type=int, default=200)
    parser.add_argument('--width', type=int, default=256)
    parser.add_argument('--height', type=int, default=256)
    parser.add_argument('--preset', choices=sorted(scenes.PRESETS),
                        default='dense', help='density preset')
    parser.add_argument('--num-objects', type=int, nargs=2,
                        metavar=('MIN', 'MAX'), help='objects per image')
    parser.add_argument('--bundle-prob', type=float,
                        help='chance an object lies in a side-by-side bundle')
    parser.add_argument('--bundle-size', type=int, nargs=2,
                        metavar=('MIN', 'MAX'))
    parser.add_argument('--gap', type=float, nargs=2, metavar=('MIN', 'MAX'),
                        help='pixels between bundle neighbours')
    parser.add_argument('--angle-jitter', type=float,
                        help='degrees between bundle neighbours')
    parser.add_argument('--diagonal-prob', type=float,
                        help='chance a bundle lies near 45 degrees')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=None,
                        help='processes (default: all cores)')
    return parser.parse_args()


def main():
    args = parse_args()
    options = dict(scenes.PRESETS[args.preset], width=args.width,
                   height=args.height)
    for name in ('num_objects', 'bundle_prob', 'bundle_size', 'gap',
                 'angle_jitter', 'diagonal_prob'):
        value = getattr(args, name)
        if value is not None:
            options[name] = tuple(value) if isinstance(value, list) else value
    cfg = scenes.DenseSceneConfig(**options)
    splits = {name: n for name, n in (('train', args.num_train),
                                      ('val', args.num_val),
                                      ('test', args.num_test)) if n > 0}
    start = time.time()
    stats = scenes.write_dense_dataset(args.out_dir, splits, cfg,
                                       seed=args.seed, workers=args.workers)
    print(f'scene config: {json.dumps(dataclasses.asdict(cfg))}')
    print(f'{"split":<6} {"images":>7} {"instances":>9} {"crowd":>6} '
          f'{"nbr hbox IoU":>12} {"nbr rbox IoU":>12} {"seconds":>8}')
    for split, s in stats.items():
        print(f'{split:<6} {s["images"]:>7} {s["instances"]:>9} '
              f'{s["crowd"]:>6} {s["mean_neighbour_hbox_iou"]:>12.3f} '
              f'{s["mean_neighbour_rbox_iou"]:>12.3f} {s["seconds"]:>8.1f}')
    print(f'wrote {args.out_dir} in {time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
