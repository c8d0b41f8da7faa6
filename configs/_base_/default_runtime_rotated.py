# Runtime of every rotated (mmrotate-scope) config of this repo: mmrotate's
# own (mmdet types carry the `mmdet.` prefix), plus our components and our
# visualiser (draws rotated boxes and masks).
_base_ = 'mmrotate::_base_/default_runtime.py'

custom_imports = dict(
    imports=['mmrot_ext.modules'], allow_failed_imports=False)

visualizer = dict(type='RotatedDetLocalVisualizer')
