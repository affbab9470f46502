"""Subscribers' own pages (RULES §15): the portal record rules, the portal reading, the invitation, the receipts
sent by e-mail through Odoo's mail queue."""
from unittest import mock

from dateutil.relativedelta import relativedelta

from odoo import _, fields
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.base.ir.ir_mail_server import IrMailServer
from odoo.addons.neopro_billing.models.neopro_receipt_mail import NeoproReceiptMail
from odoo.addons.queue_job.job import Job

from .common import NeoproCase, set_period_state


class PortalCase(NeoproCase):
    """Two subscribers with a portal login each, a company contract with a contact's login, the current month open.
    """

    @classmethod
    def setUpClass(cls):
        super(PortalCase, cls).setUpClass()
        env = cls.env
        Period = env['neopro.period']
        set_period_state(Period.search([('state', '=', 'open')]), 'closed')
        cls.today = env['neopro.guard']._today()
        start = fields.Date.from_string(cls.today).replace(day=1)
        cls.period = Period.search([('date_start', '=', fields.Date.to_string(start))])
        if cls.period:
            set_period_state(cls.period, 'open')
        else:
            cls.period = Period.create({'date_start': fields.Date.to_string(start), 'date_end': fields.Date.to_string(
                start + relativedelta(months=1, days=-1))})
        cls.day = fields.Date.from_string(cls.today).day
        cls.sub_a = cls._create_subscriber('P-1001', 'Портальный Азат', email='azat@example.com')
        cls.sub_b = cls._create_subscriber('P-1002', 'Портальная Бота', email='bota@example.com')
        cls.meter_a = cls._create_meter('PM-A1', cls.sub_a)
        cls.meter_b = cls._create_meter('PM-B1', cls.sub_b)
        cls.company = env['res.partner'].create({'name': 'ТОО Портал', 'is_company': True,
                                                 'email': 'office@portal.example.com'})
        cls.contact = env['res.partner'].create({'name': 'Контакт ТОО', 'parent_id': cls.company.id,
                                                 'email': 'contact@portal.example.com'})
        legal = env['neopro.subscriber.category'].create({'name': 'Test legal', 'code': 'TPL', 'legal_entity': True})
        cls.contract = env['neopro.contract'].create({
            'name': 'C-P1', 'account_number': 'P-2001', 'partner_id': cls.company.id, 'branch_id': cls.branch1.id,
            'category_id': legal.id})
        cls.user_a = cls._create_portal_user(cls.sub_a, 'portal_a')
        cls.user_b = cls._create_portal_user(cls.sub_b, 'portal_b')
        cls.user_c = cls._create_portal_user(cls.contact, 'portal_c')

    @classmethod
    def _create_portal_user(cls, holder, login):
        """A portal user of the subscriber's contact (made through the invitation) or of a partner."""
        if holder._name == 'neopro.subscriber':
            holder.action_portal_invite()
            partner = holder.partner_id
        else:
            partner = holder
        return cls.env['res.users'].with_context(no_reset_password=True, tracking_disable=True).create({
            'name': partner.name, 'login': login, 'partner_id': partner.id,
            'groups_id': [(6, 0, [cls.env.ref('base.group_portal').id])]})

    def _set_window(self, day_from, day_to):
        set_param = self.env['ir.config_parameter'].sudo().set_param
        set_param('neopro_billing.reading_day_from', str(day_from))
        set_param('neopro_billing.reading_day_to', str(day_to))


