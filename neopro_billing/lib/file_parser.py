"""Exchange files: bytes -> header and rows -> cells. Plain Python, no ORM.

One mechanism for every file that comes in (bank registries and statements, meter readings, the go-live
workbook): a layout (``neopro.payment.format``, ``neopro.reading.format`` — both ``neopro.file.format.mixin``)
is turned by its model into a spec dict::

    {'file_type': 'xlsx' | 'xls' | 'csv' | '1c' | 'dbf', 'encoding': 'utf-8', 'delimiter': ';',
     'header_row': 1,                      # 1-based; 0 = find the header in the first rows
     'date_format': '%d.%m.%Y',            # for dates given as text; a time part is ignored
     'skip_pattern': r'^(итого|всего)',    # rows whose first filled cell (or ``skip_column``) matches: not lines
     'skip_column': '',                    # the column the skip pattern looks at (empty: the first filled cell)
     'account_pattern': '',                # a regular expression whose first group is the ЛС in the account cell
     'columns': {'account': 'Лицевой счет|ЛС', ...},
     'sheet': ''}                          # XLSX: the sheet to read by its name (empty: the first one)

A column is given by its header text (alternatives separated by ``|``, compared without case, spaces
or punctuation), by its 1-based number or by its spreadsheet letter. Several columns joined by ``+`` make one
value of their cells joined by ``/`` (a bank statement's document number, date and payer as the transaction id;
empty parts at the end left out), empty when the first of them is empty. The readers give every file type as rows:
an XLSX/XLS sheet or CSV text as it is; a 1C bank statement (``1CClientBankExchange``) as a header of its keys
and one row per incoming document; a DBF as its field names and records.

:func:`read_table` finds the header and the columns and yields the data rows; the callers
(``payment_parser.parse``, ``reading_parser.parse``) turn cells into lines. File-level problems raise
:class:`FileError`.
"""
import csv
import datetime
import gc
import io
import os
import queue
import re
import tempfile
import threading
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HEADER_SCAN_ROWS = 30
# Lines a background reader hands over at a time (see StreamedLines).
CHUNK_LINES = 10000
# Bounds of a file (issue 11): a bank's file of 100 000 payments is a few MB; a spreadsheet that unpacks to
# gigabytes (a zip bomb) or holds millions of rows is refused before it is read, not loaded as an empty registry.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ROWS = 500000

CENT = Decimal('0.01')
# The ledger's bound of an amount (the SQL CHECK of neopro_operation.amount): a line beyond it is no payment.
MAX_AMOUNT = Decimal(10) ** 10
_SPACES = re.compile(r'[\s\u00a0\u202f\u2009\']+')
_CURRENCY = re.compile(r'(тг|тенге|kzt|₸)\.?$', re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r'^-?\d+(\.\d+)?$')
_GROUPED = re.compile(r'^-?\d{1,3}(%s\d{3})+(%s\d+)?$')
_NORMALIZE = re.compile(r'[\W_]+', re.UNICODE)
_LETTERS = re.compile(r'^[A-Za-z]{1,2}$')


class FileError(Exception):
    """The whole file cannot be read: ``code`` says why, ``detail`` names the culprit."""

    def __init__(self, code, detail=''):
        super(FileError, self).__init__(code, detail)
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
    if value.__class__ is str:  # most cells: no type tests
        return ' '.join(value.split())
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime('%d.%m.%Y')
    return ' '.join(str(value).split())


def to_identifier(value):
    """An account number, serial number or transaction id: text without spaces or a leading apostrophe."""
    return _SPACES.sub('', to_text(value)).lstrip("'")


