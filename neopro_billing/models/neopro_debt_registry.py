import csv
import io
import os
import tempfile
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# The values of a debt registry line (RULES §14), in the order of the file unless a layout leaves one out.
DEBT_COLUMNS = ('account', 'payer', 'address', 'amount', 'period')
# dBase field types and sizes of each value.
DBF_TYPES = {'account': 'C(20)', 'payer': 'C(80)', 'address': 'C(120)', 'amount': 'N(14,2)', 'period': 'C(7)'}


class NeoproDebtRegistryFormat(models.Model):
    """The layout of the debt registry a recipient wants (a bank, Kazpost, the regional settlement centre ЕРЦ):
    data, like the layouts of the files that come in."""
    _name = 'neopro.debt.registry.format'
    _inherit = 'neopro.reference.mixin'
    _description = 'Debt registry layout'
    _order = 'name'

    name = fields.Char(required=True, translate=True)
    recipient_id = fields.Many2one('res.partner', ondelete='set null', help='The bank, Kazpost or ЕРЦ the '
                                                                            'registry is for.')
    file_type = fields.Selection([('csv', 'Text (CSV)'), ('xlsx', 'Excel (XLSX)'), ('dbf', 'dBase (DBF)')],
                                 required=True, default='csv')
    encoding = fields.Char(default='utf-8', help='Text encoding of a CSV or DBF file, e.g. utf-8, cp1251, cp866.')
    delimiter = fields.Char(default=';', size=3, help='Column separator of a CSV file; "\\t" for tab.')
    header = fields.Boolean(string='Column titles', default=True, help='A CSV or XLSX file starts with a title '
                                                                       'row (a DBF always names its fields).')
    column_account = fields.Char(string='Account column', required=True, default='account_number')
    column_payer = fields.Char(string='Payer column', default='payer_name')
    column_address = fields.Char(string='Address column', default='address')
    column_amount = fields.Char(string='Amount due column', required=True, default='amount')
    column_period = fields.Char(string='Period column', default='period',
                                help='Empty: a column is left out. In a DBF a title is the field name (at most 10 '
                                     'letters).')
    decimal_mark = fields.Selection([('.', 'Point'), (',', 'Comma')], default='.', required=True,
                                    help='Decimal mark of the amounts in a CSV file.')
    note = fields.Text()

    @api.constrains('file_type', 'column_account', 'column_payer', 'column_address', 'column_amount',
                    'column_period', 'encoding')
    def _check_layout(self):
        for fmt in self:
            try:
                ''.encode(fmt.encoding or 'utf-8')
            except LookupError:
                raise ValidationError(_('Layout %s: unknown text encoding "%s".') % (fmt.name, fmt.encoding))
            if fmt.file_type == 'dbf':
                for _key, title in fmt._get_columns():
                    if len(title) > 10 or not title.replace('_', '').isalnum() or not title.isascii():
                        raise ValidationError(_('Layout %s: "%s" is no DBF field name (at most 10 Latin letters, '
                                                'digits or _).') % (fmt.name, title))

    def _get_columns(self):
        """``[(value key, title)]`` of the columns the layout keeps."""
        self.ensure_one()
        titles = [(key, (self['column_%s' % key] or '').strip()) for key in DEBT_COLUMNS]
        return [(key, title) for key, title in titles if title]

    @api.multi
    def _get_lines(self, branch_ids=None):
        """``[{'account', 'payer', 'address', 'amount' (Decimal, never below 0.00)}]`` of every open account the
        user may see (the record rules of ``neopro.account``), by account number."""
        Account = self.env['neopro.account']
        Account.check_access_rights('read')
        domain = [('holder_active', '=', True)]
        if branch_ids:
            domain.append(('branch_id', 'in', branch_ids))
        query = Account._where_calc(domain)
        Account._apply_ir_rules(query, 'read')
        from_clause, where_clause, params = query.get_sql()
        self.env.cr.execute(
            'SELECT "neopro_account".account_number, "neopro_account".payer_name, "neopro_account".holder_address, '
            'GREATEST("neopro_account".balance_end, 0) FROM %s WHERE %s ORDER BY "neopro_account".account_number'
            % (from_clause, where_clause or 'TRUE'), params)
        return [{'account': number, 'payer': payer or '', 'address': address or '',
                 'amount': Decimal(str(amount)).quantize(Decimal('0.01'))}
                for number, payer, address, amount in self.env.cr.fetchall()]

    @api.multi
    def _render(self, branch_ids=None):
        """The registry file of the open accounts: the amount due is the closing balance of the open period now."""
        self.ensure_one()
        period = self.env['neopro.period']._get_open_period()
        if not period:
            raise UserError(_('There is no open billing period: the debt registry names the amounts due in it.'))
        lines = self._get_lines(branch_ids)
        for line in lines:
            line['period'] = period.name
        return {'csv': self._render_csv, 'xlsx': self._render_xlsx, 'dbf': self._render_dbf}[self.file_type](lines)

    def _get_extension(self):
        return self.file_type

    def _render_csv(self, lines):
        out = io.StringIO(newline='')
        delimiter = '\t' if self.delimiter in ('\\t', 'tab') else (self.delimiter or ';')
        writer = csv.writer(out, delimiter=delimiter, lineterminator='\r\n')
        columns = self._get_columns()
        if self.header:
            writer.writerow([title for _key, title in columns])
        for line in lines:
            writer.writerow([str(line[key]).replace('.', self.decimal_mark) if key == 'amount' else line[key]
                             for key, _title in columns])
        return out.getvalue().encode(self.encoding or 'utf-8', errors='replace')

    def _render_xlsx(self, lines):
        import xlsxwriter
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {'in_memory': True, 'constant_memory': True})
        sheet = book.add_worksheet(_('Debts'))
        money = book.add_format({'num_format': '#,##0.00'})
        columns = self._get_columns()
        row = 0
        if self.header:
            for column, (_key, title) in enumerate(columns):
                sheet.write_string(0, column, title)
            row = 1
        for line in lines:
            for column, (key, _title) in enumerate(columns):
                if key == 'amount':
                    sheet.write_number(row, column, float(line[key]), money)
                elif line[key]:
                    sheet.write_string(row, column, line[key])  # a name "=…" stays text, never a formula
            row += 1
        book.close()
        return out.getvalue()

    def _render_dbf(self, lines):
        import dbf
        columns = self._get_columns()
        spec = '; '.join('%s %s' % (title, DBF_TYPES[key]) for key, title in columns)
        directory = tempfile.mkdtemp(prefix='neopro_debts_')
        path = os.path.join(directory, 'debts.dbf')
        try:
            table = dbf.Table(path, spec, codepage=(self.encoding or 'cp866').replace('-', '').lower())
            table.open(dbf.READ_WRITE)
            for line in lines:
                table.append(tuple(float(line[key]) if key == 'amount' else line[key][:_width(DBF_TYPES[key])]
                                   for key, _title in columns))
            table.close()
            with open(path, 'rb') as fh:
                return fh.read()
        finally:
            for name in os.listdir(directory):
                os.unlink(os.path.join(directory, name))
            os.rmdir(directory)


def _width(dbf_type):
    return int(dbf_type[2:-1].split(',')[0])
