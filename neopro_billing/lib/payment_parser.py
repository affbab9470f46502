"""Bank payment files: rows -> payment lines. Plain Python, no ORM.

The file itself (XLSX, XLS, CSV, 1C statement, DBF; header, columns, skipped rows) is read by the one exchange
file mechanism, :mod:`file_parser`; a bank format (``neopro.payment.format``) names the columns ``account``,
``amount``, ``date`` and optionally ``payer``, ``service``, ``txn_id``, and may give an ``account_pattern`` that
takes the ЛС out of a purpose text (1C statements, Kazpost DBF).

``parse(data, spec)`` returns a :class:`ParsedFile`; each :class:`Line` keeps its physical row number
and the problems found in its cells as ``(code, raw value)`` pairs, so that the caller can word them.
File-level problems raise :class:`PaymentFileError`.
"""
from collections import namedtuple

from .file_parser import (
    CENT,
    MAX_AMOUNT,
    DateCache,
    FileError as PaymentFileError,
    account_finder,
    normalize_header,
    parse_amount,
    parse_date,
    read_rows,
    read_table,
    to_identifier,
    to_text,
)

__all__ = ['CENT', 'MAX_AMOUNT', 'PaymentFileError', 'normalize_header', 'parse', 'parse_amount', 'parse_date',
           'read_rows', 'to_identifier', 'to_text']

REQUIRED_COLUMNS = ('account', 'amount', 'date')
OPTIONAL_COLUMNS = ('payer', 'service', 'txn_id')

# Line problems (codes the model turns into sentences).
BAD_AMOUNT = 'amount'
ZERO_AMOUNT = 'zero_amount'
BAD_DATE = 'date'
NO_ACCOUNT = 'no_account'

Line = namedtuple('Line', 'line_number account payer amount date service txn_id raw_amount raw_date errors')
ParsedFile = namedtuple('ParsedFile', 'header_row columns lines skipped')


def parse(data, spec):
    """Read a registry file into a :class:`ParsedFile` of payment lines (no database access)."""
    table, lines = read_lines(data, spec)
    lines = list(lines)
    return ParsedFile(table.header_row, table.mapped_columns(), lines, table.skipped)


def read_lines(data, spec):
    """``(table, lines)``: the file's header found and an iterator of its :class:`Line` tuples, read as it is
    consumed (``table.skipped`` counts once it is exhausted)."""
    table = read_table(data, spec, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    return table, _lines(table, spec)


def _lines(table, spec):
    get = table.getter
    get_account, get_amount, get_date = get('account'), get('amount'), get('date')
    get_payer, get_service, get_txn = get('payer'), get('service'), get('txn_id')
    find_account = account_finder(spec.get('account_pattern'))
    to_date = DateCache(spec.get('date_format'))
    for number, row in table:
        raw_amount, raw_date = get_amount(row), get_date(row)
        account = find_account(get_account(row))
        amount = parse_amount(raw_amount)
        date = to_date(raw_date)
        errors = []
        if not account:
            errors.append((NO_ACCOUNT, ''))
        if amount is None:
            errors.append((BAD_AMOUNT, to_text(raw_amount)))
        elif amount <= 0:
            errors.append((ZERO_AMOUNT, to_text(raw_amount)))
        if date is None:
            errors.append((BAD_DATE, to_text(raw_date)))
        yield Line(number, account, to_text(get_payer(row)) or None, amount, date,
                   to_text(get_service(row)) or None, to_identifier(get_txn(row)) or None,
                   to_text(raw_amount), to_text(raw_date), errors)
