"""mmdet's and mmrotate's own tool scripts, which their packages install
under ``<package>/.mim/tools/`` (not importable as modules)."""
import glob
import importlib.util
import os.path as osp


def _tools_root(package):
    """``<package>/.mim/tools``; ``FileNotFoundError`` when ``package`` is
    not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f'{package} is not installed')
    return osp.join(osp.dirname(spec.origin), '.mim', 'tools')


def upstream_tool_path(package, name):
    """Path of ``<package>/.mim/tools/<name>`` (``name`` like
    'analysis_tools/confusion_matrix.py'); ``FileNotFoundError`` listing
    what exists when it is not there."""
    path = osp.join(_tools_root(package), name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{package} has no tool {name!r}; it has: '
            f'{", ".join(list_upstream_tools(package))}')
    return path


def list_upstream_tools(package):
    """Tool scripts of ``package``, relative to its tools folder."""
    root = _tools_root(package)
    return sorted(osp.relpath(p, root) for p in glob.glob(
        osp.join(root, '**', '*.py'), recursive=True)
        if not osp.basename(p).startswith('_'))


def upstream_tool(package, name):
    """The tool script ``name`` of ``package`` loaded as a module (its
    ``main`` not run), to reuse its functions."""
    path = upstream_tool_path(package, name)
    spec = importlib.util.spec_from_file_location(
        f'_{package}_tool_{osp.splitext(name)[0].replace("/", "_")}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