class TestPortalRules(PortalCase):

    def test_portal_user_sees_only_own_accounts(self):
        accounts = self.env['neopro.account'].sudo(self.user_a).search([])
        self.assertEqual(accounts, self.sub_a.account_id)
        self.assertEqual(self.env['neopro.subscriber'].sudo(self.user_a).search([]), self.sub_a)
        self.assertEqual(self.env['neopro.meter'].sudo(self.user_a).search([]), self.meter_a)
        self.assertFalse(self.env['neopro.contract'].sudo(self.user_a).search([]))

    def test_company_contact_sees_the_company_contract(self):
        self.assertEqual(self.contract.account_id.holder_partner_id, self.company)
        self.assertEqual(self.env['neopro.account'].sudo(self.user_c).search([]), self.contract.account_id)
        self.assertEqual(self.env['neopro.contract'].sudo(self.user_c).search([]), self.contract)

    def test_other_account_is_refused(self):
        for model, record, field in (('neopro.account', self.sub_b.account_id, 'account_number'),
                                     ('neopro.subscriber', self.sub_b, 'name'),
                                     ('neopro.meter', self.meter_b, 'serial_number')):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].sudo(self.user_a).browse(record.id).read([field])

    def test_other_operations_and_balances_are_invisible(self):
        self.env['neopro.operation'].create({
            'operation_type': 'payment', 'amount': 500.0, 'date': self.today, 'account_id': self.sub_b.account_id.id,
            'payment_source_id': self.env.ref('neopro_billing.payment_source_cash').id})
        self.env['neopro.operation'].create({
            'operation_type': 'payment', 'amount': 300.0, 'date': self.today, 'account_id': self.sub_a.account_id.id,
            'payment_source_id': self.env.ref('neopro_billing.payment_source_cash').id})
        ops = self.env['neopro.operation'].sudo(self.user_a).search([])
        self.assertEqual(ops.mapped('amount'), [300.0])
        self.assertEqual(self.env['neopro.balance'].sudo(self.user_a).search([]).mapped('account_id'),
                         self.sub_a.account_id)
        self.assertEqual(self.env['neopro.operation'].sudo(self.user_b).search([]).mapped('amount'), [500.0])

    def test_no_other_billing_model_is_reachable(self):
        for model in ('neopro.tariff', 'neopro.period', 'neopro.branch', 'neopro.payment.file', 'neopro.kaspi.log',
                      'neopro.receipt.mail', 'neopro.metering.point', 'neopro.norm'):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].sudo(self.user_a).search([])
        with self.assertRaises(AccessError):
            self.env['neopro.operation'].sudo(self.user_a).create({
                'operation_type': 'payment', 'amount': 1.0, 'date': self.today, 'account_id': self.sub_a.account_id.id})


class TestPortalReading(PortalCase):

    def _submit(self, user, meter, value):
        return self.env['neopro.meter.reading'].sudo(user).create({'meter_id': meter.id, 'value': value})

    def test_reading_inside_the_window_is_accepted(self):
        self._set_window(1, 31)
        reading = self._submit(self.user_a, self.meter_a, 12.5)
        self.assertEqual((reading.date, reading.value, reading.source), (self.today, 12.5, 'subscriber'))
        self.assertEqual(reading.meter_id, self.meter_a)

    def test_portal_reading_is_dated_today_whatever_is_sent(self):
        self._set_window(1, 31)
        reading = self.env['neopro.meter.reading'].sudo(self.user_a).create({
            'meter_id': self.meter_a.id, 'value': 3.0, 'date': '2020-01-01', 'source': 'inspector'})
        self.assertEqual((reading.date, reading.source), (self.today, 'subscriber'))

    def test_reading_outside_the_window_is_refused(self):
        day_from = self.day + 1 if self.day < 28 else 1
        day_to = day_from + 2 if self.day < 28 else self.day - 1
        self._set_window(day_from, day_to)
        with self.assertRaises(UserError) as caught:
            self._submit(self.user_a, self.meter_a, 12.5)
        self.assertEqual(caught.exception.name,
                         'Meter PM-A1: readings are accepted from day %s to day %s of the month; today is day %s.'
                         % (day_from, day_to, self.day))
        self.assertFalse(self.env['neopro.meter.reading'].search([('meter_id', '=', self.meter_a.id)]))

    def test_reading_obeys_the_rules_of_every_reading(self):
        self._set_window(1, 31)
        # the stage: a reading of yesterday (by SQL: on the 1st of a month yesterday lies in a closed period)
        yesterday = fields.Date.to_string(fields.Date.from_string(self.today) - relativedelta(days=1))
        self.env.cr.execute("INSERT INTO neopro_meter_reading (meter_id, date, value, source) "
                            "VALUES (%s, %s, 100.0, 'inspector')", (self.meter_a.id, yesterday))
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self._submit(self.user_a, self.meter_a, 90.0)
        self.assertIn('lower than the previous reading 100.0', caught.exception.name)
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self._submit(self.user_a, self.meter_a, 123456.0)
        self.assertIn('more digits than the counter (5)', caught.exception.name)

    def test_second_reading_of_the_day_is_refused(self):
        self._set_window(1, 31)
        self._submit(self.user_a, self.meter_a, 10.0)
        with self.assertRaises(UserError) as caught:
            self._submit(self.user_a, self.meter_a, 11.0)
        self.assertEqual(caught.exception.name,
                         'Meter PM-A1: a reading of today is given already; call the utility to correct it.')

    def test_reading_of_another_meter_is_refused(self):
        self._set_window(1, 31)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self._submit(self.user_a, self.meter_b, 10.0)
        self.assertFalse(self.env['neopro.meter.reading'].search([('meter_id', '=', self.meter_b.id)]))

    def test_reading_outside_the_open_period_is_refused(self):
        self._set_window(1, 31)
        set_period_state(self.period, 'closed')
        with self.assertRaises(UserError):
            self._submit(self.user_a, self.meter_a, 10.0)


