"""Bulk writes of the file imports: rows into a table with one ``COPY … FROM STDIN``. No ORM.

A file of 100,000 lines becomes 100,000 readings or payments; ``execute_values`` formats every row with
``mogrify`` and sends INSERT statements the server parses again, ``COPY`` streams the values as text (2 s less of a
Kaspi registry's 100,000 payments on this machine). Table and column names are the caller's constants; values go
as data in PostgreSQL's text format, never into SQL.
"""
import datetime
import io
from decimal import Decimal

_ESCAPES = str.maketrans({'\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r'})


def copy_text(value):
    """One value in COPY's text format: NULL as ``\\N``, booleans as t/f, text with backslash escapes."""
    return (_CONVERTERS.get(type(value)) or _other)(value)


def _other(value):
    if isinstance(value, str):  # a str subclass (a translated term, markup): escaped as text
        return value.translate(_ESCAPES)
    return str(value)  # numbers, Decimal, dates and timestamps: their ISO text


_CONVERTERS = {
    type(None): lambda value: '\\N',
    bool: lambda value: 't' if value else 'f',
    str: lambda value: value.translate(_ESCAPES),
    # the usual values of a reading or a payment by their exact type, without _other's test: 800,000 of them
    # in a 100,000-line file
    int: str, float: str, Decimal: str, datetime.date: str, datetime.datetime: str,
}


def copy_rows(cr, table, columns, rows, constants=None):
    """Write ``rows`` (tuples in the order of ``columns``) into ``table``; ``constants`` ({column: value}) are
    the same in every row, written once into the text of each (the user, the time, the file of a load)."""
    if not rows:
        return
    constants = constants or {}
    suffix = ''.join('\t' + copy_text(value) for value in constants.values()) + '\n'
    get = _CONVERTERS.get
    text = ''.join(['\t'.join([(get(type(value)) or _other)(value) for value in row]) + suffix for row in rows])
    cr.copy_expert('COPY %s (%s) FROM STDIN' % (table, ', '.join(tuple(columns) + tuple(constants))),
                   io.StringIO(text))
