"""The user card (Администрирование → Пользователи): billing role, branches, active and a new password on the form
itself (issue 12, item 15)."""
from .common import NeoproCase


class TestUserCard(NeoproCase):

    def _groups(self, user):
        return sorted(x.split('.')[1] for x in user.groups_id.get_external_id().values()
                      if x.startswith('neopro_billing.'))

    def test_role_is_set_from_the_card(self):
        user = self._create_user('card_user', ['group_inspector'], self.branch1)
        self.assertEqual(user.neopro_role, 'inspector')
        user.neopro_role = 'operator'
        self.assertEqual(self._groups(user), ['group_inspector', 'group_operator'])  # an operator is an inspector
        self.assertEqual(user.neopro_role, 'operator')
        user.neopro_role = 'accountant'
        self.assertEqual(self._groups(user), ['group_accountant', 'group_inspector'])
        user.neopro_role = 'administrator'
        self.assertEqual(user.neopro_role, 'administrator')
        self.assertEqual(self._groups(user), ['group_accountant', 'group_administrator', 'group_inspector',
                                              'group_operator'])
        user.neopro_role = False
        self.assertEqual(self._groups(user), [])

    def test_branches_and_active_on_the_card(self):
        user = self._create_user('card_branches', ['group_operator'], self.branch1)
        user.write({'neopro_branch_ids': [(6, 0, self.branch2.ids)], 'active': False})
        self.assertEqual((user.neopro_branch_ids, user.active), (self.branch2, False))

    def test_form_shows_role_branches_active_and_password(self):
        arch = self.env['res.users'].fields_view_get(view_id=self.env.ref('base.view_users_form').id,
                                                     view_type='form')['arch']
        head, sheet = arch.split('</header>', 1)
        action_id = self.env.ref('base.change_password_wizard_action').id
        self.assertIn('<button name="%d" type="action" string="Set a new password"' % action_id, head)
        billing = sheet.split('<notebook', 1)[0]
        for field in ('neopro_role', 'neopro_branch_ids', 'active'):
            self.assertIn('<field name="%s"' % field, billing)
        fields = self.env['res.users'].fields_view_get(view_id=self.env.ref('base.view_users_form').id,
                                                       view_type='form')['fields']
        self.assertFalse(fields['neopro_role'].get('readonly'), 'the role is chosen on the card')

    def test_new_password_through_the_button(self):
        user = self._create_user('card_password', ['group_operator'], self.branch1)
        action = self.env.ref('base.change_password_wizard_action')
        wizard = self.env[action.res_model].with_context(active_model='res.users', active_ids=user.ids).create({})
        wizard.user_ids.write({'new_passwd': 'Card-Secret-9'})
        wizard.change_password_button()
        self.env['res.users'].sudo(user).check_credentials('Card-Secret-9')