class TestPortalInvite(PortalCase):

    def test_invite_creates_the_partner_and_the_login(self):
        sub = self._create_subscriber('P-1003', 'Новый Абонент', email='new@example.com', phone='+7 701 000 00 00')
        self.assertFalse(sub.partner_id)
        action = sub.action_portal_invite()
        partner = sub.partner_id
        self.assertEqual((partner.name, partner.email, partner.phone, partner.street),
                         ('Новый Абонент', 'new@example.com', '+7 701 000 00 00', sub.address))
        self.assertEqual(sub.account_id.holder_partner_id, partner)
        self.assertEqual((action['res_model'], action['context']['active_ids']), ('portal.wizard', [partner.id]))
        self.env.user.email = 'admin@example.com'
        wizard = self.env['portal.wizard'].with_context(**action['context']).create({})
        wizard.onchange_portal_id()
        self.assertEqual(wizard.user_ids.mapped('partner_id'), partner)
        wizard.user_ids.write({'in_portal': True})
        sent = []
        original = IrMailServer.send_email

        def capture(server, message, *args, **kwargs):
            sent.append(message)
            return original(server, message, *args, **kwargs)

        with mock.patch.object(IrMailServer, 'send_email', capture):
            wizard.action_apply()
        user = partner.user_ids
        self.assertEqual(user.login, 'new@example.com')
        self.assertTrue(user.has_group('base.group_portal'))
        self.assertEqual(len(sent), 1)
        self.assertIn('new@example.com', sent[0]['To'])
        body = ''.join(part.get_payload(decode=True).decode(part.get_content_charset() or 'utf-8')
                       for part in sent[0].walk() if part.get_content_type() in ('text/plain', 'text/html'))
        self.assertIn(partner.signup_token, body)
        self.assertEqual(self.env['neopro.account'].sudo(user).search([]), sub.account_id)

    def test_invite_of_a_contract_offers_its_company_contacts(self):
        action = self.contract.action_portal_invite()
        wizard = self.env['portal.wizard'].with_context(**action['context']).create({})
        wizard.onchange_portal_id()
        self.assertEqual(wizard.user_ids.mapped('partner_id'), self.contact)


