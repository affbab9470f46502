import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import payment_parser


class NeoproPaymentFormat(models.Model):
    """The layout of a bank's payment registry: file type and which column holds what.

    Banks change their layouts, so a layout is data an administrator edits, not code.
    """
    _name = 'neopro.payment.format'
    _inherit = 'neopro.reference.mixin'
    _description = 'Bank payment file format'
    _order = 'name'

    name = fields.Char(required=True)
    file_type = fields.Selection([
        ('xlsx', 'Excel (XLSX)'),
        ('xls', 'Excel 97-2003 (XLS)'),
        ('csv', 'Text (CSV)'),
    ], required=True, default='xlsx')
    encoding = fields.Char(default='utf-8', help='Text encoding of a CSV file, e.g. utf-8 or cp1251.')
    delimiter = fields.Char(default=';', size=3, help='Column separator of a CSV file; "\\t" for tab.')
    header_row = fields.Integer(default=1, help='Row number of the column titles (from 1). 0: find the row by '
                                                'the column titles among the first 30 rows.')
    date_format = fields.Char(default='%d.%m.%Y', required=True,
                              help='How dates written as text look (Python strftime codes); a time after '
                                   'the date is ignored. Date cells of Excel need no format.')
    skip_pattern = fields.Char(string='Skip rows starting with', default='^(итого|всего|total)',
                               help='Regular expression: rows whose first filled cell matches it (totals) are '
                                    'not payments.')
    column_account = fields.Char(string='Account column', required=True,
                                 help='Column title (alternatives separated by |), column number (1, 2, …) '
                                      'or letter (A, B, …).')
    column_payer = fields.Char(string='Payer name column')
    column_amount = fields.Char(string='Amount column', required=True)
    column_date = fields.Char(string='Payment date column', required=True)
    column_service = fields.Char(string='Service column', help='Optional: service code or name, e.g. ХВС.')
    column_txn = fields.Char(string='Transaction id column',
                             help='Optional: receipt or transaction number; a number seen before for the same '
                                  'bank is never booked twice.')
    payment_source_id = fields.Many2one('neopro.payment.source', required=True, ondelete='restrict',
                                        default=lambda self: self.env.ref('neopro_billing.payment_source_bank',
                                                                          raise_if_not_found=False))
    bank_ids = fields.One2many('res.bank', 'neopro_payment_format_id', string='Banks')
    note = fields.Text()

    @api.constrains('skip_pattern')
    def _check_skip_pattern(self):
        for fmt in self.filtered('skip_pattern'):
            try:
                re.compile(fmt.skip_pattern)
            except re.error as exc:
                raise ValidationError(_('Format %s: "%s" is not a valid regular expression (%s).')
                                      % (fmt.name, fmt.skip_pattern, exc))

    @api.constrains('file_type', 'encoding', 'header_row')
    def _check_encoding(self):
        for fmt in self:
            if fmt.header_row < 0:
                raise ValidationError(_('Format %s: the header row cannot be negative.') % fmt.name)
            if fmt.file_type == 'csv':
                try:
                    ''.encode(fmt.encoding or 'utf-8')
                except LookupError:
                    raise ValidationError(_('Format %s: unknown text encoding "%s".') % (fmt.name, fmt.encoding))

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
            'columns': {
                'account': self.column_account, 'payer': self.column_payer, 'amount': self.column_amount,
                'date': self.column_date, 'service': self.column_service, 'txn_id': self.column_txn,
            },
        }

    def _parse_file(self, data):
        """Bytes of a registry -> ``payment_parser.ParsedFile``; a file that cannot be read raises UserError."""
        self.ensure_one()
        try:
            return payment_parser.parse(data, self._get_parser_spec())
        except payment_parser.PaymentFileError as exc:
            raise UserError(self._get_file_error_message(exc))

    def _get_file_error_message(self, exc):
        """A sentence for a file the parser could not read."""
        if exc.code == 'header':
            return _('Format %s: the column titles were not found in the file (looked for %s). '
                     'Check that the file is a registry of this bank or adjust the format.') % (self.name, exc.detail)
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
        return _('Format %s: the file cannot be read as %s (%s).') % (
            self.name, dict(self._fields['file_type']._description_selection(self.env)).get(self.file_type), exc.detail)
