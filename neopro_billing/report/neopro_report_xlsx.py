"""Layout shared by the billing XLSX reports (OCA report_xlsx): title, parameters, frozen header, autofilter,
numbers written as numbers with number formats, a bold totals row; text always written as text."""
import datetime
import re
from collections import namedtuple
from decimal import Decimal

from odoo import _, fields, models

# A column of a report table. kind: text, money, volume, price, integer, percent, date. total: None, 'sum' (of the
# column) or 'count' (of the rows).
Column = namedtuple('Column', 'label kind width total')

NUMBER_FORMATS = {
    'money': '#,##0.00',
    'volume': '#,##0.000',
    'price': '#,##0.00##',
    'integer': '#,##0',
    'percent': '0.00',
    'date': 'dd.mm.yyyy',
}
HEADER_ROW = 3  # title, parameters, blank line, then the column headers


def col(label, kind='text', width=None, total=None):
    """A report column; the width defaults by kind."""
    widths = {'text': 24, 'date': 12, 'integer': 10, 'percent': 10}
    return Column(label, kind, width or widths.get(kind, 15), total)


def to_decimal(value):
    """The exact Decimal of a figure read from SQL: Odoo's cursor reads numeric columns as floats, whose shortest
    repr gives back the stored decimal digits (2 for money, 3 for volumes)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value or 0)


class NeoproReportXlsx(models.AbstractModel):
    """Base of the billing XLSX reports: subclasses build columns and rows from SQL, this writes them."""
    _name = 'report.neopro_billing.abstract_xlsx'
    _inherit = 'report.report_xlsx.abstract'
    _description = 'Billing XLSX report'

    def get_workbook_options(self):
        # Rows are written top to bottom: constant memory keeps 100k-row sheets small in RAM.
        return {'constant_memory': True}

    def _get_formats(self, workbook):
        """The cell formats of a workbook (created once per workbook)."""
        formats = getattr(workbook, '_neopro_formats', None)
        if formats is None:
            formats = {
                'title': workbook.add_format({'bold': True, 'font_size': 13}),
                'params': workbook.add_format({'italic': True}),
                'header': workbook.add_format({'bold': True, 'text_wrap': True, 'valign': 'top', 'border': 1,
                                               'bg_color': '#DDEBF7'}),
                'text': workbook.add_format({}),
                'total_text': workbook.add_format({'bold': True, 'top': 1}),
            }
            for kind, num_format in NUMBER_FORMATS.items():
                formats[kind] = workbook.add_format({'num_format': num_format})
                formats['total_' + kind] = workbook.add_format({'num_format': num_format, 'bold': True, 'top': 1})
            workbook._neopro_formats = formats
        return formats

    # Cells ---------------------------------------------------------------------------------------------------------

    def _write_text(self, sheet, row, column, value, cell_format=None):
        """Write text as a string cell, never as a formula.

        The one way text reaches a sheet: a subscriber named "=HYPERLINK(…)", "+7 701…", "-" or "@…" stays
        plain text (formula injection), where xlsxwriter's ``write`` would turn "=…" into a formula.
        """
        if value in (None, False, ''):
            if cell_format is not None:
                sheet.write_blank(row, column, None, cell_format)
            return
        sheet.write_string(row, column, str(value), cell_format)

    def _write_value(self, sheet, row, column, value, kind, formats, total=False):
        """Write one value by its column kind: numbers as numbers, dates as dates, the rest as text."""
        prefix = 'total_' if total else ''
        if kind == 'text':
            self._write_text(sheet, row, column, value, formats[prefix + 'text'] if total else None)
        elif value is None or value is False:
            if total:
                sheet.write_blank(row, column, None, formats[prefix + 'text'])
        elif kind == 'date':
            if isinstance(value, str):
                value = fields.Date.from_string(value)
            if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                value = datetime.datetime.combine(value, datetime.time())
            sheet.write_datetime(row, column, value, formats[prefix + 'date'])
        else:
            sheet.write_number(row, column, float(value), formats[prefix + kind])

    # Sheets --------------------------------------------------------------------------------------------------------

    def _sheet_name(self, name):
        """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
        return re.sub(r'[\[\]:*?/\\]', ' ', name)[:31]

    def _add_sheet(self, workbook, name, title, parameter_lines):
        """A new worksheet with the title and the parameters on top."""
        formats = self._get_formats(workbook)
        sheet = workbook.add_worksheet(self._sheet_name(name))
        self._write_text(sheet, 0, 0, title, formats['title'])
        self._write_text(sheet, 1, 0, '; '.join('%s: %s' % line for line in parameter_lines), formats['params'])
        return sheet

    def _write_table(self, workbook, sheet, columns, rows, first_row=HEADER_ROW, freeze_columns=1):
        """Headers, rows and the totals row; frozen header and autofilter. Returns the totals {column: value}.

        ``rows``: sequences of values in column order; totals are summed as exact Decimals, never as floats.
        """
        formats = self._get_formats(workbook)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
            self._write_text(sheet, first_row, index, column.label, formats['header'])
        sums = {index: Decimal(0) for index, column in enumerate(columns) if column.total == 'sum'}
        row_number = first_row
        count = 0
        for values in rows:
            row_number += 1
            count += 1
            for index, column in enumerate(columns):
                value = values[index]
                self._write_value(sheet, row_number, index, value, column.kind, formats)
                if index in sums and value is not None:
                    sums[index] += to_decimal(value)
        sheet.freeze_panes(first_row + 1, freeze_columns)
        sheet.autofilter(first_row, 0, max(row_number, first_row + 1), len(columns) - 1)
        totals = {index: value for index, value in sums.items()}
        totals.update({index: count for index, column in enumerate(columns) if column.total == 'count'})
        row_number += 1
        for index, column in enumerate(columns):
            if index in totals:
                self._write_value(sheet, row_number, index, totals[index], column.kind if column.total == 'sum'
                                  else 'integer', formats, total=True)
            elif index == 0:
                self._write_text(sheet, row_number, 0, _('Total'), formats['total_text'])
            else:
                sheet.write_blank(row_number, index, None, formats['total_text'])
        return totals

    def _write_report(self, workbook, wizard, columns, rows, title=None, sheet_name=None, freeze_columns=1):
        """One sheet: the wizard's report title and parameters, then the table."""
        title = title or wizard._get_report_label()
        sheet = self._add_sheet(workbook, sheet_name or title, title, wizard._get_parameter_lines())
        return self._write_table(workbook, sheet, columns, rows, freeze_columns=freeze_columns)

    # Data helpers --------------------------------------------------------------------------------------------------

    # The model whose record rules restrict the rows of each table alias of the reports' SQL, and the column of
    # that model the alias's id is found in: the rules themselves apply, never a copy of them.
    _RULE_MODELS = {
        'o': ('neopro.operation', 'id'),
        'b': ('neopro.balance', 'id'),
        'm': ('neopro.meter', 'id'),
        'h': ('neopro.meter', 'house_id'),  # a house shows when its common meters may be read
    }

    def _branch_condition(self, wizard, column):
        """SQL condition on the rows of ``column``'s alias (``o.branch_id``, a constant of the caller): the record
        rules of the alias's model for the user, and the wizard's branch when one is chosen."""
        alias = column.split('.')[0]
        model_name, key = self._RULE_MODELS[alias]
        condition = self._rule_condition(model_name, '%s.id' % alias, key)
        if wizard.branch_id:
            condition = '(%s) AND %s = %%(branch_id)s' % (condition, column)
        return condition

    def _rule_condition(self, model_name, outer, key):
        """``outer IN (the ``key`` of the records of ``model_name`` the user may read)``, from the model's record
        rules (``_where_calc`` + ``_apply_ir_rules``); ``TRUE`` when no rule restricts the user.

        The rules' values are bound by the database driver (``mogrify``, the same adaptation ``execute`` does), so
        the condition can join a query with named parameters; no value is formatted into SQL by hand.
        """
        Model = self.env[model_name]
        Model.check_access_rights('read')
        query = Model._where_calc([], active_test=False)
        Model._apply_ir_rules(query, 'read')
        from_clause, where_clause, params = query.get_sql()
        if not where_clause:
            return 'TRUE'
        where = self.env.cr.mogrify(where_clause, params).decode()
        # the condition is formatted into a query that has parameters of its own: keep its percent signs literal
        return ('%s IN (SELECT "%s".%s FROM %s WHERE %s)' % (outer, Model._table, key, from_clause, where)) \
            .replace('%', '%%')

    def _get_params(self, wizard, **params):
        """SQL parameters common to the reports: the wizard's branches, service, bank, period and dates."""
        period = wizard.period_id
        wizard._get_branch_ids()  # the chosen branch must be one of the user's
        params.update({
            'branch_id': wizard.branch_id.id or None,
            'service': wizard.service_id.id or None,
            'bank': wizard.bank_id.id or None,
            'period': period.id or None,
            'd1': period.date_start, 'd2': period.date_end,
        })
        return params

    def _get_names(self, model, ids, field='name'):
        """{id: name} of a few records (branches, services, banks), in the user's language."""
        records = self.env[model].with_context(active_test=False).browse([i for i in set(ids) if i])
        return {record.id: record[field] for record in records}

    def _get_selection(self, model, field):
        """{value: label} of a selection field, in the user's language."""
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    def _get_wizard(self, objs):
        """The report wizard being printed, its parameters checked."""
        wizard = objs[:1]
        wizard._check_parameters()
        return wizard