class TestReceiptMail(PortalCase):

    @classmethod
    def setUpClass(cls):
        super(TestReceiptMail, cls).setUpClass()
        cls.env.user.email = 'billing@example.com'
        cls.sub_quiet = cls._create_subscriber('P-1004', 'Без Рассылки', email='quiet@example.com',
                                               receipt_email_opt_out=True)
        cls.sub_none = cls._create_subscriber('P-1005', 'Без Почты')
        cls.period.action_calculate()
        cls.ours = (cls.sub_a | cls.sub_b | cls.sub_quiet | cls.sub_none).mapped('account_id') | \
            cls.contract.account_id

    def _send(self):
        """Send the receipts of the period as the button does, of this test's accounts only (the database may
        hold demo accounts with e-mail addresses); then run the background jobs."""
        ours, original = self.ours, NeoproReceiptMail._get_accounts_to_mail

        def only_ours(model, period):
            return original(model, period) & ours

        with mock.patch.object(NeoproReceiptMail, '_get_accounts_to_mail', only_ours):
            self.period.action_send_receipts()
        self.period.invalidate_cache()
        uuids = (self.period.receipt_mail_job_uuids or '').split()
        if uuids:
            self.assertEqual(self.period.receipt_mail_state, 'running')
        for uuid in uuids:
            job = Job.load(self.env, uuid)
            job.set_started()
            job.perform()
            job.set_done()
            job.store()
        self.period.invalidate_cache()

    def _lines(self):
        return self.env['neopro.receipt.mail'].search([('period_id', '=', self.period.id),
                                                       ('account_id', 'in', self.ours.ids)])

    def test_accounts_to_mail(self):
        accounts = self.env['neopro.receipt.mail']._get_accounts_to_mail(self.period) & self.ours
        self.assertEqual(accounts, (self.sub_a | self.sub_b).mapped('account_id') | self.contract.account_id)

    def test_receipts_go_to_the_mail_queue_with_the_pdf(self):
        self._send()
        lines = self._lines()
        self.assertEqual(sorted(lines.mapped('email')),
                         ['azat@example.com', 'bota@example.com', 'office@portal.example.com'])
        self.assertEqual(set(lines.mapped('state')), {'queued'})
        mail = lines.filtered(lambda line: line.account_id == self.sub_a.account_id).mail_id
        self.assertEqual((mail.email_to, mail.state), ('azat@example.com', 'outgoing'))
        self.assertEqual(mail.subject, 'Receipt for %s, account P-1001' % self.period.name)
        self.assertIn('P-1001', mail.body_html)
        self.assertEqual(mail.attachment_ids.mapped('name'), ['Receipt P-1001 %s.pdf' % self.period.name])
        self.assertEqual(mail.attachment_ids.mimetype, 'application/pdf')
        note = self.sub_a.message_ids.filtered(lambda m: 'sent by e-mail to azat@example.com' in (m.body or ''))
        self.assertEqual(note.attachment_ids, mail.attachment_ids)
        self.assertEqual((self.period.receipt_mail_state, self.period.receipt_mail_progress), ('done', 100.0))
        self.assertEqual((self.period.receipt_mail_sent_count, self.period.receipt_mail_failed_count), (3, 0))

    def test_opt_out_and_no_address_get_nothing(self):
        self._send()
        self.assertFalse(self._lines().filtered(
            lambda line: line.account_id in (self.sub_quiet | self.sub_none).mapped('account_id')))
        self.assertFalse(self.env['mail.mail'].search([('email_to', '=', 'quiet@example.com')]))

    def test_sending_again_sends_nothing_twice(self):
        self._send()
        self._send()
        self.assertEqual(len(self._lines()), 3)
        self.assertEqual(self.env['mail.mail'].search_count([('email_to', '=', 'azat@example.com')]), 1)

    def test_a_failure_is_listed_and_the_others_go_on(self):
        original = NeoproReceiptMail._send_receipt

        def failing(self, template, period, account):
            if account.account_number == 'P-1002':
                raise UserError(_('wkhtmltopdf failed'))
            return original(self, template, period, account)

        with mock.patch.object(NeoproReceiptMail, '_send_receipt', failing):
            self._send()
        failed = self._lines().filtered(lambda line: line.state == 'failed')
        self.assertEqual((failed.account_id, failed.error), (self.sub_b.account_id, 'wkhtmltopdf failed'))
        self.assertEqual(len(self._lines().filtered(lambda line: line.state == 'queued')), 2)
        self.assertEqual(self.period.receipt_mail_failed_count, 1)
        self._send()  # the failed one is tried again
        self.assertEqual(set(self._lines().mapped('state')), {'queued'})
        self.assertEqual(self.env['mail.mail'].search_count([('email_to', '=', 'bota@example.com')]), 1)
