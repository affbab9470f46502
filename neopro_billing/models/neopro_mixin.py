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
        uses = self._get_uses()
        if uses:
            raise UserError(_('"%s" is in use and cannot be deleted: %s. Archive it instead.')
                            % (', '.join(self.mapped('display_name')), '; '.join(uses)))
        try:
            with self.env.cr.savepoint():
                return super(NeoproReferenceMixin, self).unlink()
        except psycopg2.IntegrityError:
            raise UserError(_('"%s" is in use and cannot be deleted. Archive it instead.')
                            % ', '.join(self.mapped('display_name')))

    @api.multi
    def _get_uses(self):
        """What uses these records, as '<model>, field "<field>": <count>' lines: every stored reference to them."""
        uses = []
        # sudo: a record in use by rows the user may not see (another branch) is still in use; only counts are told
        env = self.sudo().with_context(active_test=False).env
        # labels in the user's language, also over RPC where the call carries no context
        labels = self.with_context(lang=self.env.context.get('lang') or self.env.user.lang)
        for model_name in sorted(env.registry.models):
            model = env[model_name]
            if model._abstract or model._transient or not model._auto:
                continue
            for field in model._fields.values():
                if (field.type not in ('many2one', 'many2many') or field.comodel_name != self._name
                        or not field.store or field.inherited):
                    continue
                count = model.search_count([(field.name, 'in', self.ids)])
                if count:
                    uses.append(_('%(model)s, field "%(field)s": %(count)d') % {
                        'model': labels._get_model_label(model_name), 'field': field._description_string(labels.env),
                        'count': count})
        return uses + self._get_uses_by_rule()

    @api.multi
    def _get_uses_by_rule(self):
        """Uses not held by a reference (a tariff prices the charges of its dates): extended by such lists."""
        return []

    @api.model
    def _get_model_label(self, model_name):
        """The translated name of a model, as the user reads it."""
        return self.env['ir.model']._get(model_name).name or model_name


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
