"""Run one of mmrotate's (or mmdet's) own tools with our compatibility
fixes applied.

    python tools/mmrotate_tool.py NAME [ARGS ...]
    python tools/mmrotate_tool.py mmdet:NAME [ARGS ...]
    python tools/mmrotate_tool.py --list

NAME is a script under mmrotate's installed tools folder (``mmdet:NAME``:
mmdet's), with or without its sub-folder and ``.py`` (``browse_dataset``,
``analysis_tools/analyze_logs``, ``misc/print_config``). mmrotate
1.0.0rc1's tools stop at import on our stack ("MMDetection 3.3.0 is
incompatible", ``collections.Sequence``); here
``mmrot_ext`` is imported first, which applies the fixes of
``mmrot_ext/compat.py`` and registers our components, so configs of this
repository load. ARGS go to the tool unchanged.

Where we ship a tool of the same name that knows rotated boxes
(``tools/analysis_tools/confusion_matrix.py``), use ours: mmrotate's
confusion matrix fails on mmdet 3.3's results files.
"""
import os.path as osp
import runpy
import sys

OURS = ('confusion_matrix', 'analyze_results')


def resolve(name):
    """Path of the tool ``name`` (see module doc)."""
    from mmrot_ext.engine.upstream_tools import (list_upstream_tools,
                                                 upstream_tool_path)
    package, _, name = name.rpartition(':')
    package = package or 'mmrotate'
    wanted = name if name.endswith('.py') else name + '.py'
    tools = list_upstream_tools(package)
    matches = [t for t in tools if t == wanted or
               osp.basename(t) == osp.basename(wanted)]
    if len(matches) != 1:
        found = 'several' if matches else 'no'
        raise SystemExit(f'{package} has {found} tool named {name!r}; '
                         f'choose one of: {", ".join(tools)}')
    return upstream_tool_path(package, matches[0])


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ('-h', '--help'):
        print(__doc__)
        return
    import mmrot_ext.modules  # noqa: F401  (fixes and registrations first)
    from mmrot_ext.engine.upstream_tools import list_upstream_tools
    if argv[0] == '--list':
        for package in ('mmrotate', 'mmdet'):
            prefix = '' if package == 'mmrotate' else 'mmdet:'
            print('\n'.join(prefix + t for t in list_upstream_tools(package)))
        return
    if osp.splitext(osp.basename(argv[0]))[0] in OURS:
        print(f'note: tools/analysis_tools/{osp.basename(argv[0])} of this '
              f'repository is rotated-aware; running mmrotate\'s as asked',
              file=sys.stderr)
    path = resolve(argv[0])
    sys.argv = [path, *argv[1:]]
    sys.path.insert(0, osp.dirname(path))
    runpy.run_path(path, run_name='__main__')


if __name__ == '__main__':
    main()
