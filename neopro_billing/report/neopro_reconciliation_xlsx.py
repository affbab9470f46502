"""Reconciliation act (акт сверки) of an account over a date range, as XLSX: the figures of the PDF."""
from odoo import _, models

from .neopro_report_xlsx import HEADER_ROW, col


class NeoproReconciliationXlsx(models.AbstractModel):
    _name = 'report.neopro_billing.reconciliation_xlsx'
    _inherit = 'report.neopro_billing.abstract_xlsx'
    _description = 'Reconciliation act (XLSX)'

    def generate_xlsx_report(self, workbook, data, objs):
        for history in objs:
            self._write_act(workbook, history)

    def _write_act(self, workbook, history):
        """One sheet: opening balance, the operations (debit / credit), turnover, closing balance."""
        act = history._get_act_data()
        account = act['account']
        title = _('Reconciliation act %s') % account.account_number
        sheet = self._add_sheet(workbook, title, title, [
            (_('Customer'), history.account_id.holder_name),
            (_('From'), self._format_date(history.date_from)), (_('To'), self._format_date(history.date_to))])
        formats = self._get_formats(workbook)
        columns = [col(_('Date'), 'date'), col(_('Period'), width=10), col(_('Operation'), width=14),
                   col(_('Description'), width=40), col(_('Debit'), 'money'), col(_('Credit'), 'money')]
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
            self._write_text(sheet, HEADER_ROW, index, column.label, formats['header'])
        row = HEADER_ROW + 1
        self._write_balance(sheet, row, _('Opening balance'), act['opening'], formats)
        for line in act['lines']:
            row += 1
            values = (line['date'], line['period'], line['type'], line['description'], line['debit'] or None,
                      line['credit'] or None)
            for index, column in enumerate(columns):
                self._write_value(sheet, row, index, values[index], column.kind, formats)
        row += 1
        self._write_text(sheet, row, 3, _('Turnover'), formats['total_text'])
        self._write_value(sheet, row, 4, act['debit'], 'money', formats, total=True)
        self._write_value(sheet, row, 5, act['credit'], 'money', formats, total=True)
        self._write_balance(sheet, row + 1, _('Closing balance'), act['closing'], formats)
        sheet.freeze_panes(HEADER_ROW + 1, 0)

    def _write_balance(self, sheet, row, label, balance, formats):
        """A balance row: a debt in the debit column, an advance in the credit column."""
        self._write_text(sheet, row, 3, label, formats['total_text'])
        self._write_value(sheet, row, 4 if balance >= 0 else 5, abs(balance), 'money', formats, total=True)

    def _format_date(self, date):
        return '%s.%s.%s' % (date[8:10], date[5:7], date[:4])
