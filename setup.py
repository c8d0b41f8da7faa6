"""Install mmrot_ext. `projects/` (mmdet's convention) is not installed: its
configs import their code from the repository root, which tools/train.py and
tools/test.py put on sys.path for a config under `<root>/projects/`.

mmcv must carry compiled ops: install torch and mmcv first (see README), or
use `make install`, which does it for you. The rotated-box kernel
(mmrot_ext/csrc/rbox_geometry.cpp, plain C++, no torch headers) compiles in
a few seconds with the same C++ compiler mmcv needs.
"""
import os.path as osp

from setuptools import Extension, find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    """Return the requirement lines of requirements/<name>.txt."""
    with open(osp.join(HERE, 'requirements', name)) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version():
    scope = {}
    with open(osp.join(HERE, 'mmrot_ext', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmrot_ext',
    version=read_version(),
    description='Rotated, scored, distributional and box-supervised instance '
    'segmentation on OpenMMLab',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    python_requires='>=3.10',
    packages=find_packages(include=['mmrot_ext*']),
    include_package_data=True,
    ext_modules=[
        Extension('mmrot_ext._rbox_geometry',
                  ['mmrot_ext/csrc/rbox_geometry.cpp'], language='c++',
                  extra_compile_args=['-O3', '-std=c++17'])
    ],
    install_requires=read_requirements('runtime.txt'),
    extras_require=dict(tests=read_requirements('tests.txt')),
    license='Apache-2.0',
    zip_safe=False,
)