def to_decimal(value):
    """Exact ``Decimal`` of a number cell (no rounding, no bound), or None when it is no number.

    Numbers from spreadsheets go through their shortest ``repr`` (1234.56 stays 1234.56, no binary
    noise) or, for computed cells, the 15 significant digits Excel displays; text may use ``,`` or ``.``
    as decimal mark and spaces, apostrophes or the other mark between thousands (``1 234,56``,
    ``1,234.56``, ``1.234,56``), and may end with a currency sign.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float('inf'), float('-inf')):
            return None
        amount = Decimal(repr(value))
        if amount != amount.quantize(Decimal('0.001'), rounding=ROUND_HALF_UP):
            # a computed cell (=0.1+0.2) holds binary noise: take the 15 digits Excel shows, nothing less
            amount = Decimal('%.15g' % value)
        return amount
    if isinstance(value, Decimal):
        return value
    text = _CURRENCY.sub('', _SPACES.sub('', str(value)))
    text = _SPACES.sub('', text)
    if not text:
        return None
    text = _normalize_separators(text)
    if text is None or not _PLAIN_NUMBER.match(text):
        return None
    return Decimal(text)


def parse_amount(value):
    """Exact ``Decimal`` of a money cell, or None when it is not an amount with at most 2 decimals."""
    amount = to_decimal(value)
    if amount is None:
        return None
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


class DateCache(object):
    """A file repeats the same few dates: parse each text once."""

    def __init__(self, date_format):
        self.date_format = date_format or '%d.%m.%Y'
        self.cache = {}

    def __call__(self, value):
        if isinstance(value, str):
            date = self.cache.get(value, False)
            if date is False:
                date = self.cache[value] = parse_date(value, self.date_format)
            return date
        return parse_date(value, self.date_format)


# ---------------------------------------------------------------------------------------------- rows

def read_rows(data, spec):
    """Yield ``(row_number, tuple_of_cells)`` of the first sheet / the CSV text / the statement / the DBF."""
    readers = {'xlsx': _read_xlsx, 'xls': _read_xls, 'csv': _read_csv, '1c': _read_1c, 'dbf': _read_dbf}
    reader = readers.get(spec.get('file_type'))
    if reader is None:
        raise FileError('file_type', spec.get('file_type'))
    if len(data) > MAX_FILE_BYTES:
        raise FileError('size', '%d MB' % (MAX_FILE_BYTES // 2 ** 20))
    return _bounded(reader(data, spec))


def _bounded(rows):
    """The rows, refused past ``MAX_ROWS``."""
    for number, row in rows:
        if number > MAX_ROWS:
            raise FileError('rows', str(MAX_ROWS))
        yield number, row


def _check_unpacked_size(data):
    """Refuse a spreadsheet (a zip archive) whose content would unpack beyond ``MAX_UNPACKED_BYTES``."""
    import zipfile
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileError('unreadable', str(exc))
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileError('unpacked', '%d MB' % (MAX_UNPACKED_BYTES // 2 ** 20))


def _read_xlsx(data, spec):
    """The rows of a worksheet as openpyxl's read-only ``iter_rows(values_only=True)`` gives them (same values,
    same row numbers, the sheet's declared size ignored), read straight from the sheet's XML.

    openpyxl builds an object per shared string and a dict per cell: on a 100,000-line Kaspi registry that was
    most of the load (9 s of it). This reader takes only what a registry needs — values, shared strings, which
    styles are dates, the workbook's epoch — with lxml (entities not resolved, no network), and leaves the number
    formats and dates to openpyxl's own functions.
    """
    import zipfile

    from lxml import etree
    _check_unpacked_size(data)
    try:
        book = _XlsxBook(zipfile.ZipFile(io.BytesIO(data)))
        sheet = book.sheet(spec.get('sheet'))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, etree.LxmlError) as exc:
        raise FileError('unreadable', str(exc))
    try:
        for number, row in book.rows(sheet):
            yield number, row
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, etree.LxmlError) as exc:
        raise FileError('unreadable', str(exc))
    finally:
        book.close()


class _XlsxBook(object):
    """A workbook's parts read with lxml: sheets (name -> part), shared strings, date styles, epoch."""

    OFFICE_DOCUMENT = 'officeDocument'

    def __init__(self, archive):
        from lxml import etree
        from openpyxl.utils.datetime import from_excel, from_ISO8601
        self.from_excel, self.from_iso = from_excel, from_ISO8601
        self.archive = archive
        self.etree = etree
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        workbook = self._office_document()
        base = workbook.rpartition('/')[0]
        rels = self._rels(workbook)
        root = self._xml(workbook)
        self.epoch = self._epoch(root)
        self.sheets = []  # (name, part) of the worksheets, in the workbook's order
        names = set(archive.namelist())
        for node in root.iter('{*}sheet'):
            rel_id = next((v for k, v in node.attrib.items() if k.endswith('}id')), None)
            target = rels.get(rel_id)
            if target and target[0].endswith('/worksheet') and self._resolve(base, target[1]) in names:
                self.sheets.append((node.get('name'), self._resolve(base, target[1])))
        self.sheet_names = [node.get('name') for node in root.iter('{*}sheet')]
        strings = next((self._resolve(base, t) for kind, t in rels.values() if kind.endswith('/sharedStrings')), None)
        styles = next((self._resolve(base, t) for kind, t in rels.values() if kind.endswith('/styles')), None)
        self.shared_strings = self._shared_strings(strings) if strings in names else []
        # compared with the cells' ``s`` attribute as it is written: no int() per cell
        self.date_styles = {str(i) for i in self._date_styles(styles)} if styles in names else set()

    def close(self):
        self.archive.close()

    # -- parts

    def _xml(self, part):
        return self.etree.fromstring(self.archive.read(part), self.parser)

    @staticmethod
    def _resolve(base, target):
        import posixpath
        if target.startswith('/'):
            return target.lstrip('/')
        return posixpath.normpath(posixpath.join(base, target))

    def _rels(self, part):
        """``{relationship id: (type, target)}`` of a part."""
        folder, _slash, name = part.rpartition('/')
        path = (folder + '/' if folder else '') + '_rels/' + name + '.rels'
        if path not in self.archive.namelist():
            return {}
        return {node.get('Id'): (node.get('Type') or '', node.get('Target') or '')
                for node in self._xml(path).iter('{*}Relationship')}

    def _office_document(self):
        for kind, target in self._rels('').values():
            if kind.endswith('/' + self.OFFICE_DOCUMENT):
                return self._resolve('', target)
        return 'xl/workbook.xml'

    @staticmethod
    def _epoch(root):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900
        props = next(root.iter('{*}workbookPr'), None)
        date1904 = props is not None and (props.get('date1904') or '').lower() in ('1', 'true')
        return CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900

    @staticmethod
    def _strings_of(node):
        """The text of a string item (``si`` / ``is``): its ``t`` and rich-text runs, phonetic runs left out."""
        if len(node) == 1 and node[0].tag.endswith('}t'):
            return node[0].text or ''  # the usual plain string: no tree walk
        return ''.join(t.text or '' for t in node.iter('{*}t') if not t.getparent().tag.endswith('}rPh'))

    def _shared_strings(self, part):
        strings = []
        append, text_of = strings.append, self._strings_of
        with self.archive.open(part) as source:
            for _event, node in self.etree.iterparse(source, events=('end',), tag='{*}si', resolve_entities=False,
                                                     no_network=True):
                text = text_of(node)
                append(text.replace('x005F_', '') if 'x005F_' in text else text)  # as openpyxl reads them
                node.clear()
                while node.getprevious() is not None:
                    del node.getparent()[0]
        return strings

    def _date_styles(self, part):
        """Indexes of the cell styles whose number format is a date or time (a duration too: openpyxl's read-only
        mode gives it as a datetime)."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
        root = self._xml(part)
        custom = {}
        for node in root.iter('{*}numFmt'):
            try:
                custom[int(node.get('numFmtId'))] = node.get('formatCode')
            except (TypeError, ValueError):
                continue
        dates = set()
        cell_xfs = next(root.iter('{*}cellXfs'), None)
        for index, node in enumerate(cell_xfs.iterfind('{*}xf') if cell_xfs is not None else ()):
            try:
                fmt_id = int(node.get('numFmtId') or 0)
            except ValueError:
                fmt_id = 0
            fmt = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
            if is_date_format(fmt):
                dates.add(index)
        return dates

    def sheet(self, name):
        """The part of the worksheet ``name`` (empty: the first worksheet)."""
        if name:
            if name not in self.sheet_names:
                raise FileError('sheet', name)
            part = next((p for n, p in self.sheets if n == name), None)
            if part is None:
                raise FileError('sheet', name)
            return part
        if not self.sheets:
            raise FileError('unreadable', 'no worksheet')
        return self.sheets[0][1]

    # -- cells

    def rows(self, part):
        """``(row number, cells)``: every row from 1 on (missing ones empty), each as wide as its last cell."""
        counter = 1
        with self.archive.open(part) as source:
            for _event, node in self.etree.iterparse(source, events=('end',), tag='{*}row', resolve_entities=False,
                                                     no_network=True):
                number, cells = self._row(node, counter)
                node.clear()
                while node.getprevious() is not None:  # keep memory flat on 100,000 rows
                    del node.getparent()[0]
                while counter < number:
                    yield counter, ()
                    counter += 1
                if counter <= number:  # a row out of order is left out, as openpyxl does
                    yield counter, cells
                    counter += 1

    def _row(self, node, counter):
        number = node.get('r')
        if number is None:
            number = counter
        else:
            try:
                number = int(number)
            except ValueError:
                value = float(number)
                if not value.is_integer():
                    raise ValueError('%s is not a valid row number' % number)
                number = int(value)
        namespace = node.tag[:-3]  # '{…main}' of 'row'
        cell_tag, value_tag = namespace + 'c', namespace + 'v'
        row, column, columns = [], 0, _COLUMNS
        for cell in node:  # per cell only attribute reads and one child loop: 800,000 cells in a registry
            if cell.tag != cell_tag:
                continue
            get = cell.get
            ref = get('r')
            if ref:
                column = columns.get(ref.rstrip('0123456789')) or _column_index(ref)
            else:
                column += 1
            kind = get('t')
            if kind == 'inlineStr':
                inline = next(cell.iterfind(namespace + 'is'), None)
                value = self._strings_of(inline) if inline is not None else None
            else:
                value = None
                for child in cell:
                    if child.tag == value_tag:
                        value = child.text or None
                        break
                if value is not None:
                    value = self._value(kind, value, get)
            width = len(row)
            if column == width + 1:
                row.append(value)
            elif column > width:
                row.extend([None] * (column - width - 1))
                row.append(value)
            elif column > 0:
                row[column - 1] = value  # a cell out of order or repeated: the last one counts, as in openpyxl
        if not row:
            return number, ()
        del row[column:]  # openpyxl makes the row as wide as its last cell
        return number, tuple(row)

    def _value(self, kind, value, get):
        if kind is None or kind == 'n':
            number = float(value) if ('.' in value or 'E' in value or 'e' in value) else int(value)
            if get('s') in self.date_styles:
                try:
                    return self.from_excel(number, self.epoch)
                except (OverflowError, ValueError):
                    return '#VALUE!'  # as openpyxl: a date cell whose serial is no date
            return number
        if kind == 's':
            return self.shared_strings[int(value)]
        if kind == 'b':
            return bool(int(value))
        if kind == 'd':
            return self.from_iso(value)
        return value  # 'str' (a formula's text), 'e' (an error such as #N/A)


_COLUMNS = {}


def _column_index(ref):
    """1-based column of a cell reference (``AB12`` -> 28), cached by its letters."""
    letters = ref.rstrip('0123456789$').lstrip('$')
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for char in letters.upper():
            index = index * 26 + ord(char) - ord('A') + 1
        if len(letters) <= 3:  # a real column (XFD at most): the cache stays small whatever a file holds
            _COLUMNS[letters] = index
    return index


def _read_xls(data, spec):
    import xlrd
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except (xlrd.XLRDError, ValueError, AssertionError, IndexError, OSError) as exc:
        raise FileError('unreadable', str(exc))
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


def _decode(data, spec):
    encoding = (spec.get('encoding') or 'utf-8').lower()
    if encoding.replace('-', '').replace('_', '') == 'utf8':
        encoding = 'utf-8-sig'  # drop a byte-order mark Excel likes to write
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FileError('encoding', '%s: %s' % (spec.get('encoding'), exc))


def _read_csv(data, spec):
    text = _decode(data, spec)
    delimiter = spec.get('delimiter') or ';'
    if delimiter in ('\\t', 'tab'):
        delimiter = '\t'
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    first_line = 1
    for row in reader:
        yield first_line, tuple(row)
        first_line = reader.line_num + 1


# 1CClientBankExchange: keys compared without case (Kazpost writes them in capitals).
_1C_SIGNATURE = '1cclientbankexchange'
_1C_DOCUMENT, _1C_END_DOCUMENT, _1C_END_FILE = 'секциядокумент', 'конецдокумента', 'конецфайла'
_1C_INCOME, _1C_OUTGO, _1C_SUM = 'суммаприход', 'суммарасход', 'сумма'
_1C_OWN_ACCOUNT = 'расчсчет'
_1C_RECEIVER_ACCOUNTS = ('получательсчет', 'получательиик', 'получательрасчсчет')
_1C_PAYER_ACCOUNTS = ('плательщиксчет', 'плательщикиик', 'плательщикрасчсчет')


# The code pages 1C statements come in besides UTF-8: the header's ``Кодировка`` says Windows (windows-1251) or DOS
# (cp866, as Kazpost and BCC also write them); the format's keys, read in the right one, tell which it is.
_1C_CODE_PAGES = ('cp1251', 'cp866')
_1C_KEYS = ('кодировка', 'датаначала', _1C_DOCUMENT, _1C_END_FILE)


def decode_statement(data, encoding):
    """Text of a 1C statement: UTF-8 when it is valid UTF-8, else the first code page — the format's
    ``encoding``, then windows-1251 and cp866 — in which the start of the file reads the format's keys (or the
    first that decodes it, when none does: the parse then says what is missing)."""
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as exc:
        error = exc  # not UTF-8: one of the code pages
    pages = [encoding] if encoding and encoding.lower().replace('-', '') not in ('utf8', 'utf8sig') else []
    pages += [page for page in _1C_CODE_PAGES if page not in pages]
    first = None
    for page in pages:
        try:
            text = data.decode(page)
        except (UnicodeDecodeError, LookupError) as exc:
            error = exc
            continue
        start = text[:1 << 16].lower()
        if any(key in start for key in _1C_KEYS):
            return text
        first = text if first is None else first
    if first is not None:
        return first
    raise FileError('encoding', '%s: %s' % (pages[0], error))


def parse_statement(text):
    """``(header {key: value}, [(line number, {key: value}), ...])`` of a 1C statement; keys in lower case.

    A line without ``=`` inside a document continues the value before it (Kazpost splits long purposes).
    """
    lines = text.splitlines()
    if not lines or lines[0].strip().lower() != _1C_SIGNATURE:
        raise FileError('statement', (lines[0].strip() if lines else '')[:60])
    header, documents, current, last_key = {}, [], None, None
    for number, line in enumerate(lines[1:], 2):
        line = line.strip()
        if not line:
            continue
        if '=' not in line:
            key = line.lower()
            if key == _1C_END_DOCUMENT and current is not None:
                documents.append(current)
                current = last_key = None
            elif key == _1C_END_FILE:
                break
            elif current is not None and last_key:
                current[1][last_key] = (current[1][last_key] + ' ' + line).strip()
            continue
        key, value = line.split('=', 1)
        key, value = key.strip().lower(), value.strip()
        if key == _1C_DOCUMENT:
            current, last_key = (number, {'вид': value}), None
        elif current is not None:
            current[1][key] = value
            last_key = key
        else:
            header.setdefault(key, value)  # the first value: Kazpost repeats totals by day sections
    return header, documents


def is_incoming(document, own_account):
    """Whether a statement document is money in: ``СуммаПриход``, or one ``Сумма`` paid to our account."""
    if document.get(_1C_INCOME):
        return to_decimal(document[_1C_INCOME]) not in (None, Decimal(0))
    if document.get(_1C_OUTGO):
        return False
    receiver = next((document[k] for k in _1C_RECEIVER_ACCOUNTS if document.get(k)), '')
    payer = next((document[k] for k in _1C_PAYER_ACCOUNTS if document.get(k)), '')
    if own_account and receiver:
        return receiver.replace(' ', '') == own_account.replace(' ', '')
    if own_account and payer:
        return payer.replace(' ', '') != own_account.replace(' ', '')
    return True  # nothing tells the direction: a line of the protocol if it names no account


def _read_1c(data, spec):
    """The header row is every key met in an incoming document; each incoming document is a row (its
    ``СекцияДокумент`` line number); a document with one ``Сумма`` gets it as ``СуммаПриход``."""
    header, documents = parse_statement(decode_statement(data, spec.get('encoding')))
    own = header.get(_1C_OWN_ACCOUNT, '')
    incoming = [(number, doc) for number, doc in documents if is_incoming(doc, own)]
    for _number, doc in incoming:
        if not doc.get(_1C_INCOME) and doc.get(_1C_SUM):
            doc[_1C_INCOME] = doc[_1C_SUM]
    keys = []
    for _number, doc in incoming:
        keys.extend(k for k in doc if k not in keys)
    if _1C_INCOME not in keys:
        keys.append(_1C_INCOME)
    yield 1, tuple(keys)
    for number, doc in incoming:
        yield number, tuple(doc.get(k) for k in keys)


def _read_dbf(data, spec):
    """A dBase table (``dbf`` package): its field names, then one row per record (deleted ones left out).
    Kazpost writes cp866 and often leaves the code page byte empty: the format's encoding decides."""
    import dbf
    handle, path = tempfile.mkstemp(suffix='.dbf', prefix='neopro_import_')
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
        try:
            table = dbf.Table(path, codepage=_dbf_codepage(spec.get('encoding')))
            table.open(dbf.READ_ONLY)
        except (dbf.DbfError, ValueError, OSError, IndexError, KeyError, TypeError) as exc:
            raise FileError('unreadable', str(exc))
        try:
            yield 1, tuple(table.field_names)
            for number, record in enumerate(table, 2):
                if dbf.is_deleted(record):
                    continue
                yield number, tuple(v.strip() if isinstance(v, str) else v for v in record)
        finally:
            table.close()
    finally:
        os.unlink(path)


