from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class NeoproAbsence(models.Model):
    """Temporary absence (временное отсутствие) of some residents, with its document (RULES §12).

    Services billed by norm count the residents less the absent ones on those days.
    """
    _name = 'neopro.absence'
    _inherit = ['mail.thread']
    _description = 'Temporary absence'
    _order = 'date_from desc'

    subscriber_id = fields.Many2one('neopro.subscriber', required=True, ondelete='cascade', index=True)
    date_from = fields.Date(required=True, track_visibility='onchange')
    date_to = fields.Date(required=True, track_visibility='onchange')
    residents = fields.Integer(string='Residents absent', required=True, default=1, track_visibility='onchange')
    document_number = fields.Char(required=True, track_visibility='onchange',
                                  help='Number of the document proving the absence (certificate, ticket, order).')
    name = fields.Char(string='Note')

    _sql_constraints = [
        ('dates_ordered', 'CHECK(date_to >= date_from)', 'An absence cannot end before it starts.'),
        ('residents_positive', 'CHECK(residents > 0)', 'An absence concerns at least one resident.'),
    ]

    @api.constrains('residents', 'subscriber_id')
    def _check_residents(self):
        for absence in self:
            if absence.residents > absence.subscriber_id.residents:
                raise ValidationError(_('Account %s: %s residents absent, but only %s live there.')
                                      % (absence.subscriber_id.account_number, absence.residents,
                                         absence.subscriber_id.residents))

    @api.constrains('date_from', 'date_to')
    def _check_open_period(self):
        for absence in self:
            if self.env['neopro.period'].search_count([('state', '=', 'closed'), ('date_start', '<=', absence.date_to),
                                                       ('date_end', '>=', absence.date_from)]):
                raise ValidationError(_('Account %s: the absence from %s reaches into a closed period; closed '
                                        'periods are never recalculated.')
                                      % (absence.subscriber_id.account_number, absence.date_from))


class NeoproSubscriber(models.Model):
    _inherit = 'neopro.subscriber'

    absence_ids = fields.One2many('neopro.absence', 'subscriber_id', string='Temporary absences')
