"""Bank payment registries: bytes -> rows -> payment lines. Plain Python, no ORM.

A file format (``neopro.payment.format``) is turned into a spec dict by the model::

    {'file_type': 'xlsx' | 'xls' | 'csv', 'encoding': 'utf-8', 'delimiter': ';',
     'header_row': 1,                      # 1-based; 0 = find the header in the first rows
     'date_format': '%d.%m.%Y',            # for dates given as text; a time part is ignored
     'skip_pattern': r'^(итого|всего)',    # rows whose first filled cell matches are totals, not payments
     'columns': {'account': 'Лицевой счет|ЛС', 'amount': 'Сумма', 'date': 'Дата платежа',
                 'payer': 'ФИО', 'service': '', 'txn_id': 'Номер транзакции'}}

A column is given by its header text (alternatives separated by ``|``, compared without case, spaces
or punctuation), by its 1-based number or by its spreadsheet letter.

``parse(data, spec)`` returns a :class:`ParsedFile`; each :class:`Line` keeps its physical row number
and the problems found in its cells as ``(code, raw value)`` pairs, so that the caller can word them.
File-level problems raise :class:`PaymentFileError`.
"""
import csv
import datetime
import io
import re
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

REQUIRED_COLUMNS = ('account', 'amount', 'date')
OPTIONAL_COLUMNS = ('payer', 'service', 'txn_id')
HEADER_SCAN_ROWS = 30
# Bounds of a registry (issue 11): a bank's file of 100 000 payments is a few MB; a spreadsheet that unpacks to
# gigabytes (a zip bomb) or holds millions of rows is refused before it is read, not loaded as an empty registry.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ROWS = 500000

# Line problems (codes the model turns into sentences).
BAD_AMOUNT = 'amount'
ZERO_AMOUNT = 'zero_amount'
BAD_DATE = 'date'
NO_ACCOUNT = 'no_account'

CENT = Decimal('0.01')
# The ledger's bound of an amount (the SQL CHECK of neopro_operation.amount): a line beyond it is no payment.
MAX_AMOUNT = Decimal(10) ** 10
_SPACES = re.compile(r'[\s\u00a0\u202f\u2009\']+')
_CURRENCY = re.compile(r'(тг|тенге|kzt|₸)\.?$', re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r'^-?\d+(\.\d+)?$')
_GROUPED = re.compile(r'^-?\d{1,3}(%s\d{3})+(%s\d+)?$')
_NORMALIZE = re.compile(r'[\W_]+', re.UNICODE)
_LETTERS = re.compile(r'^[A-Za-z]{1,2}$')

Line = namedtuple('Line', 'line_number account payer amount date service txn_id raw_amount raw_date errors')
ParsedFile = namedtuple('ParsedFile', 'header_row columns lines skipped')


class PaymentFileError(Exception):
    """The whole file cannot be read: ``code`` says why, ``detail`` names the culprit."""

    def __init__(self, code, detail=''):
        super(PaymentFileError, self).__init__(code, detail)
        self.code = code
        self.detail = detail


# ---------------------------------------------------------------------------------------------- cells

def normalize_header(value):
    """Header text compared without case, spaces, punctuation, and with ё = е."""
    if value is None:
        return ''
    return _NORMALIZE.sub('', str(value)).lower().replace('ё', 'е')


def to_text(value):
    """A cell as stripped text; integral numbers lose their ``.0``."""
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime('%d.%m.%Y')
    return ' '.join(str(value).split())


def to_identifier(value):
    """An account number or transaction id: text without spaces or a leading apostrophe."""
    return _SPACES.sub('', to_text(value)).lstrip("'")


