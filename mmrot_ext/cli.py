"""Command-line pieces the tools share. Light to import (no torch, no
OpenMMLab stack), so a tool builds its parser and answers ``--help`` before
it loads the stack."""
import argparse
import sys


def add_debug_argument(parser):
    """``--debug``: show the traceback instead of :func:`run_cli`'s line."""
    parser.add_argument('--debug', action='store_true',
                        help='show the full traceback of an error')


def results_analysis_parser(description, out_help):
    """Parser of the tools that read a ``tools/test.py --out`` results
    file: ``config``, ``results``, ``out_dir``, ``--overlap``,
    ``--cfg-options`` and ``--debug``; a tool adds its own options."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config', help='the test config of the results')
    parser.add_argument('results', help='tools/test.py --out .pkl file')
    parser.add_argument('out_dir', help=out_help)
    parser.add_argument('--overlap', choices=('box', 'rbox', 'mask'),
                        help='how predictions meet ground truth (default: '
                        'rbox for rotated boxes, else box)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, as for tools/test.py')
    add_debug_argument(parser)
    return parser


def run_cli(action, debug=False):
    """Run a tool's ``action()``; a user mistake (a bad path, a file of the
    wrong kind, a config that does not fit) prints one line naming it and
    exits with status 2, unless ``debug`` asks for the full traceback."""
    try:
        return action()
    except (ValueError, KeyError, FileNotFoundError, TypeError) as e:
        if debug:
            raise
        message = e.args[0] if len(e.args) == 1 else e
        sys.stderr.write(f'error: {message}\n(--debug shows where)\n')
        raise SystemExit(2) from None
