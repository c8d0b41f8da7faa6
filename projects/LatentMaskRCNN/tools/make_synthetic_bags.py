"""Generate ambiguous bag scenes (apparel in polybags, one class), COCO.

    python projects/LatentMaskRCNN/tools/make_synthetic_bags.py \
        data/synthetic_bags --num-train 1000 --num-val 100 --num-test 200

Same layout and annotation fields as
tools/dataset_converters/make_synthetic_dense.py. Run from anywhere: the
repository root (which holds ``projects/``) is put on ``sys.path`` by
``add_project_root``, as tools/train.py does for project configs.
"""
import argparse
import time

from mmrot_ext.engine import add_project_root

add_project_root(__file__)
from projects.LatentMaskRCNN.synthetic_bags import (  # noqa: E402
    BagSceneConfig, write_bag_dataset)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir')
    parser.add_argument('--num-train', type=int, default=1000)
    parser.add_argument('--num-val', type=int, default=100)
    parser.add_argument('--num-test', type=int, default=200)
    parser.add_argument('--width', type=int, default=256)
    parser.add_argument('--height', type=int, default=256)
    parser.add_argument('--num-items', type=int, nargs=2,
                        metavar=('MIN', 'MAX'), default=(5, 10))
    parser.add_argument('--same-colour-prob', type=float, default=0.6)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=None)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = BagSceneConfig(width=args.width, height=args.height,
                         num_items=tuple(args.num_items),
                         same_colour_prob=args.same_colour_prob)
    splits = {name: n for name, n in (('train', args.num_train),
                                      ('val', args.num_val),
                                      ('test', args.num_test)) if n > 0}
    start = time.time()
    stats = write_bag_dataset(args.out_dir, splits, cfg, seed=args.seed,
                              workers=args.workers)
    for split, s in stats.items():
        print(f'{split}: {s["images"]} images, {s["instances"]} instances '
              f'({s["crowd"]} crowd), {s["seconds"]:.1f} s')
    print(f'wrote {args.out_dir} in {time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