def parse_amount(value):
    """Exact ``Decimal`` of a money cell, or None when it is not an amount with at most 2 decimals.

    Numbers from spreadsheets go through their shortest ``repr`` (1234.56 stays 1234.56, no binary
    noise) or, for computed cells, the 15 significant digits Excel displays; text may use ``,`` or ``.``
    as decimal mark and spaces, apostrophes or the other mark between thousands (``1 234,56``,
    ``1,234.56``, ``1.234,56``), and may end with a currency sign.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float('inf'), float('-inf')):
            return None
        amount = Decimal(repr(value))
        if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
            # a computed cell (=0.1+0.2) holds binary noise: take the 15 digits Excel shows, nothing less
            amount = Decimal('%.15g' % value)
    elif isinstance(value, Decimal):
        amount = value
    else:
        text = _CURRENCY.sub('', _SPACES.sub('', str(value)))
        text = _SPACES.sub('', text)
        if not text:
            return None
        text = _normalize_separators(text)
        if text is None or not _PLAIN_NUMBER.match(text):
            return None
        amount = Decimal(text)
    try:
        rounded = amount.quantize(CENT)
    except InvalidOperation:
        return None
    if rounded != amount or abs(rounded) >= MAX_AMOUNT:
        return None  # more than 2 decimals or beyond any utility bill: not a tenge amount, do not guess
    return rounded


def _normalize_separators(text):
    """``1.234,56`` / ``1,234.56`` / ``1234,5`` -> ``1234.56`` / ``1234.56`` / ``1234.5``; None if unclear."""
    commas, dots = text.count(','), text.count('.')
    if commas and dots:
        decimal_mark = ',' if text.rfind(',') > text.rfind('.') else '.'
        group_mark = '.' if decimal_mark == ',' else ','
        if text.count(decimal_mark) > 1:
            return None
        grouped = _GROUPED.pattern % (re.escape(group_mark), re.escape(decimal_mark))
        if not re.match(grouped, text):
            return None
        return text.replace(group_mark, '').replace(decimal_mark, '.')
    mark = ',' if commas else '.' if dots else None
    if mark is None:
        return text
    if text.count(mark) == 1:
        return text.replace(mark, '.')
    # the same mark several times can only group thousands: 1,234,567
    if not re.match(_GROUPED.pattern % (re.escape(mark), r'\.'), text):
        return None
    return text.replace(mark, '')


def parse_date(value, date_format):
    """A ``datetime.date`` from a date cell or text in ``date_format`` (a time part is ignored); else None."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = to_text(value)
    if not text:
        return None
    for candidate in (text, text.split(' ')[0], text.split('T')[0]):
        try:
            return datetime.datetime.strptime(candidate, date_format).date()
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------------------------- rows

