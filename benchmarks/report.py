"""Where benchmark results go: ``<out>.json`` and ``<out>.md``."""
import json
import os
import os.path as osp

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