def _dbf_codepage(encoding):
    """The ``dbf`` package's code page name of a Python encoding (cp866 and cp1251 are the ones banks use)."""
    encoding = (encoding or 'cp866').lower().replace('-', '')
    return {'cp866': 'cp866', 'ibm866': 'cp866', 'cp1251': 'cp1251', 'windows1251': 'cp1251',
            'utf8': 'utf8', 'cp437': 'cp437'}.get(encoding, encoding)


# ---------------------------------------------------------------------------------------------- table

def resolve_columns(header, spec, required, optional=()):
    """Map column keys to 0-based indexes in ``header``: ``(columns, None)``, or ``(None, missing key)``.

    A key of several columns (``a+b``) maps to the tuple of their indexes (None for a part not in the file); it is
    found when its first part is."""
    normalized = [normalize_header(cell) for cell in header]
    columns = {}
    for key in tuple(required) + tuple(optional):
        wanted = (spec['columns'].get(key) or '').strip()
        if not wanted:
            if key in required:
                return None, key
            continue
        parts = [part.strip() for part in wanted.split('+') if part.strip()]
        if len(parts) > 1:
            index = tuple(_find_column(part, normalized) for part in parts)
            if index[0] is None:
                index = None
        else:
            index = _find_column(wanted, normalized)
        if index is None:
            if key in required:
                return None, key
            continue
        columns[key] = index
    return columns, None