def read_rows(data, spec):
    """Yield ``(row_number, tuple_of_cells)`` of the first sheet / the CSV text, row numbers from 1."""
    readers = {'xlsx': _read_xlsx, 'xls': _read_xls, 'csv': _read_csv}
    reader = readers.get(spec.get('file_type'))
    if reader is None:
        raise PaymentFileError('file_type', spec.get('file_type'))
    if len(data) > MAX_FILE_BYTES:
        raise PaymentFileError('size', '%d MB' % (MAX_FILE_BYTES // 2 ** 20))
    return _bounded(reader(data, spec))


def _bounded(rows):
    """The rows, refused past ``MAX_ROWS``."""
    for number, row in rows:
        if number > MAX_ROWS:
            raise PaymentFileError('rows', str(MAX_ROWS))
        yield number, row


def _check_unpacked_size(data):
    """Refuse a spreadsheet (a zip archive) whose content would unpack beyond ``MAX_UNPACKED_BYTES``."""
    import zipfile
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PaymentFileError('unreadable', str(exc))
    if unpacked > MAX_UNPACKED_BYTES:
        raise PaymentFileError('unpacked', '%d MB' % (MAX_UNPACKED_BYTES // 2 ** 20))


def _read_xlsx(data, spec):
    import zipfile

    import openpyxl
    _check_unpacked_size(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PaymentFileError('unreadable', str(exc))
    try:
        sheet = book.worksheets[0]
        # bank exports often declare a wrong sheet size, which would cut columns off: read what is there
        sheet.reset_dimensions()
        # read-only mode yields empty rows too, so enumerate gives the row number operators see in Excel
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, row
    finally:
        book.close()


def _read_xls(data, spec):
    import xlrd
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except (xlrd.XLRDError, ValueError, AssertionError, IndexError, OSError) as exc:
        raise PaymentFileError('unreadable', str(exc))
    sheet = book.sheet_by_index(0)
    date_type = xlrd.XL_CELL_DATE
    for index in range(sheet.nrows):
        values = sheet.row_values(index)
        types = sheet.row_types(index)
        if date_type in types:
            values = [xlrd.xldate.xldate_as_datetime(v, book.datemode) if t == date_type else v
                      for v, t in zip(values, types)]
        yield index + 1, tuple(values)
    book.release_resources()


def _read_csv(data, spec):
    encoding = (spec.get('encoding') or 'utf-8').lower()
    if encoding.replace('-', '').replace('_', '') == 'utf8':
        encoding = 'utf-8-sig'  # drop a byte-order mark Excel likes to write
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise PaymentFileError('encoding', '%s: %s' % (spec.get('encoding'), exc))
    delimiter = spec.get('delimiter') or ';'
    if delimiter in ('\\t', 'tab'):
        delimiter = '\t'
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    first_line = 1
    for row in reader:
        yield first_line, tuple(row)
        first_line = reader.line_num + 1


# ---------------------------------------------------------------------------------------------- lines

def resolve_columns(header, spec):
    """Map column keys to 0-based indexes in ``header``; None when a required column is missing."""
    normalized = [normalize_header(cell) for cell in header]
    columns = {}
    for key in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        wanted = (spec['columns'].get(key) or '').strip()
        if not wanted:
            continue
        index = _find_column(wanted, normalized)
        if index is None:
            if key in REQUIRED_COLUMNS:
                return None, key
            continue
        columns[key] = index
    return columns, None


def _find_column(wanted, normalized):
    alternatives = [a.strip() for a in wanted.split('|') if a.strip()]
    for alt in alternatives:
        name = normalize_header(alt)
        if name and name in normalized:
            return normalized.index(name)
    for alt in alternatives:
        if alt.isdigit() and int(alt) > 0:
            return int(alt) - 1
        if _LETTERS.match(alt):
            index = 0
            for char in alt.upper():
                index = index * 26 + ord(char) - ord('A') + 1
            return index - 1
    return None


def parse(data, spec):
    """Read a registry file into a :class:`ParsedFile` of payment lines (no database access)."""
    rows = read_rows(data, spec)
    header_row = spec.get('header_row') or 0
    columns, header_number, missing = None, None, None
    for number, row in rows:
        if header_row:
            if number < header_row:
                continue
            columns, missing = resolve_columns(row, spec)
            header_number = number
            break
        columns, missing = resolve_columns(row, spec)
        if columns is not None and _row_has_names(row, spec, columns):
            header_number = number
            break
        columns = None
        if number >= HEADER_SCAN_ROWS:
            break
    if columns is None:
        wanted = ', '.join('%s: %s' % (k, spec['columns'].get(k)) for k in REQUIRED_COLUMNS)
        raise PaymentFileError('header', missing and spec['columns'].get(missing) or wanted)

    skip = re.compile(spec['skip_pattern'], re.IGNORECASE) if spec.get('skip_pattern') else None
    date_format = spec.get('date_format') or '%d.%m.%Y'
    get = {key: _getter(index) for key, index in columns.items()}
    none = _getter(None)
    get_account, get_amount, get_date = get['account'], get['amount'], get['date']
    get_payer, get_service, get_txn = get.get('payer', none), get.get('service', none), get.get('txn_id', none)
    mapped = list(columns.values())
    dates = {}  # a registry repeats the same few dates: parse each text once
    lines, skipped = [], 0
    for number, row in rows:
        if not any(row[i] not in (None, '') for i in mapped if i < len(row)):
            continue  # blank row
        if skip is not None:
            first = next((c for c in row if c not in (None, '')), None)
            if isinstance(first, str) and skip.search(first.strip()):
                skipped += 1
                continue
        raw_amount, raw_date = get_amount(row), get_date(row)
        account = to_identifier(get_account(row))
        amount = parse_amount(raw_amount)
        if isinstance(raw_date, str):
            date = dates.get(raw_date, False)
            if date is False:
                date = dates[raw_date] = parse_date(raw_date, date_format)
        else:
            date = parse_date(raw_date, date_format)
        errors = []
        if not account:
            errors.append((NO_ACCOUNT, ''))
        if amount is None:
            errors.append((BAD_AMOUNT, to_text(raw_amount)))
        elif amount <= 0:
            errors.append((ZERO_AMOUNT, to_text(raw_amount)))
        if date is None:
            errors.append((BAD_DATE, to_text(raw_date)))
        lines.append(Line(number, account, to_text(get_payer(row)) or None, amount, date,
                          to_text(get_service(row)) or None, to_identifier(get_txn(row)) or None,
                          to_text(raw_amount), to_text(raw_date), errors))
    return ParsedFile(header_number, columns, lines, skipped)


def _row_has_names(row, spec, columns):
    """When finding the header, a row counts only if a required column was found by its name."""
    normalized = [normalize_header(cell) for cell in row]
    return any(normalized[columns[key]] and normalized[columns[key]] in
               [normalize_header(a) for a in spec['columns'][key].split('|')]
               for key in REQUIRED_COLUMNS)


def _getter(index):
    if index is None:
        return lambda row: None
    return lambda row: row[index] if index < len(row) else None
