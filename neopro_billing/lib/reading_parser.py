"""Meter-reading files (RULES §14): rows -> reading lines. Plain Python, no ORM.

The file is read by the one exchange file mechanism (:mod:`file_parser`); a reading format
(``neopro.reading.format``) names the columns ``date`` and ``value`` and the meter: ``serial`` (its serial
number) or ``account`` and ``service`` (the ЛС and the service of its only meter); optionally ``source``. The
spec's ``empty_date``, when set, is the date of a line whose date cell is empty.

``parse(data, spec)`` returns a :class:`ParsedFile` of :class:`Line` tuples, each with its physical row number
and the problems of its cells as ``(code, raw value)`` pairs; file-level problems raise ``FileError``.
"""
from collections import namedtuple
from decimal import Decimal, InvalidOperation

from .file_parser import DateCache, FileError, read_table, to_decimal, to_identifier, to_text

REQUIRED_COLUMNS = ('date', 'value')
OPTIONAL_COLUMNS = ('serial', 'account', 'service', 'source')

# Line problems (codes the model turns into sentences).
BAD_VALUE = 'value'
BAD_DATE = 'date'
NO_METER = 'no_meter'

# A reading has at most 3 decimals (the field's digits) and is below 10^12 (the largest counter).
MILLI = Decimal('0.001')
MAX_VALUE = Decimal(10) ** 12

Line = namedtuple('Line', 'line_number serial account service date value source raw_value raw_date errors')
ParsedFile = namedtuple('ParsedFile', 'header_row columns lines skipped')


def parse_value(value):
    """Exact ``Decimal`` of a counter value (≥ 0, at most 3 decimals), or None."""
    number = to_decimal(value)
    if number is None:
        return None
    try:
        rounded = number.quantize(MILLI)
    except InvalidOperation:
        return None
    if rounded != number or rounded < 0 or rounded >= MAX_VALUE:
        return None
    return rounded


def parse(data, spec):
    """Read a readings file into a :class:`ParsedFile` (no database access)."""
    table, lines = read_lines(data, spec)
    lines = list(lines)
    return ParsedFile(table.header_row, table.mapped_columns(), lines, table.skipped)


def read_lines(data, spec):
    """``(table, lines)``: the file's header found and an iterator of its :class:`Line` tuples, read as it is
    consumed (``table.skipped`` counts once it is exhausted)."""
    table = read_table(data, spec, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    if 'serial' not in table.columns and 'account' not in table.columns:
        raise FileError('header', spec['columns'].get('serial') or spec['columns'].get('account') or 'serial_number')
    return table, _lines(table, spec)


def _lines(table, spec):
    get = table.getter
    get_serial, get_account, get_service = get('serial'), get('account'), get('service')
    get_date, get_value, get_source = get('date'), get('value'), get('source')
    to_date = DateCache(spec.get('date_format'))
    skip_empty, empty_date = spec.get('skip_empty_value'), spec.get('empty_date')
    for number, row in table:
        raw_value, raw_date = get_value(row), get_date(row)
        if skip_empty and not to_text(raw_value):
            table.skipped += 1  # a sheet's meter not read this time
            continue
        serial, account = to_identifier(get_serial(row)), to_identifier(get_account(row))
        value, date = parse_value(raw_value), to_date(raw_date)
        if date is None and empty_date and not to_text(raw_date):
            date = empty_date  # a format whose empty date is the day of loading
        errors = []
        if not serial and not account:
            errors.append((NO_METER, ''))
        if value is None:
            errors.append((BAD_VALUE, to_text(raw_value)))
        if date is None:
            errors.append((BAD_DATE, to_text(raw_date)))
        yield Line(number, serial or None, account or None, to_text(get_service(row)) or None, date, value,
                   to_text(get_source(row)) or None, to_text(raw_value), to_text(raw_date), errors)
