"""Reading annotation and prediction files (standard library only, so the
numpy-only Places evaluator can use it)."""
import json


def load_json(path_or_obj, what):
    """A JSON object from a path, or the object itself.

    Raises:
        ValueError: naming the file and ``what`` it should hold, if it is
            not valid JSON.
    """
    if not isinstance(path_or_obj, (str, bytes)) and \
            not hasattr(path_or_obj, '__fspath__'):
        return path_or_obj
    try:
        with open(path_or_obj) as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f'{path_or_obj}: {what} is not valid JSON ({e})') \
            from None