def _first_index(index):
    """The column of a key: its index, or the first part's of a key of several columns."""
    return index[0] if isinstance(index, tuple) else index


def _joined_getter(indexes):
    """Cells of several columns joined by ``/``; None when the first one is empty."""
    def get(row):
        parts = [to_identifier(row[i]) if i is not None and i < len(row) else '' for i in indexes]
        return '/'.join(parts).rstrip('/') if parts[0] else None
    return get


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


def _row_has_names(row, spec, columns, required):
    """When finding the header, a row counts only if a required column was found by its name."""
    normalized = [normalize_header(cell) for cell in row]
    indexes = {key: _first_index(columns[key]) for key in required}
    return any(indexes[key] < len(normalized) and normalized[indexes[key]] and normalized[indexes[key]] in
               [normalize_header(a) for a in spec['columns'][key].split('+')[0].split('|')]
               for key in required)


class Table(object):
    """A file's header and data rows: ``header_row``, ``columns`` ({key: index}), ``rows`` (an iterator of
    ``(number, cells)`` without blank and skipped rows) and ``skipped`` (counted while ``rows`` is read)."""

    def __init__(self, header_row, columns, rows, spec):
        self.header_row = header_row
        self.columns = columns
        self.skipped = 0
        self._rows = rows
        self._spec = spec

    def mapped_columns(self):
        """``{column key: index}`` of the layout's columns (the skip column left out)."""
        return {k: v for k, v in self.columns.items() if k != 'skip'}

    def getter(self, key):
        """A function giving the cell of column ``key`` of a row (None when the column is absent)."""
        index = self.columns.get(key)
        if index is None:
            return lambda row: None
        if isinstance(index, tuple):
            return _joined_getter(index)
        return lambda row: row[index] if index < len(row) else None

    def __iter__(self):
        spec = self._spec
        skip = re.compile(spec['skip_pattern'], re.IGNORECASE) if spec.get('skip_pattern') else None
        skip_index = None
        if skip is not None and spec.get('skip_column'):
            skip_index = _first_index(self.columns.get('skip'))
        mapped = [i for index in self.columns.values() for i in (index if isinstance(index, tuple) else (index,))
                  if i is not None]
        for number, row in self._rows:
            if not any(row[i] not in (None, '') for i in mapped if i < len(row)):
                continue  # blank row
            if skip is not None:
                if skip_index is not None:
                    first = row[skip_index] if skip_index < len(row) else None
                else:
                    first = next((c for c in row if c not in (None, '')), None)
                if isinstance(first, str) and skip.search(first.strip()):
                    self.skipped += 1
                    continue
            yield number, row


