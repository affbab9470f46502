"""Shared fixture: a small utility with two branches, built without demo data."""
from odoo.tests.common import SavepointCase


def release_account_numbers(env, *numbers):
    """Let a test use the manual's account numbers: demo records holding them get a "-demo" suffix.

    Tests run on a database with the demo data (Odoo 11 runs tests only in demo mode), which uses the
    manual's numbers (12345, 5555, …); the rename is rolled back with the test.
    """
    for model, field in (('neopro.subscriber', 'account_number'), ('neopro.contract', 'account_number'),
                         ('res.partner', 'neopro_account_number')):
        for record in env[model].with_context(active_test=False).search([(field, 'in', list(numbers))]):
            record[field] = '%s-demo' % record[field]


class NeoproCase(SavepointCase):

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
        cls.house2 = env['neopro.house'].create({'street_id': cls.street.id, 'number': '6', 'branch_id': cls.branch2.id})

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
        from dateutil.relativedelta import relativedelta
        from lxml import etree
        from odoo.tools.safe_eval import safe_eval
        arch = etree.fromstring(self.env.ref(view_xmlid).arch)
        node = arch.xpath('//filter[@name="%s"]' % filter_name)
        self.assertTrue(node, 'no filter %s in %s' % (filter_name, view_xmlid))
        today = datetime.strptime(today, '%Y-%m-%d')
        return safe_eval(node[0].get('domain'), {'context_today': lambda: today, 'relativedelta': relativedelta,
                                                 'datetime': datetime})
