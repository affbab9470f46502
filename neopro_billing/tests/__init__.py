"""Test files of the add-on. bin/test sets NEOPRO_TESTS to run only some of them."""
import importlib
import logging
import os
import pkgutil

_logger = logging.getLogger(__name__)
_selected = [n for n in os.environ.get('NEOPRO_TESTS', '').split(',') if n]
for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith('test_') and (not _selected or _info.name in _selected):
        try:
            globals()[_info.name] = importlib.import_module('.' + _info.name, __name__)
        except Exception:  # reported, and counted as a failure by bin/testrun.py
            _logger.exception('Can not import test file %s', _info.name)