def read_table(data, spec, required, optional=()):
    """Read a file to a :class:`Table`: the header found (at ``header_row`` or among the first rows) and the
    columns of ``required`` and ``optional`` keys resolved. Raises :class:`FileError` ``header`` when a required
    column is missing."""
    rows = read_rows(data, spec)
    header_row = spec.get('header_row') or 0
    if spec.get('skip_column'):
        spec = dict(spec, columns=dict(spec['columns'], skip=spec['skip_column']))
        optional = tuple(optional) + ('skip',)
    columns, header_number, missing = None, None, None
    for number, row in rows:
        if header_row:
            if number < header_row:
                continue
            columns, missing = resolve_columns(row, spec, required, optional)
            header_number = number
            break
        columns, missing = resolve_columns(row, spec, required, optional)
        if columns is not None and _row_has_names(row, spec, columns, required):
            header_number = number
            break
        columns = None
        if number >= HEADER_SCAN_ROWS:
            break
    if columns is None:
        wanted = ', '.join('%s: %s' % (k, spec['columns'].get(k)) for k in required)
        raise FileError('header', missing and spec['columns'].get(missing) or wanted)
    return Table(header_number, columns, rows, spec)


def account_finder(pattern):
    """A function taking the ЛС out of a cell by ``pattern`` (its first group, or the match), or the cell as an
    identifier when there is no pattern."""
    if not pattern:
        return to_identifier
    regex = re.compile(pattern, re.IGNORECASE)

    def find(value):
        match = regex.search(to_text(value))
        if not match:
            return ''
        return to_identifier(match.group(1) if regex.groups else match.group(0))
    return find


