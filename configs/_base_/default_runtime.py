# Runtime of every horizontal (mmdet-scope) config of this repo: mmdet's own,
# plus our components.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(
    imports=['mmrot_ext.modules'], allow_failed_imports=False)
