import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class NeoproReferenceMixin(models.AbstractModel):
    """A reference list: archive instead of delete while records use it."""
    _name = 'neopro.reference.mixin'
    _description = 'Reference data record'

    active = fields.Boolean(default=True)

    @api.multi
    def unlink(self):
        try:
            with self.env.cr.savepoint():
                return super(NeoproReferenceMixin, self).unlink()
        except psycopg2.IntegrityError:
            raise UserError(_('"%s" is in use and cannot be deleted. Archive it instead.')
                            % ', '.join(self.mapped('display_name')))


class NeoproCurrencyMixin(models.AbstractModel):
    """Amounts in the company currency (tenge)."""
    _name = 'neopro.currency.mixin'
    _description = 'Amounts in tenge'

    currency_id = fields.Many2one('res.currency', compute='_compute_currency_id')

    @api.multi
    def _compute_currency_id(self):
        currency = self.env.user.company_id.currency_id
        for record in self:
            record.currency_id = currency