class StreamedLines(object):
    """A file's lines read in a thread of their own and handed over in chunks of ``chunk_size``.

    An import checks and writes a chunk while the next one is read: the database driver releases the GIL while
    PostgreSQL writes the rows and checks their foreign keys, so reading a 100,000-line registry and writing it
    overlap instead of adding up (2 cores). The reader touches no Odoo object; a :class:`FileError` (or any error)
    it meets is raised in the caller, at the chunk it stopped at, so the caller's savepoint takes back what the
    chunks before wrote.

    ``first_chunk_size``, when given, is the size of the first chunk: a small one starts the caller's work early.

    ``prepare(chunk)``, when given, is called by the reader on each chunk as it is read, and what it returns is
    handed over with the chunk (``prepared_chunks()``): the readings import looks up a chunk's meters there, on
    a database connection of its own, while the caller writes the chunk before. ``prepare.close()``, when it has
    one, is called by the reader when it stops. It must touch nothing the caller's thread uses.

    While the lines are streamed (until ``close()``) Python's cyclic garbage collector is held off
    (:class:`CollectorPause`).

    ``chunks()`` yields the chunks (the whole file in one when it was read before); ``prepared_chunks()`` yields
    ``(chunk, prepared)`` pairs (prepared None for the whole file read before, or without ``prepare``);
    ``read_all()`` reads the rest and returns every line; ``lines`` holds the lines handed over so far;
    ``close()`` stops the reader. ``on_error(exc)`` gives the exception to raise for one the reader met (the
    caller's wording of a FileError).
    """

    def __init__(self, lines, chunk_size=CHUNK_LINES, on_error=None, prepare=None, first_chunk_size=None):
        self.lines = []
        self._on_error = on_error or (lambda exc: exc)
        self.complete = False
        self._error = None
        self._queue = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._unprepared = threading.Event()
        self._paused = False
        sizes = (max(1, first_chunk_size or chunk_size), max(1, chunk_size))
        # the thread holds the queue and the stop event, not the stream: a stream its caller drops is closed by
        # __del__, which stops the reader
        self._thread = threading.Thread(target=_read_chunks,
                                        args=(lines, sizes, prepare, self._queue, self._stop, self._unprepared),
                                        name='neopro-file-reader', daemon=True)
        self._thread.start()
        CollectorPause.acquire()
        self._paused = True

    def prepared_chunks(self):
        if self._error is not None:
            raise self._error
        if self.complete:
            if self.lines:
                yield self.lines, None
            return
        while True:
            kind, value, prepared = self._queue.get()
            if kind == 'error':
                self._error = self._on_error(value)
                self.close()
                raise self._error
            if kind == 'end':
                self.complete = True
                self._thread.join()
                return
            self.lines.extend(value)
            yield value, prepared

    def chunks(self):
        for chunk, _prepared in self.prepared_chunks():
            yield chunk

    def stop_preparing(self):
        """The chunks not read yet come without ``prepare`` (a caller that will take the whole file again)."""
        self._unprepared.set()

    def read_all(self):
        for _chunk in self.chunks():
            pass
        return self.lines

    def close(self):
        self._stop.set()
        if self._paused:
            self._paused = False
            CollectorPause.release()

    def __del__(self):
        if getattr(self, '_paused', False):
            self.close()  # a caller that did not close: the reader stops, the collector comes back


