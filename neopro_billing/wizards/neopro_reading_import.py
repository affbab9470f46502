import base64
import datetime
import io

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.neopro_guard_mixin import local_today


class NeoproReadingImport(models.TransientModel):
    """Upload a meter-reading file (Счетчики → Загрузка показаний), RULES §14."""
    _name = 'neopro.reading.import'
    _description = 'Load a meter reading file'

    format_id = fields.Many2one('neopro.reading.format', string='File format', required=True,
                                default=lambda self: self.env.ref('neopro_billing.reading_format_generic_csv',
                                                                  raise_if_not_found=False))
    data_file = fields.Binary(string='File', required=True)
    filename = fields.Char()

    @api.multi
    def action_import(self):
        """Load the file and open its record: readings written and load protocol."""
        self.ensure_one()
        record = self.env['neopro.reading.file']._import_file(
            self.format_id, base64.b64decode(self.data_file), self.filename)
        return {
            'type': 'ir.actions.act_window',
            'name': _('Load protocol'),
            'res_model': 'neopro.reading.file',
            'res_id': record.id,
            'view_mode': 'form',
            'target': 'current',
        }


class NeoproReadingSheet(models.TransientModel):
    """A reading sheet for inspectors (RULES §14): the meters of a route with their previous reading and an empty
    column for the new one; filled in, it loads back through the readings import (format "Reading sheet")."""
    _name = 'neopro.reading.sheet'
    _description = 'Reading sheet for inspectors'

    branch_id = fields.Many2one('neopro.branch')
    inspector_id = fields.Many2one('neopro.inspector')
    street_id = fields.Many2one('neopro.street')
    house_id = fields.Many2one('neopro.house')
    sheet_file = fields.Binary(string='Sheet', readonly=True)
    sheet_filename = fields.Char(readonly=True)
    meter_count = fields.Integer(string='Meters', readonly=True)

    def _get_domain(self):
        """The active meters of the route (the record rules of ``neopro.meter`` apply)."""
        today = local_today(self)
        domain = ['|', ('removal_date', '=', False), ('removal_date', '>=', today)]
        if self.branch_id:
            domain.append(('branch_id', '=', self.branch_id.id))
        if self.inspector_id:
            domain += ['|', ('subscriber_id.inspector_id', '=', self.inspector_id.id),
                       ('contract_id.inspector_id', '=', self.inspector_id.id)]
        if self.house_id:
            domain += ['|', '|', ('subscriber_id.house_id', '=', self.house_id.id),
                       ('house_id', '=', self.house_id.id),
                       ('metering_point_id.house_id', '=', self.house_id.id)]
        elif self.street_id:
            domain += ['|', '|', ('subscriber_id.house_id.street_id', '=', self.street_id.id),
                       ('house_id.street_id', '=', self.street_id.id),
                       ('metering_point_id.house_id.street_id', '=', self.street_id.id)]
        return domain

    def _get_route_name(self):
        parts = [r.display_name for r in (self.branch_id, self.inspector_id, self.street_id, self.house_id) if r]
        return ', '.join(parts) or _('all meters')

    @api.multi
    def action_make_sheet(self):
        """Make the XLSX and show it for download."""
        self.ensure_one()
        meters = self.env['neopro.meter'].search(self._get_domain(), order='address, serial_number')
        if not meters:
            raise UserError(_('No meter in service on the route %s.') % self._get_route_name())
        self.write({
            'sheet_file': base64.b64encode(self._render(meters)),
            'sheet_filename': _('readings_%s.xlsx') % local_today(self),
            'meter_count': len(meters),
        })
        return {'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': self.id, 'view_mode': 'form',
                'target': 'new', 'name': _('Reading sheet')}

    @api.model
    def _get_headers(self):
        """Column titles; the shipped format "Reading sheet (XLSX)" finds the serial, date and value by them."""
        return [_('No.'), _('Account number'), _('Address'), _('Owner'), _('Service'), _('Serial number'),
                _('Place of installation'), _('Previous reading'), _('Previous reading date'), _('Reading date'),
                _('New reading')]

    def _render(self, meters):
        import xlsxwriter
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {'in_memory': True})
        sheet = book.add_worksheet(_('Readings'))
        bold = book.add_format({'bold': True})
        head = book.add_format({'bold': True, 'border': 1, 'text_wrap': True, 'valign': 'top', 'bg_color': '#DDEBF7'})
        date_format = book.add_format({'num_format': 'dd.mm.yyyy'})
        value_format = book.add_format({'num_format': '0.###'})
        empty = book.add_format({'border': 1, 'bg_color': '#FFF2CC'})
        empty_date = book.add_format({'border': 1, 'bg_color': '#FFF2CC', 'num_format': 'dd.mm.yyyy'})
        sheet.write_string(0, 0, _('Reading sheet: %s') % self._get_route_name(), bold)
        sheet.write_string(1, 0, _('Made on %s. Fill in the new reading (and its date, if not today); '
                                   'load the file through Meters → Load readings, format "Reading sheet".')
                           % fields.Date.from_string(local_today(self)).strftime('%d.%m.%Y'))
        header_row = 3
        for column, title in enumerate(self._get_headers()):
            sheet.write_string(header_row, column, title, head)
        today = local_today(self)
        last = self.env['neopro.meter.reading']._get_last_readings(meters.ids, today, strict=False)
        for number, meter in enumerate(meters, 1):
            row = header_row + number
            previous = last.get(meter.id)
            texts = [meter.account_id.account_number, meter.address, meter.owner_name, meter.service_id.name,
                     meter.serial_number, meter.location]
            sheet.write_number(row, 0, number)
            for column, text in enumerate(texts, 1):
                if text:
                    sheet.write_string(row, column, text)  # write_string: a name "=…" stays text, no formula
            sheet.write_number(row, 7, previous['value'] if previous else meter.initial_value, value_format)
            if previous:
                sheet.write_datetime(row, 8, datetime.datetime.combine(
                    fields.Date.from_string(previous['date']), datetime.time()), date_format)
            sheet.write_blank(row, 9, None, empty_date)
            sheet.write_blank(row, 10, None, empty)
        for column, width in enumerate((5, 12, 40, 28, 16, 16, 16, 12, 12, 12, 12)):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(header_row + 1, 0)
        book.close()
        return out.getvalue()
