"""Where benchmark results go: ``<out>.json`` and ``<out>.md``."""
import json
import os
import os.path as osp
import platform
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def write_report(out, report, markdown):
    """Write the report dict as JSON and the markdown text next to it
    (``out`` relative to the repository root), then print the markdown."""
    path = osp.join(REPO, out)
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path + '.json', 'w') as f:
        json.dump(report, f, indent=2)
    with open(path + '.md', 'w') as f:
        f.write(markdown)
    print(markdown)


def run_info():
    """``command`` (as typed), ``date`` and ``machine`` of this run."""
    import torch
    script = osp.relpath(osp.abspath(sys.argv[0]), REPO)
    return dict(
        command=' '.join(['python', script, *sys.argv[1:]]),
        date=time.strftime('%Y-%m-%d'),
        machine=f'{platform.machine()}, {os.cpu_count()} cores, torch '
        f'{torch.__version__}, ' +
        (torch.cuda.get_device_name(0) if torch.cuda.is_available() else
         'no GPU'))