def _read_chunks(lines, sizes, prepare, chunks, stop, unprepared):
    """The reader of a :class:`StreamedLines`: ``lines`` into the queue ``chunks`` as ``(kind, lines, prepared)``
    (``sizes``: the first chunk's and the others'), until the end, an error or ``stop``; without ``prepare`` once
    ``unprepared`` is set."""
    def hand_over(chunk):
        if stop.is_set():
            return False
        return _put(chunks, stop, ('lines', chunk, prepare(chunk) if prepare and not unprepared.is_set() else None))
    try:
        chunk, (size, chunk_size) = [], sizes
        for line in lines:
            chunk.append(line)
            if len(chunk) >= size:
                if not hand_over(chunk):
                    return
                chunk, size = [], chunk_size
        if chunk and not hand_over(chunk):
            return
        _put(chunks, stop, ('end', None, None))
    except Exception as exc:  # handed to the caller, raised there
        _put(chunks, stop, ('error', exc, None))
    finally:
        if hasattr(prepare, 'close'):
            prepare.close()


def _put(chunks, stop, item):
    """Queue ``item``; False when the caller closed the reader meanwhile."""
    while not stop.is_set():
        try:
            chunks.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


class CollectorPause(object):
    """Python's cyclic garbage collector held off while a file is loaded, across threads: it stops with the first
    load and comes back, as it was, when the last one ends (``acquire()`` / ``release()``).

    A load makes hundreds of thousands of tuples (lines, cells, meters, COPY rows), none of them in a cycle:
    reference counting frees them all. Each of them counts towards the collector's thresholds, though, and every
    full collection walks every object of the Odoo process (the registry, the caches): 0.8 s of a 5.9 s
    100,000-line readings load (``bench/README.md``). What other requests leave in cycles meanwhile waits the
    seconds of the load.
    """
    _lock = threading.RLock()
    _count = 0
    _was_enabled = True

    @classmethod
    def acquire(cls):
        with cls._lock:
            if not cls._count:
                cls._was_enabled = gc.isenabled()
                gc.disable()
            cls._count += 1

    @classmethod
    def release(cls):
        with cls._lock:
            cls._count -= 1
            if not cls._count and cls._was_enabled:
                gc.enable()
