from odoo.exceptions import AccessError, UserError

from .common import NeoproCase


class TestUserWizard(NeoproCase):

    def _wizard(self, **vals):
        values = {'name': 'Айгуль Серикова', 'login': 'aigul', 'role': 'operator', 'password': 'Secret-123',
                  'password_confirm': 'Secret-123', 'branch_ids': [(6, 0, self.branch1.ids)]}
        values.update(vals)
        return self.env['neopro.user.wizard'].create(values)

    def test_creates_operator_of_branch(self):
        action = self._wizard().action_create()
        user = self.env['res.users'].browse(action['res_id'])
        self.assertEqual(user.login, 'aigul')
        self.assertEqual(user.neopro_role, 'operator')
        self.assertEqual(user.neopro_branch_ids, self.branch1)
        self.assertIn(self.env.ref('base.group_user'), user.groups_id)
        self.assertNotIn(self.env.ref('neopro_billing.group_accountant'), user.groups_id)
        # the password works
        self.env['res.users'].sudo(user).check_credentials('Secret-123')

    def test_role_of_administrator_wins(self):
        action = self._wizard(login='boss', role='administrator', branch_ids=[(5,)]).action_create()
        self.assertEqual(self.env['res.users'].browse(action['res_id']).neopro_role, 'administrator')

    def test_refusals(self):
        with self.assertRaisesRegex(UserError, 'passwords differ'):
            self._wizard(password_confirm='other').action_create()
        with self.assertRaisesRegex(UserError, 'password policy'):
            self._wizard(password='secret', password_confirm='secret').action_create()
        with self.assertRaisesRegex(UserError, 'at least one branch'):
            self._wizard(branch_ids=[(5,)]).action_create()
        self._wizard().action_create()
        with self.assertRaisesRegex(UserError, 'taken already'):
            self._wizard(name='Другая').action_create()

    def test_only_administrators_create_users(self):
        operator = self._wizard(login='op').action_create()
        user = self.env['res.users'].browse(operator['res_id'])
        wizard = self.env['neopro.user.wizard'].sudo(user).create({
            'name': 'X', 'login': 'x', 'role': 'administrator', 'password': 'Abcdefg1', 'password_confirm': 'Abcdefg1'})
        with self.assertRaises(AccessError):
            wizard.action_create()
        self.assertFalse(self.env['res.users'].search([('login', '=', 'x')]))

    def test_password_policy_on_change(self):
        action = self._wizard(login='pw').action_create()
        user = self.env['res.users'].browse(action['res_id'])
        with self.assertRaisesRegex(UserError, 'uppercase'):
            user.write({'password': 'lowercase1'})
        user.write({'password': 'Better-Secret-2'})
        self.env['res.users'].sudo(user).check_credentials('Better-Secret-2')

    def test_user_groups_action_lists_the_billing_groups(self):
        """Issue 12, item 4: Администрирование → Группы пользователей; its domain is parsed by the web client."""
        from odoo.tools.safe_eval import safe_eval
        action = self.env.ref('neopro_billing.res_groups_action')
        domain = safe_eval(action.domain, {'uid': self.env.uid, 'context': {}})
        groups = self.env['res.groups'].search(domain)
        self.assertEqual(sorted(groups.get_external_id().values()), [
            'neopro_billing.group_accountant', 'neopro_billing.group_administrator',
            'neopro_billing.group_inspector', 'neopro_billing.group_operator'])

    def test_window_actions_evaluate(self):
        """Every window action of the add-on has a domain and a context the web client can evaluate: plain
        Python literals over the names it knows (a "%(xml id)d" left in the text is no Python)."""
        from odoo.tools.safe_eval import safe_eval
        data = self.env['ir.model.data'].search([('module', '=', 'neopro_billing'),
                                                 ('model', '=', 'ir.actions.act_window')])
        actions = self.env['ir.actions.act_window'].browse(data.mapped('res_id'))
        self.assertGreater(len(actions), 20)
        for action in actions:
            names = {'uid': self.env.uid, 'context': {}, 'active_id': False, 'active_ids': [], 'active_model': ''}
            for what in ('domain', 'context'):
                try:
                    safe_eval(action[what] or '{}', dict(names))
                except Exception as error:
                    self.fail('action %s (%s): %s %r does not evaluate: %s'
                              % (action.get_external_id()[action.id], action.name, what, action[what], error))
