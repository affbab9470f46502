from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.res_users import BILLING_ROLES


class NeoproUserWizard(models.TransientModel):
    """Administration → New user: an Odoo user with a billing role, branches and a password."""
    _name = 'neopro.user.wizard'
    _inherit = 'neopro.transient.guard'
    _description = 'New billing user'

    name = fields.Char(required=True)
    login = fields.Char(required=True)
    email = fields.Char()
    role = fields.Selection(BILLING_ROLES, required=True, default='operator')
    branch_ids = fields.Many2many('neopro.branch', string='Branches')
    password = fields.Char(required=True)
    password_confirm = fields.Char(string='Repeat password', required=True)

    @api.multi
    def action_create(self):
        """Create the user and open it."""
        self.ensure_one()
        login = self.login.strip()
        if self.password != self.password_confirm:
            raise UserError(_('New user %s: the two passwords differ.') % login)
        if self.env['res.users'].with_context(active_test=False).search_count([('login', '=', login)]):
            raise UserError(_('New user: the login "%s" is taken already.') % login)
        if self.role in ('inspector', 'operator') and not self.branch_ids:
            raise UserError(_('New user %s: an inspector or an operator works in at least one branch.') % login)
        try:
            self.env.user._check_password_rules(self.password)
        except UserError as error:
            raise UserError(_('New user %s: the password does not follow the password policy.\n%s')
                            % (login, error.name))
        user = self.env['res.users'].create(self._prepare_user_values(login))
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'res.users',
            'res_id': user.id,
            'view_mode': 'form',
        }

    def _prepare_user_values(self, login):
        """Values of the new res.users record."""
        return {
            'name': self.name,
            'login': login,
            'email': self.email,
            'password': self.password,
            'lang': self.env.user.lang or 'ru_RU',
            'tz': self.env.user.tz or 'Asia/Almaty',
            'groups_id': [(6, 0, [self.env.ref('base.group_user').id,
                                  self.env.ref('neopro_billing.group_%s' % self.role).id])],
            'neopro_branch_ids': [(6, 0, self.branch_ids.ids)],
        }
