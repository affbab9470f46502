import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import file_parser
from .neopro_guard_mixin import selection_label

FILE_TYPES = [
    ('xlsx', 'Excel (XLSX)'),
    ('xls', 'Excel 97-2003 (XLS)'),
    ('csv', 'Text (CSV)'),
    ('1c', '1C bank statement (1CClientBankExchange)'),
    ('dbf', 'dBase (DBF)'),
]


class NeoproFileFormatMixin(models.AbstractModel):
    """The layout of a file that comes in (RULES §14): file type and which column holds what.

    Bank formats (``neopro.payment.format``) and meter-reading formats (``neopro.reading.format``) are both this
    layout, read by the one parser (``lib/file_parser.py``): a model adds its columns (``_get_columns``) and the
    module turning rows into its lines (``_parser``).
    """
    _name = 'neopro.file.format.mixin'
    _description = 'Exchange file layout'

    name = fields.Char(required=True, translate=True)
    file_type = fields.Selection(FILE_TYPES, required=True, default='xlsx')
    encoding = fields.Char(default='utf-8', help='Text encoding of a CSV or DBF file, e.g. utf-8, cp1251, cp866. '
                                                 'A 1C statement is read as UTF-8 when it is valid UTF-8, else in '
                                                 'this encoding (windows-1251 when it says utf-8).')
    delimiter = fields.Char(default=';', size=3, help='Column separator of a CSV file; "\\t" for tab.')
    header_row = fields.Integer(default=1, help='Row number of the column titles (from 1). 0: find the row by '
                                                'the column titles among the first 30 rows.')
    date_format = fields.Char(default='%d.%m.%Y', required=True,
                              help='How dates written as text look (Python strftime codes); a time after '
                                   'the date is ignored. Date cells of Excel need no format.')
    skip_pattern = fields.Char(string='Skip rows starting with', default='^(итого|всего|total)',
                               help='Regular expression: rows whose first filled cell (or the cell of the column '
                                    'below) matches it are not lines (totals, bank commissions).')
    skip_column = fields.Char(string='Skip rows by column',
                              help='Optional: the column the skip pattern looks at, e.g. the purpose of payment.')
    note = fields.Text()

    @api.constrains('skip_pattern')
    def _check_skip_pattern(self):
        for fmt in self.filtered('skip_pattern'):
            self._check_regex(fmt, fmt.skip_pattern)

    @api.model
    def _check_regex(self, fmt, pattern):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValidationError(_('Format %s: "%s" is not a valid regular expression (%s).')
                                  % (fmt.name, pattern, exc))

    @api.constrains('file_type', 'encoding', 'header_row')
    def _check_encoding(self):
        for fmt in self:
            if fmt.header_row < 0:
                raise ValidationError(_('Format %s: the header row cannot be negative.') % fmt.name)
            if fmt.file_type in ('csv', 'dbf', '1c'):
                try:
                    ''.encode(fmt.encoding or 'utf-8')
                except LookupError:
                    raise ValidationError(_('Format %s: unknown text encoding "%s".') % (fmt.name, fmt.encoding))

    def _get_columns(self):
        """``{column key: what the format says}``: each model names its own columns."""
        return {}

    def _parser(self):
        """The module whose ``parse(data, spec)`` turns this format's rows into lines."""
        raise NotImplementedError

    def _get_parser_spec(self):
        """The format as the plain-Python parser wants it."""
        self.ensure_one()
        return {
            'file_type': self.file_type,
            'encoding': self.encoding,
            'delimiter': self.delimiter,
            'header_row': self.header_row,
            'date_format': self.date_format,
            'skip_pattern': self.skip_pattern,
            'skip_column': self.skip_column,
            'columns': self._get_columns(),
        }

    def _parse_file(self, data):
        """Bytes of a file -> the parser's result; a file that cannot be read raises UserError."""
        self.ensure_one()
        try:
            return self._parser().parse(data, self._get_parser_spec())
        except file_parser.FileError as exc:
            raise UserError(self._get_file_error_message(exc))

    def _read_file(self, data, chunk_size=file_parser.CHUNK_LINES, prepare=None):
        """Bytes of a file -> its lines read in a thread of their own, chunk by chunk
        (``file_parser.StreamedLines``), for an import that writes a chunk while the next is read. A file that
        cannot be read raises UserError: at once for its header, at the chunk it fails at for the rest (the
        caller's savepoint takes back what the chunks before wrote). ``prepare``: called by the reader on each
        chunk (``StreamedLines``)."""
        self.ensure_one()
        try:
            _table, lines = self._parser().read_lines(data, self._get_parser_spec())
        except file_parser.FileError as exc:
            raise UserError(self._get_file_error_message(exc))

        def on_error(exc):
            if isinstance(exc, file_parser.FileError):
                return UserError(self._get_file_error_message(exc))
            return exc
        # a first chunk of a tenth: the import checks and writes it while the reader reads on (0.2 s sooner at
        # 10,000 lines a chunk)
        return file_parser.StreamedLines(lines, chunk_size, on_error, prepare, first_chunk_size=chunk_size // 10)

    def _get_file_error_message(self, exc):
        """A sentence for a file the parser could not read."""
        if exc.code == 'header':
            return _('Format %s: the column titles were not found in the file (looked for %s). '
                     'Check that the file is of this format or adjust the format.') % (self.name, exc.detail)
        if exc.code == 'encoding':
            return _('Format %s: the file is not a text file in encoding %s.') % (self.name, exc.detail)
        if exc.code == 'file_type':
            return _('Format %s: unknown file type %s.') % (self.name, exc.detail)
        if exc.code == 'size':
            return _('The file is too large: a registry may have at most %s. Split it into several files.') \
                % exc.detail
        if exc.code == 'unpacked':
            return _('The spreadsheet unpacks to more than %s: it is no bank registry (or split it into several '
                     'files).') % exc.detail
        if exc.code == 'rows':
            return _('The file has more than %s rows: a registry may have at most that many. Split it into '
                     'several files.') % exc.detail
        if exc.code == 'statement':
            return _('Format %s: the file is not a 1C bank statement: it must start with the line '
                     '1CClientBankExchange (it starts with "%s").') % (self.name, exc.detail)
        return _('Format %s: the file cannot be read as %s (%s).') % (
            self.name, selection_label(self, 'file_type', self.file_type), exc.detail)
