"""Shared fixture: a small utility with two branches, built without demo data."""
import datetime
import os
import subprocess
import tempfile
from unittest.mock import patch

import pytz
from dateutil.relativedelta import relativedelta

import odoo
from odoo import fields
from odoo.tests.common import HttpCase, SavepointCase

from ..models.neopro_guard_mixin import DEFAULT_TZ


def utility_today():
    """Today in the utility's time zone, as a date string: the day ``local_today`` gives a user without a zone."""
    return fields.Date.to_string(datetime.datetime.now(pytz.timezone(DEFAULT_TZ)).date())


def utility_day(day):
    """Make ``day`` (a date string) today for the add-on inside a ``with`` block: noon UTC, the same day in
    every zone of Kazakhstan."""
    return patch.object(fields.Datetime, 'now', staticmethod(lambda: '%s 12:00:00' % day))


def render_pdf_text(env, report, ids):
    """Render a QWeb PDF report with wkhtmltopdf and return (its text by pdftotext, the number of HTML bodies).

    For HttpCase tests whose data lives in the test HTTP server's cursor (``env.cr``): render_qweb_pdf answers
    HTML in test mode, so the steps it runs outside tests are run here; the cursor is released (its data kept)
    before wkhtmltopdf, so that the server can serve the report's CSS (docs/PLATFORM.md). Only the first body is
    printed: the reports tested make one document.
    """
    html = report.render_qweb_html(ids)[0].decode('utf-8')
    bodies, _ids, _header, _footer, paperformat_args = report._prepare_html(html)
    paperformat = report.paperformat_id or env.user.company_id.paperformat_id
    args = report._build_wkhtmltopdf_args(paperformat, False, paperformat_args)
    with tempfile.TemporaryDirectory() as tmp:
        body, path = os.path.join(tmp, 'report.html'), os.path.join(tmp, 'report.pdf')
        with open(body, 'wb') as fh:
            fh.write(bodies[0])
        env.cr.commit()
        env.cr.close()
        subprocess.run(['wkhtmltopdf'] + args + [body, path], check=True, timeout=180,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(path, 'rb') as fh:
            if fh.read(4) != b'%PDF':
                raise AssertionError('wkhtmltopdf wrote no PDF')
        return subprocess.check_output(['pdftotext', '-layout', path, '-']).decode('utf-8'), len(bodies)


def set_period_state(periods, state):
    """Set the stage of a test: put periods in ``state`` with SQL, without their actions (carry-over, next month).

    The ORM refuses it: a period's state changes only through its actions (issue 11).
    """
    if not periods:
        return
    periods.env.cr.execute('UPDATE neopro_period SET state = %s WHERE id IN %s', (state, tuple(periods.ids)))
    periods.invalidate_cache(['state'], periods.ids)


def release_account_numbers(env, *numbers):
    """Let a test use the manual's account numbers: demo records holding them get a "-demo" suffix.

    Tests run on a database with the demo data (Odoo 11 runs tests only in demo mode), which uses the
    manual's numbers (12345, 5555, …); the rename is rolled back with the test.
    """
    for model, field in (('neopro.subscriber', 'account_number'), ('neopro.contract', 'account_number'),
                         ('res.partner', 'neopro_account_number')):
        for record in env[model].with_context(active_test=False).search([(field, 'in', list(numbers))]):
            record[field] = '%s-demo' % record[field]


class PdfCase(HttpCase):
    """A QWeb PDF rendered by wkhtmltopdf while the test HTTP server serves the report's CSS (docs/PLATFORM.md).

    The data lives in the cursor the test HTTP server uses (``self.test_env``); printed in Russian, as operators
    print it (dates as 03.03.2023). Open demo periods are closed first (one open at a time).
    """
    post_install = True
    at_install = False

    def setUp(self):
        super(PdfCase, self).setUp()
        env = self.test_env = odoo.api.Environment(self.registry.cursor(), odoo.SUPERUSER_ID, {'lang': 'ru_RU'})
        env.cr.execute("UPDATE neopro_period SET state = 'closed' WHERE state = 'open'")
        env['neopro.period'].invalidate_cache()
        base_url = 'http://%s:%s' % (odoo.tests.common.HOST, odoo.tests.common.PORT)
        env['ir.config_parameter'].set_param('web.base.url', base_url)
        env['ir.config_parameter'].set_param('report.url', base_url)


class GuardedSavepointCase(SavepointCase):
    """SavepointCase whose classes release their cursor when their setUpClass fails.

    unittest skips tearDownClass after a failed setUpClass: the class's cursor would stay open in a transaction
    holding locks on the rows it created, and every later test touching those tables would wait for ever.
    """

    def __init_subclass__(cls, **kwargs):
        super(GuardedSavepointCase, cls).__init_subclass__(**kwargs)
        setup = cls.__dict__.get('setUpClass')
        if setup is None:
            return

        def guarded_setup(klass, _setup=setup.__func__):
            try:
                _setup(klass)
            except Exception:
                cr = getattr(klass, 'cr', None)
                if cr is not None and not cr.closed:
                    cr.rollback()
                    cr.close()
                raise
        cls.setUpClass = classmethod(guarded_setup)


class NeoproCase(GuardedSavepointCase):

    @classmethod
    def setUpClass(cls):
        super(NeoproCase, cls).setUpClass()
        # Messages are asserted in English (the source language); users of the database work in Russian.
        cls.env = env = cls.env(context=dict(cls.env.context, lang='en_US'))
        cls.cold = env.ref('neopro_billing.service_cold_water')
        cls.hot = env.ref('neopro_billing.service_hot_water')
        cls.sewage = env.ref('neopro_billing.service_sewage')
        cls.branch1 = env['neopro.branch'].create({'name': 'Test branch 1', 'code': 'T1'})
        cls.branch2 = env['neopro.branch'].create({'name': 'Test branch 2', 'code': 'T2'})
        cls.category = env['neopro.subscriber.category'].create({'name': 'Test residents', 'code': 'TBS'})
        cls.amenity = env['neopro.amenity.level'].create({'name': 'Test full amenities'})
        cls.city = env['neopro.city'].create({'name': 'Testgrad'})
        cls.street = env['neopro.street'].create({'name': 'Test street', 'city_id': cls.city.id})
        cls.house = env['neopro.house'].create({'street_id': cls.street.id, 'number': '2', 'branch_id': cls.branch1.id})
        cls.flat45 = env['neopro.premise'].create({'house_id': cls.house.id, 'number': '45'})
        cls.house2 = env['neopro.house'].create({'street_id': cls.street.id, 'number': '6',
                                                 'branch_id': cls.branch2.id})

    @classmethod
    def _release_account_numbers(cls, *numbers):
        release_account_numbers(cls.env, *numbers)

    @classmethod
    def _create_subscriber(cls, account, name, branch=None, premise=None, house=None, residents=2, **vals):
        cls._release_account_numbers(account)
        premise = premise or cls.env['neopro.premise']
        house = house or premise.house_id or cls.house
        vals.update({
            'account_number': account, 'name': name, 'residents': residents,
            'branch_id': (branch or cls.branch1).id, 'category_id': cls.category.id,
            'amenity_level_id': cls.amenity.id, 'house_id': house.id, 'premise_id': premise.id,
        })
        return cls.env['neopro.subscriber'].create(vals)

    @classmethod
    def _create_meter(cls, serial, owner, service=None, digits=5, **vals):
        vals.update({'serial_number': serial, 'service_id': (service or cls.cold).id, 'digits': digits})
        vals[{'neopro.subscriber': 'subscriber_id', 'neopro.metering.point': 'metering_point_id',
              'neopro.house': 'house_id'}[owner._name]] = owner.id
        return cls.env['neopro.meter'].create(vals)

    @classmethod
    def _create_user(cls, login, group_xmlids, branches=None):
        """A user of the billing groups (xml ids without module), limited to ``branches``."""
        groups = [cls.env.ref('neopro_billing.%s' % xmlid).id for xmlid in group_xmlids]
        return cls.env['res.users'].with_context(no_reset_password=True, tracking_disable=True).create({
            'name': login.title(), 'login': login, 'email': '%s@example.com' % login,
            'groups_id': [(6, 0, groups)],
            'neopro_branch_ids': [(6, 0, (branches or cls.env['neopro.branch']).ids)],
        })

    def _get_filter_domain(self, view_xmlid, filter_name, today):
        """The domain of a search-view filter, evaluated as the web client does on ``today``."""
        from datetime import datetime

        from lxml import etree

        from odoo.tools.safe_eval import safe_eval
        arch = etree.fromstring(self.env.ref(view_xmlid).arch)
        node = arch.xpath('//filter[@name="%s"]' % filter_name)
        self.assertTrue(node, 'no filter %s in %s' % (filter_name, view_xmlid))
        today = datetime.strptime(today, '%Y-%m-%d')
        return safe_eval(node[0].get('domain'), {'context_today': lambda: today, 'relativedelta': relativedelta,
                                                 'datetime': datetime})


class BillingCase(NeoproCase):
    # The month the class opens as its first billing period.
    period_start = '2023-03-01'

    """NeoproCase plus what billing needs: norms, tariffs, a legal-entity category, a penalty rate (15.25 %) and
    the open period 03.2023 (31 days). Tariffs: cold 100.00, hot 300.00, sewage 80.00 per m³ (residents); legal
    entities 150.00 / 400.00 / 90.00. Norms per resident: cold 3.5, hot 2.5, sewage 6.0 m³.

    The billing dates lie years before any demo data; a demo period left open is closed first (one open at a time).
    """

    @classmethod
    def setUpClass(cls):
        super(BillingCase, cls).setUpClass()
        env = cls.env
        env.cr.execute("UPDATE neopro_period SET state = 'closed' WHERE state = 'open'")
        env['neopro.period'].invalidate_cache()
        cls.legal_category = env['neopro.subscriber.category'].create({
            'name': 'Test legal entities', 'code': 'TLE', 'legal_entity': True})
        for service, volume in ((cls.cold, 3.5), (cls.hot, 2.5), (cls.sewage, 6.0)):
            env['neopro.norm'].create({'service_id': service.id, 'amenity_level_id': cls.amenity.id,
                                       'volume': volume, 'date_from': '2015-01-01'})
        for category, prices in ((cls.category, (100.0, 300.0, 80.0)), (cls.legal_category, (150.0, 400.0, 90.0))):
            for service, price in zip((cls.cold, cls.hot, cls.sewage), prices):
                cls._create_tariff(service, category, price, '2015-01-01')
        env['neopro.penalty.rate'].search([]).write({'active': False})  # in use by the demo's penalties
        env['neopro.penalty.rate'].create({'date_from': '2015-01-01', 'rate': 15.25})
        start = fields.Date.from_string(cls.period_start)
        cls.period = env['neopro.period'].create({
            'date_start': cls.period_start,
            'date_end': fields.Date.to_string(start + relativedelta(months=1, days=-1))})
        cls.company = env['res.partner'].create({'name': 'Test Water Users LLP', 'is_company': True})

    @classmethod
    def _create_tariff(cls, service, category, price, date_from, date_to=False):
        return cls.env['neopro.tariff'].create({'service_id': service.id, 'category_id': category.id, 'price': price,
                                                'date_from': date_from, 'date_to': date_to})

    @classmethod
    def _create_billed_subscriber(cls, account, services=None, residents=2, **vals):
        """A subscriber with these services connected since before billing (cold water by default)."""
        sub = cls._create_subscriber(account, 'Абонент %s' % account, residents=residents, **vals)
        for service in services if services is not None else [cls.cold]:
            cls.env['neopro.service.connection'].create({'subscriber_id': sub.id, 'service_id': service.id})
        return sub

    @classmethod
    def _create_contract(cls, account, **vals):
        vals.update({'name': 'C-%s' % account, 'account_number': account, 'partner_id': cls.company.id,
                     'branch_id': cls.branch1.id, 'category_id': cls.legal_category.id})
        return cls.env['neopro.contract'].create(vals)

    @classmethod
    def _create_point(cls, contract, service, volume=0.0, **vals):
        vals.update({'contract_id': contract.id, 'service_id': service.id, 'volume': volume})
        return cls.env['neopro.metering.point'].create(vals)

    @classmethod
    def _read(cls, meter, date, value, **vals):
        vals.update({'meter_id': meter.id, 'date': date, 'value': value})
        return cls.env['neopro.meter.reading'].create(vals)

    @classmethod
    def _operation(cls, account, operation_type, amount, date, **vals):
        """A ledger line entered through the ORM, in the open period."""
        vals.update({'operation_type': operation_type, 'amount': amount, 'date': date,
                     '%s_id' % account._name.split('.')[1]: account.id})
        if operation_type == 'correction':
            vals.setdefault('correction_type_id', cls.env.ref('neopro_billing.correction_type_recalculation').id)
        return cls.env['neopro.operation'].create(vals)

    @classmethod
    def _close(cls, period):
        """Close ``period``; returns the next month, now open."""
        period.action_close()
        return cls.env['neopro.period']._get_open_period()

    def _lines(self, account, operation_type='charge', period=None):
        """The ledger lines of an account in the period (the test period by default)."""
        field = 'subscriber_id' if account._name == 'neopro.subscriber' else 'contract_id'
        return self.env['neopro.operation'].search([
            (field, '=', account.id), ('operation_type', '=', operation_type),
            ('period_id', '=', (period or self.period).id)])

    def _line(self, account, service, period=None):
        lines = self._lines(account, period=period).filtered(lambda line: line.service_id == service)
        self.assertEqual(len(lines), 1, 'one %s line of %s' % (service.name, account.account_number))
        return lines

    def _figures(self, account):
        """The billing line of an account: the six figures of RULES §11."""
        return [account[f] for f in ('balance_start', 'amount_paid', 'amount_charged', 'amount_correction',
                                     'amount_penalty', 'balance_end')]
