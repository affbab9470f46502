"""Bulk writes of the file imports: rows into a table with one ``COPY … FROM STDIN``. No ORM.

A file of 100,000 lines becomes 100,000 readings or payments; ``execute_values`` formats every row with
``mogrify`` and sends INSERT statements the server parses again, ``COPY`` streams the values as text (2 s less of a
Kaspi registry's 100,000 payments on this machine). Table and column names are the caller's constants; values go
as data in PostgreSQL's text format, never into SQL.
"""
import io

_ESCAPES = str.maketrans({'\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r'})


def copy_text(value):
    """One value in COPY's text format: NULL as ``\\N``, booleans as t/f, text with backslash escapes."""
    if value is None:
        return '\\N'
    if value is True:
        return 't'
    if value is False:
        return 'f'
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)  # numbers, Decimal, dates and timestamps in their ISO text


def copy_rows(cr, table, columns, rows):
    """Write ``rows`` (tuples in the order of ``columns``) into ``table``."""
    if not rows:
        return
    text = ''.join('\t'.join(map(copy_text, row)) + '\n' for row in rows)
    cr.copy_expert('COPY %s (%s) FROM STDIN' % (table, ', '.join(columns)), io.StringIO(text))
